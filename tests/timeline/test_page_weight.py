"""A timeline page's weight in bytes of HTML, whatever the size of the timeline (issue 15: under 100 KB)."""

import pytest

from timeline.axis import MAX_MARKS
from timeline.models import Period, Timeline
from timeline.synthetic import seed_synthetic
from timeline.views import EVENTS_PER_PAGE, PAGE_AXIS_MARKS

pytestmark = pytest.mark.django_db

# Enough events for full pages of cards, searched, filtered and deep, and an axis drawn as clusters when unzoomed.
EVENTS = 2_000
TARGET = 100_000
PAGES = {
    "unfiltered": {},
    "searched": {"q": "war"},
    "filtered": {"theme": "synthetic-theme-0"},
    "deep": {"page": 3},
    "zoomed": {"window": "1500/1600"},
}
# Where each part of the page starts, in page order: the weight of a part runs to the start of the next one found.
SECTIONS = [
    ("head and site header", "<!doctype html>"),
    ("intro", '<div id="reader"'),
    ("filters", '<details class="filters-panel"'),
    ("key moments", '<nav class="key-moments"'),
    ("share and embed", '<div class="results-tools"'),
    ("axis", '<section class="axis'),
    ("event cards", '<div class="events"'),
    ("footer", "</main>"),
]


def section_weights(content):
    """Bytes of each part of a timeline page, and the number of event cards, for a failure message that shows what grew."""
    starts = sorted((content.find(marker.encode()), name) for name, marker in SECTIONS if marker.encode() in content)
    ends = [start for start, _ in starts[1:]] + [len(content)]
    weights = {name: end - start for (start, name), end in zip(starts, ends, strict=True)}
    weights["cards"] = content.count(b'<article class="event')
    return weights


def report(weighed):
    """One line per page: its weight and its parts' (over TARGET when it is an assertion's message)."""
    return "\n".join(
        f"{name}: {total:,} B — " + ", ".join(f"{part} {size:,}" for part, size in parts.items())
        for name, (total, parts) in weighed.items()
    )


def over_target(client, url, pages):
    """The pages of `pages` ({name: query}) heavier than TARGET, each with its weight and its parts; and every page's parts."""
    weighed = {}
    for name, query in pages.items():
        response = client.get(url, query)
        assert response.status_code == 200, name
        weighed[name] = (len(response.content), section_weights(response.content))
    print(report(weighed))  # shown with -s, or under a failure
    return {name: (total, parts) for name, (total, parts) in weighed.items() if total > TARGET}, weighed


def test_timeline_pages_stay_under_100_kb(client):
    """The target of issue 15: unfiltered, searched, filtered, deep and zoomed pages of a 2,000-event timeline under 100 KB."""
    seed_synthetic(events=EVENTS, seed=1, timeline="weighed")
    heavy, weighed = over_target(client, "/timelines/weighed/", PAGES)
    assert {name: parts["cards"] for name, (_, parts) in weighed.items()} == dict.fromkeys(PAGES, EVENTS_PER_PAGE)
    assert heavy == {}, report(heavy)


def edtf_year(year):
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def test_many_periods_keep_the_page_under_100_kb_and_name_the_bands_they_fit(client):
    """Sixty periods of fifty-five years behind a 2,000-event timeline: bands too narrow for their name say it in their tooltip only."""
    seed_synthetic(events=EVENTS, seed=1, timeline="weighed")
    weighed_timeline = Timeline.objects.get(slug="weighed")
    periods = [  # saved one by one: save() reads the dates
        Period.objects.create(
            name=f"The long age of the weighed realm {number}",
            slug=f"weighed-age-{number}",
            date=f"{edtf_year(-1200 + 55 * number)}/{edtf_year(-1146 + 55 * number)}",
        )
        for number in range(60)
    ]
    weighed_timeline.periods.add(*periods)
    heavy, _ = over_target(client, "/timelines/weighed/", {"unfiltered": {}, "searched": {"q": "war"}})
    assert heavy == {}, report(heavy)
    assert client.get("/timelines/weighed/", {"window": "1500/1800"}).content.count(b'class="axis-band-name"') > 0


def test_axis_drawing_every_mark_it_may_keeps_the_page_under_100_kb(client):
    """The heaviest axis: a timeline of exactly PAGE_AXIS_MARKS events draws each one, named and linked, unclustered."""
    seed_synthetic(events=PAGE_AXIS_MARKS, seed=1, timeline="weighed")
    heavy, weighed = over_target(client, "/timelines/weighed/", {"unfiltered": {}})
    page = client.get("/timelines/weighed/").content
    assert page.count(b"data-event=") == PAGE_AXIS_MARKS and b"data-cluster=" not in page
    assert weighed["unfiltered"][1]["cards"] == EVENTS_PER_PAGE
    assert heavy == {}, report(heavy)


def test_timeline_of_max_marks_events_is_grouped_on_the_page_and_under_100_kb(client):
    """MAX_MARKS events (as many as the axis may send) are grouped into clusters on the page, which stays under 100 KB."""
    seed_synthetic(events=MAX_MARKS, seed=1, timeline="weighed")
    heavy, _ = over_target(client, "/timelines/weighed/", {"unfiltered": {}})
    assert b"data-cluster=" in client.get("/timelines/weighed/").content
    assert heavy == {}, report(heavy)


def test_demo_timeline_page_stays_under_100_kb(client):
    """The demo timeline (the site's front page in the tests) under 100 KB, with and without an event selected on the axis."""
    heavy, _ = over_target(client, "/", {"front": {}, "selected": {"event": "soviet-invasion-of-afghanistan"}})
    assert heavy == {}, report(heavy)

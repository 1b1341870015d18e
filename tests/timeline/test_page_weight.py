"""A timeline page's weight in bytes of HTML, whatever the size of the timeline (issue 15: under 100 KB)."""

import pytest

from timeline.axis import MAX_MARKS
from timeline.synthetic import seed_synthetic

pytestmark = pytest.mark.django_db

# Enough events for 25 full cards on the first page and an axis drawn as clusters when unzoomed.
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
    """One line per page over the target: its total and its parts."""
    return "\n".join(
        f"{name}: {total:,} B > {TARGET:,} B — " + ", ".join(f"{part} {size:,}" for part, size in parts.items())
        for name, (total, parts) in weighed.items()
    )


def over_target(client, url, pages):
    weighed = {}
    for name, query in pages.items():
        response = client.get(url, query)
        assert response.status_code == 200, name
        weighed[name] = (len(response.content), section_weights(response.content))
    print(report(weighed).replace(" >", " ~"))
    return {name: (total, parts) for name, (total, parts) in weighed.items() if total > TARGET}, weighed


def test_timeline_pages_stay_under_100_kb(client):
    """The target of issue 15: unfiltered, searched, filtered, deep and zoomed pages of a 2,000-event timeline under 100 KB."""
    seed_synthetic(events=EVENTS, seed=1, timeline="weighed")
    heavy, weighed = over_target(client, "/timelines/weighed/", PAGES)
    assert {name: parts["cards"] for name, (_, parts) in weighed.items()} == dict.fromkeys(PAGES, 25)  # full pages
    assert heavy == {}, report(heavy)


def test_unclustered_axis_page_stays_under_100_kb(client):
    """A timeline of exactly MAX_MARKS events draws every one on the axis, unclustered, and still weighs under 100 KB."""
    seed_synthetic(events=MAX_MARKS, seed=1, timeline="weighed")
    heavy, weighed = over_target(client, "/timelines/weighed/", {"unfiltered": {}})
    page = client.get("/timelines/weighed/").content
    assert page.count(b"data-event=") == MAX_MARKS and b"data-cluster=" not in page
    assert heavy == {}, report(heavy)


def test_demo_timeline_page_stays_under_100_kb(client):
    """The demo timeline (the site's front page in the tests) under 100 KB, with and without a selected event."""
    heavy, _ = over_target(client, "/", {"front": {}, "selected": {"event": "soviet-invasion-of-afghanistan"}})
    assert heavy == {}, report(heavy)

"""The axis: windows, zoom steps, ticks, lane packing, clusters and bounded marks, and the axis in the page and widget."""

import re

import pytest
from django.http import QueryDict

from sources.dates import day_number, edtf_bounds
from tests.factories import CitationFactory, EventFactory, TimelineFactory
from timeline.axis import (
    MAX_MARKS,
    Mark,
    Window,
    WindowError,
    axis_build,
    clusters_count,
    lanes_pack,
    mark_place,
    ticks_build,
    window_edtf,
    window_label,
    window_parse,
)
from timeline.filters import EventFilter
from timeline.models import Event, Timeline


def mark(slug="m", date="2015", title="A mark", **kwargs):
    bounds = edtf_bounds(date)
    return Mark(
        slug=slug, title=title, date=date, display=date, lower=bounds.lower, upper=bounds.upper, precision=bounds.precision,
        turning_point=False, sources=1, claimed_lower=None, claimed_upper=None, href=f"/events/{slug}/", **kwargs,
    )  # fmt: skip


def test_window_parse_reads_edtf_intervals_of_any_era():
    """window= takes years, months, days and long years; each end is read on its own."""
    assert window_parse("2011/2019") == Window(day_number(2011), day_number(2019, 12, 31))
    assert window_parse("2022-02/2022-03").span == 28 + 31
    assert window_parse("2022-02-24/2022-02-24").span == 1
    deep = window_parse("Y-13800000000/2025")
    assert deep.lower < day_number(-13_000_000_000)


@pytest.mark.parametrize("value", ["", "2019/2011", "2011/..", "the nineties", "1/2/3"])
def test_window_parse_refuses_with_a_message_naming_the_fix(value):
    """A window that cannot be read says why and shows one that works."""
    with pytest.raises(WindowError, match=r"window|e\.g\."):
        window_parse(value)


def test_window_edtf_precision_follows_the_width_and_round_trips():
    """Twenty years and more are written in years, two months and more in months, the rest in days."""
    assert window_edtf(day_number(2011), day_number(2019, 12, 31)) == "2011-01/2019-12"
    assert window_edtf(day_number(1900), day_number(2025, 12, 31)) == "1900/2025"
    assert window_edtf(day_number(2022, 2, 24), day_number(2022, 3, 3)) == "2022-02-24/2022-03-03"
    for value in ("1900/2025", "2022-01/2022-06", "2022-02-24/2022-03-03", "-0043/0014"):
        window = window_parse(value)
        assert window_parse(window.edtf()) == window


def test_zoom_steps_reach_a_day_from_billions_of_years_and_back():
    """Zooming in halves the window until it is one day; zooming out doubles it, across every scale."""
    window = window_parse("Y-13800000000/2025")
    steps, invasion = 0, day_number(2022, 2, 24)
    while window.span > 1:
        narrower = window.zoomed(0.5, centre=invasion)
        assert narrower.span < window.span
        window, steps = narrower, steps + 1
    assert window.span == 1 and steps < 60
    assert window == window_parse("2022-02-24/2022-02-24")
    wider = window.zoomed(2)
    assert wider.span == 2
    assert window_parse("Y-6900000000/Y-6900000000").zoomed(0.5).span >= 365  # deep time: a year at most
    assert window_parse("2011/2019").panned(0.5).lower > day_number(2014)


def test_window_label_in_words():
    assert window_label(day_number(2011), day_number(2019, 12, 31)) == "January 2011 – December 2019"
    assert window_label(day_number(1900), day_number(2025, 12, 31)) == "1900–2025"
    assert window_label(day_number(2022, 1, 1), day_number(2022, 6, 30)) == "January–June 2022"


def test_marks_are_as_wide_as_their_span_and_a_day_is_a_point():
    """At month zoom a day is a point, a month a bar; an interval is as long as it lasts."""
    window = window_parse("2022-01/2022-12")
    day, month, interval = mark(date="2022-02-24"), mark(date="2022-03"), mark(date="2022-01/2022-06")
    for item in (day, month, interval):
        mark_place(item, window)
    assert day.point and not month.point
    assert month.width == pytest.approx(31 * 100 / 365, rel=0.01)
    assert interval.width == pytest.approx(181 * 100 / 365, rel=0.01)
    assert day.x < month.x < month.x + month.width


def test_soft_and_open_ends():
    """~ and ? fade the end they qualify; an open end fades and is flagged; right to left swaps the ends."""
    window = window_parse("2000/2030")
    approximate = mark_place(mark(date="2007~/2010"), window)
    assert approximate.mask == "s"
    uncertain = mark_place(mark(date="2007/2010?"), window)
    assert uncertain.mask == "e" and uncertain.uncertain
    since = mark_place(mark(date="2022/.."), window)
    assert since.open_end and since.mask == "e"
    mirrored = mark_place(mark(date="2007~/2010"), window, rtl=True)
    assert mirrored.mask == "e" and mirrored.x > 50


def test_lane_packing_never_overlaps_labelled_marks():
    """Marks that would overlap (with their labels) go in different lanes; far-apart ones share a lane."""
    window = window_parse("2000/2030")
    marks = [mark_place(mark(slug=str(n), date=str(2001 + n // 2 * 10)), window) for n in range(6)]
    lanes = lanes_pack(marks)
    assert lanes == 2
    assert marks[0].lane != marks[1].lane
    assert marks[0].lane == marks[2].lane
    crowded = [mark_place(mark(slug=str(n), date="2015"), window) for n in range(20)]
    assert lanes_pack(crowded, max_lanes=4) == 4
    assert sum(not m.labelled for m in crowded) == 16


def test_a_label_near_the_far_edge_runs_back_and_never_covers_the_mark_before_it():
    """Near the end of the window a label runs back from its mark, so it needs the room before the mark too."""
    window = window_parse("2000/2029")
    before = mark_place(mark(slug="before", title="Short", date="2024"), window)
    late = mark_place(mark(slug="late", title="A long title that cannot fit after its mark", date="2027"), window)
    assert lanes_pack([before, late]) == 2
    assert late.label_anchor == "end" and before.label_anchor == "start"
    assert before.lane != late.lane
    mirrored = [mark_place(mark(slug=m.slug, title=m.title, date=str(m.date)), window, rtl=True) for m in (before, late)]
    assert lanes_pack(mirrored, rtl=True) == 2
    assert mirrored[1].label_anchor == "end" and mirrored[1].label_x == pytest.approx(mirrored[1].x)


def test_a_tick_at_the_far_edge_runs_its_label_back_so_the_frame_does_not_cut_it():
    """The demo's 1977–2026 window ends just after its 2025 tick: that label runs back from its line."""
    ticks = ticks_build(window_parse("1977/2026"))
    assert ticks[-1].label == "2025" and ticks[-1].at_far_edge
    assert not any(tick.at_far_edge for tick in ticks[:-1])
    mirrored = ticks_build(window_parse("1977/2026"), rtl=True)
    assert mirrored[-1].at_far_edge and mirrored[-1].x < 5


def test_deep_time_ticks_read_short():
    """From the Big Bang to today the ticks say "13 Ga"-style, not thirteen-digit years; historic ones stay years."""
    ticks = ticks_build(window_parse("Y-13800000000/2025"))
    assert ticks and all(tick.label.endswith(("Ga", "Ma")) for tick in ticks[:-1])
    assert [tick.label for tick in ticks_build(window_parse("1977/2026"))][:2] == ["1980", "1985"]


def bind(query=""):
    query_dict = QueryDict(query)
    return EventFilter(query_dict, queryset=Event.objects.published()), query_dict


@pytest.mark.django_db
def test_marks_are_bounded_and_the_rest_are_counted_in_clusters():
    """Past max_marks, the window sends turning points as marks and counts every event per bucket."""
    filterset, query = bind()
    axis = axis_build(filterset, query_dict=query, max_marks=10)
    total = filterset.qs.count()
    assert axis.clustered and total > 10
    assert sum(cluster.count for cluster in axis.clusters) == total
    assert all(m.turning_point for m in axis.marks) and len(axis.marks) <= 10
    assert all(re.search(r"window=", cluster.query) for cluster in axis.clusters)


@pytest.mark.django_db
def test_clusters_count_in_one_query(django_assert_num_queries):
    filterset, _ = bind()
    window = window_parse("1979/2025")
    with django_assert_num_queries(1):
        buckets = clusters_count(filterset.qs, window)
    assert sum(count for _, _, count in buckets) == filterset.qs.between(window.lower, window.upper).count()


@pytest.mark.django_db
def test_axis_marks_whole_span_in_date_order_with_names():
    """Without window=, the axis shows every filtered event in date order, each with its accessible name."""
    filterset, query = bind("actor=china")
    axis = axis_build(filterset, query_dict=query)
    assert len(axis.marks) == filterset.qs.count() <= MAX_MARKS
    assert [m.lower for m in axis.marks] == sorted(m.lower for m in axis.marks)
    assert all(re.match(r".+: .+, \d+ sources?$", m.accessible_name) for m in axis.marks)


@pytest.mark.django_db
def test_whisker_spans_the_dates_sources_claim():
    event = EventFactory(date="2015-06")
    CitationFactory(event=event, claimed_date="2014")
    filterset, query = bind("window=2010/2020&q=" + "")
    axis = axis_build(filterset, query_dict=query)
    drawn = next(m for m in axis.marks if m.slug == event.slug)
    assert drawn.whisker and drawn.whisker[0] < drawn.x


@pytest.mark.django_db
def test_right_to_left_timeline_mirrors_the_axis():
    """A Persian timeline runs its axis right to left: later events stand further left."""
    persian = TimelineFactory(slug="fa", title="گاه‌شمار", language="fa", direction=Timeline.Direction.RTL)
    EventFactory(slug="early", date="2001", timelines=[persian])
    EventFactory(slug="late", date="2020", timelines=[persian])
    filterset, query = bind("timeline=fa")
    axis = axis_build(filterset, query_dict=query)
    positions = {m.slug: m.x for m in axis.marks}
    assert axis.rtl and positions["late"] < positions["early"]


@pytest.mark.django_db
def test_page_renders_the_axis_svg_with_links(client):
    response = client.get("/?window=2011/2019")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<section class="axis[^"]*" id="axis" data-axis data-from="2011-01-01" data-to="2019-12-31"', html)
    assert re.search(r'<a(?: class="[^"]*")? href="/events/[^"]+/" data-event="', html)
    assert 'data-axis-zoom="in"' in html and "window=2013-" in html


@pytest.mark.django_db
def test_unreadable_window_says_why_and_shows_the_whole_timeline(client):
    response = client.get("/?window=soon")
    assert response.status_code == 200
    assert "window=soon: “soon” is not a valid EDTF date" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Target": "axis"}])
def test_axis_partial_for_scripts(client, headers):
    """The page with HX-Target: axis answers the axis alone (axis.js swaps it); without, the whole page."""
    response = client.get("/?window=2011/2019&event=2015-iran-nuclear-deal", headers=headers)
    html = response.content.decode()
    assert ("<html" in html) is not bool(headers)
    assert html.count("data-axis ") == 1


@pytest.mark.django_db
def test_story_mode_steps_through_the_filtered_events(client):
    html = client.get("/?view=story&turning_point=true").content.decode()
    assert 'data-story-step="' in html and "data-story-next" in html
    first = re.search(r'data-story-step="([^"]+)"', html)[1]
    following = re.search(r'href="\?([^"]+)"[^>]*data-story-next', html)[1].replace("&amp;", "&")
    html = client.get("/?" + following).content.decode()
    assert re.search(r'data-story-step="([^"]+)"', html)[1] != first
    assert "data-story-prev" in html


@pytest.mark.django_db
def test_when_nothing_matches_the_axis_shows_the_dates_asked_for():
    """From 1500 to 1600 on the demo matches nothing: the axis draws 1500–1600, not the current year."""
    filterset, query = bind("date_from=1500&date_to=1600")
    axis = axis_build(filterset, query_dict=query)
    assert axis.total == 0
    assert axis.window.lower <= day_number(1500) and axis.window.upper >= day_number(1600, 12, 31)
    assert axis.window.span < 120 * 366
    reversed_dates, query = bind("date_from=2020&date_to=2010")  # From after To: explained on the page, and no error here
    assert axis_build(reversed_dates, query_dict=query).total == 0

"""The overview strip (timeline.overview): buckets chosen from the span, intervals in every bucket they overlap."""

import pytest
from django.http import QueryDict

from sources.dates import edtf_bounds
from sources.natural_dates import date_to_edtf
from timeline.overview import MAX_BUCKETS, overview_build, scale_choose, spans_build
from timeline.selectors import YearSpan


def spans(*pairs):
    return [YearSpan(first=first, last=last, total=1, matching=1, matching_any_date=1) for first, last in pairs]


@pytest.mark.parametrize(
    ("first", "last", "unit", "count"),
    [
        (2016, 2025, "year", 10),
        (1200, 2025, "decade", 83),
        (-2974, 2025, "century", 51),
        (-13_800_000_000, 2025, "billion years", 15),
        (-65_000_000, 2025, "million years", 66),
    ],
    ids=["10 years", "826 years", "5,000 years", "13.8 billion years", "65 million years"],
)
def test_bucket_size_follows_the_span(first, last, unit, count):
    """Years, decades, centuries… up to billions of years: the finest that draws the span in at most MAX_BUCKETS bars."""
    overview = overview_build(spans((first, first), (last, last)), [], QueryDict(mutable=True))
    assert overview.scale.unit == unit and len(overview.bars) == count <= MAX_BUCKETS
    assert overview.bars[0].first <= first and overview.bars[-1].last >= last


def test_no_year_zero_between_1_bce_and_1_ce():
    """On a scale of years, 1 BCE is followed by 1 CE."""
    overview = overview_build(spans((-2, 2)), [], QueryDict(mutable=True))
    assert [bar.label for bar in overview.bars] == ["3 BCE", "2 BCE", "1 BCE", "1 CE", "2 CE"]


def test_an_interval_counts_in_every_bucket_it_overlaps():
    """An event from 1990 to 1999 counts in each of those years, not only in 1990."""
    overview = overview_build(spans((1990, 1999), (2005, 2005)), [], QueryDict(mutable=True))
    totals = {bar.label: bar.total for bar in overview.bars}
    assert all(totals[str(year)] == 1 for year in range(1990, 2000)) and totals["2000"] == 0 and totals["2005"] == 1


@pytest.mark.parametrize(
    ("first", "last", "bucket_first", "bucket_last", "date_from", "date_to"),
    [
        (-100, 2025, 1500, 1599, "1500", "1599"),
        (-3000, 2025, -499, -400, "500 BC", "401 BC"),
        (-65_000_000, 2025, -65_000_000, -64_000_001, "65 million years ago", "Y-64000001"),
    ],
)
def test_bucket_links_filter_to_their_range_in_words_the_filter_reads(first, last, bucket_first, bucket_last, date_from, date_to):
    """Each bar links to date_from/date_to that read back as exactly its years."""
    overview = overview_build(spans((first, first), (last, last)), [], QueryDict(mutable=True))
    bar = next(bar for bar in overview.bars if bar.first == bucket_first)
    assert bar.last == bucket_last
    query = QueryDict(bar.query)
    assert (query["date_from"], query["date_to"]) == (date_from, date_to)
    assert date_to_edtf(query["date_from"]).first.year == bucket_first and date_to_edtf(query["date_to"]).last.year == bucket_last


def test_big_bang_to_today_is_readable():
    """The Big Bang, the dinosaurs and today: a handful of labelled billions of years, periods on the same scale."""
    period = type("P", (), {})()
    bounds = edtf_bounds("Y-65000000")
    period.name, period.date_display = "Dinosaurs' end", "65 million years ago"
    period.date_first, period.date_last = bounds.first, bounds.last
    period.date_year = period.date_year_last = -65_000_000
    overview = overview_build(
        spans((-13_800_000_000, -13_800_000_000), (-65_000_000, -65_000_000), (2025, 2025)), [period], QueryDict(mutable=True)
    )
    assert len(overview.bars) <= MAX_BUCKETS and 5 <= len(overview.ticks) <= 15
    assert overview.ticks[0][0] == "14 Ga" and overview.bars[0].label == "14–13 billion years ago"
    assert len(overview.bands) == 1 and overview.bands[0].x == overview.bars[-2].x
    assert [span["count"] for span in spans_build(overview)] == [1, 1, 1]  # 13.8 Ga, 65 Ma, today


def test_scale_of_one_year():
    """A single year is one bucket of one year."""
    assert scale_choose(2015, 2015).unit == "year"

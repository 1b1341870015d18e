"""
The overview strip's geometry: buckets of time chosen from the span of the timeline (years,
decades, centuries, millennia, up to billions of years; never more than MAX_BUCKETS), one bar per
bucket (events overlapping it, and how many match the filters), period bands on the same scale,
ticks; and the span facet beside it, on the same buckets. Drawn as SVG by templates/timeline/index.html.
"""

from dataclasses import dataclass

from sources.dates import YEARS_AGO_FROM, year_display
from timeline.sharing import query_clean

MAX_BUCKETS = 120
# Bucket sizes in years, with what a bucket of that size is called. Up to millennia, buckets follow
# the historians' numbering (1500–1599, 500–401 BCE: no year 0); beyond, they are plain multiples of
# astronomical years ("66–65 million years ago").
SCALES = [
    (1, "year", "years"),
    (10, "decade", "decades"),
    (100, "century", "centuries"),
    (1000, "millennium", "millennia"),
    (10**4, "10,000 years", "ten thousand years"),
    (10**5, "100,000 years", "hundred thousand years"),
    (10**6, "million years", "millions of years"),
    (10**7, "10 million years", "tens of millions of years"),
    (10**8, "100 million years", "hundreds of millions of years"),
    (10**9, "billion years", "billions of years"),
    (10**10, "10 billion years", "tens of billions of years"),
    (10**11, "100 billion years", "hundreds of billions of years"),
]
HISTORICAL_UP_TO = 1000


@dataclass(frozen=True)
class Scale:
    size: int
    unit: str
    unit_plural: str

    def index(self, year):
        """The bucket an astronomical year falls in."""
        if self.size > HISTORICAL_UP_TO:
            return year // self.size
        if year >= 1:
            return year // self.size
        return -((-year) // self.size) - 1  # BCE b = 1 - year lies in [(-k-1)·size + 1, -k·size]

    def years(self, index):
        """(first, last) astronomical years of a bucket; first > last for the empty bucket 0 of single years."""
        if self.size > HISTORICAL_UP_TO:
            return index * self.size, (index + 1) * self.size - 1
        if index >= 0:
            return max(index * self.size, 1), (index + 1) * self.size - 1
        return 1 + index * self.size, (index + 1) * self.size


def scale_choose(first, last):
    """The finest scale that draws the years first..last in at most MAX_BUCKETS buckets."""
    for size, unit, plural in SCALES:
        scale = Scale(size, unit, plural)
        if scale.index(last) - scale.index(first) + 1 <= MAX_BUCKETS:
            return scale
    return Scale(*SCALES[-1])


def year_query_words(year):
    """A year as the date filters read it back: "1500", "44 CE", "500 BC", "66 million years ago", else EDTF."""
    if 1000 <= year <= 9999:
        return str(year)
    if 1 <= year < 1000:
        return f"{year} CE"
    if -9999 < year <= 0:
        return f"{1 - year} BC"
    if year <= YEARS_AGO_FROM and year % 10**5 == 0:
        return year_display(year)  # "66 million years ago", "13.8 billion years ago"
    return f"Y{year}"


def _years_ago_short(year):
    ago = -year
    return f"{ago / 10**9:.3g} Ga" if ago >= 10**9 else f"{ago / 10**6:.3g} Ma"


def bucket_label(first, last):
    """Words for a bucket: "2015", "1990s", "1500–1599", "500–401 BCE", "66–65 million years ago"."""
    if first == last:
        return year_display(first)
    if first >= 1000 and last - first == 9 and first % 10 == 0:
        return f"{first}s"
    if last < YEARS_AGO_FROM:  # deep time, counted back: the bucket ends where the next one starts
        earlier, later = year_display(first), year_display(last + 1)
        number, _, unit = earlier.partition(" ")
        return f"{number}–{later}" if later.endswith(unit) else f"{earlier} – {later}"
    if last <= 0:
        return f"{1 - first:,}–{year_display(last)}" if first > -9999 else f"{year_display(first)} – {year_display(last)}"
    if first <= 0:
        return f"{year_display(first)} – {year_display(last, era=True)}"
    if last < 1000:
        return f"{first}–{last} CE"
    return f"{year_display(first)}–{year_display(last)}"


def span_label(first, last):
    """The whole span in words: "1979–2025", "44 BCE – 14 CE", "13.8 billion years ago – 2025"."""
    if first >= 1000:
        return f"{year_display(first)}–{year_display(last)}"
    return f"{year_display(first)} – {year_display(last, era=first <= 0)}"


def tick_label(first):
    return _years_ago_short(first) if first <= YEARS_AGO_FROM else year_display(first)


@dataclass
class Bucket:
    first: int  # astronomical years
    last: int
    label: str
    total: int = 0  # published events overlapping the bucket
    matching: int = 0  # of those, how many every active filter keeps
    matching_any_date: int = 0  # how many every filter but the dates keeps (the span facet)
    x: float = 0
    y: float = 0
    height: float = 0
    matching_y: float = 0
    matching_height: float = 0
    query: str = ""


@dataclass
class Band:
    name: str
    display: str
    x: float
    y: float
    width: float
    colour: int


@dataclass
class Overview:
    first: int
    last: int
    label: str  # the whole span in words
    scale: Scale
    width: int
    height: int
    bars: list
    bands: list
    ticks: list


OVERVIEW_BAR = 10  # px per bucket in the SVG's own coordinates; the SVG scales to the page width
OVERVIEW_CHART = 56  # height of the tallest bar
OVERVIEW_LANE = 6  # period bands run in two lanes under the bars, so overlapping periods stay visible
OVERVIEW_TICKS = 10  # about this many labelled ticks


def overview_build(spans, periods, query_dict):
    """
    Geometry of the overview strip from event_years' spans (first and last year of groups of events
    with their counts): buckets on the scale the whole span needs, each counting every event that
    overlaps it; period bands on the same scale; labelled ticks.
    """
    if not spans:
        return None
    first, last = min(span.first for span in spans), max(span.last for span in spans)
    scale = scale_choose(first, last)
    low, high = scale.index(first), scale.index(last)
    buckets, position = [], {}
    for index in range(low, high + 1):
        years = scale.years(index)
        if years[0] > years[1]:
            continue  # there is no year 0 between 1 BCE and 1 CE
        position[index] = len(buckets)
        buckets.append(Bucket(first=years[0], last=years[1], label=bucket_label(*years)))
    for span in spans:
        for index in range(scale.index(span.first), scale.index(span.last) + 1):
            if index in position:
                bucket = buckets[position[index]]
                bucket.total += span.total
                bucket.matching += span.matching
                bucket.matching_any_date += span.matching_any_date
    peak = max(bucket.total for bucket in buckets) or 1
    for number, bucket in enumerate(buckets):
        query = query_dict.copy()
        query.setlist("date_from", [year_query_words(bucket.first)])
        query.setlist("date_to", [year_query_words(bucket.last)])
        bucket.query = query_clean(query)
        bucket.x = number * OVERVIEW_BAR
        bucket.height, bucket.matching_height = OVERVIEW_CHART * bucket.total / peak, OVERVIEW_CHART * bucket.matching / peak
        bucket.y, bucket.matching_y = OVERVIEW_CHART - bucket.height, OVERVIEW_CHART - bucket.matching_height
    bands, lane_ends = [], [None, None]
    for number, period in enumerate(periods):
        if period.date_first.is_open and period.date_last.is_open:
            continue
        start, end = max(period.date_year, first), min(period.date_year_last, last)
        if start > end:
            continue
        start_at, end_at = position[scale.index(start)], position[scale.index(end)]
        # The first lane whose last band ended before this one starts; periods come ordered by start.
        lane = next((lane for lane, lane_end in enumerate(lane_ends) if lane_end is None or lane_end < start_at), 1)
        lane_ends[lane] = end_at
        bands.append(Band(
            name=period.name, display=period.date_display, x=start_at * OVERVIEW_BAR,
            y=OVERVIEW_CHART + 3 + lane * OVERVIEW_LANE, width=(end_at - start_at + 1) * OVERVIEW_BAR - 1, colour=number % 5,
        ))  # fmt: skip
    step = _tick_step(len(buckets))
    ticks = [(tick_label(bucket.first), bucket.x) for bucket, index in zip(buckets, position, strict=True) if index % step == 0]
    height = OVERVIEW_CHART + 3 + 2 * OVERVIEW_LANE + 12
    return Overview(
        first=first, last=last, label=span_label(first, last), scale=scale, width=len(buckets) * OVERVIEW_BAR, height=height, bars=buckets, bands=bands, ticks=ticks,
    )  # fmt: skip


def _tick_step(count):
    """1, 2, 5, 10, 20… buckets between labelled ticks, for about OVERVIEW_TICKS of them."""
    step, factors = 1, (2, 2.5, 2)
    turn = 0
    while count / step > OVERVIEW_TICKS:
        step = round(step * factors[turn % 3])
        turn += 1
    return step


def spans_build(overview):
    """The span facet: events per bucket of the overview under every filter but the dates, with the link that picks it."""
    if overview is None:
        return []
    return [
        {"label": bucket.label, "count": bucket.matching_any_date, "query": bucket.query}
        for bucket in overview.bars
        if bucket.total or bucket.matching_any_date
    ]

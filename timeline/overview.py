"""
The overview strip's geometry: one bar per year (events in it, and how many match the filters),
period bands behind the bars, decade ticks; and the decade facet beside it. Drawn as SVG by
templates/timeline/index.html.
"""

from dataclasses import dataclass

from timeline.sharing import query_clean


@dataclass
class Bar:
    year: int
    x: float
    y: float
    height: float
    matching_y: float
    matching_height: float
    total: int
    matching: int
    query: str


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
    width: int
    height: int
    bars: list
    bands: list
    ticks: list


OVERVIEW_BAR = 10  # px per year in the SVG's own coordinates; the SVG scales to the page width
OVERVIEW_CHART = 56  # height of the tallest bar
OVERVIEW_LANE = 6  # period bands run in two lanes under the bars, so overlapping periods stay visible


def overview_build(years, periods, query_dict):
    """Geometry of the overview strip: one bar per year, period bands behind them, decade ticks."""
    if not years:
        return None
    first, last = years[0].year, years[-1].year
    by_year = {year.year: year for year in years}
    peak = max(year.total for year in years) or 1
    bars = []
    for number in range(first, last + 1):
        year = by_year.get(number)
        total, matching = (year.total, year.matching) if year else (0, 0)
        query = query_dict.copy()
        query.setlist("date_from", [str(number)])
        query.setlist("date_to", [str(number)])
        height, matching_height = OVERVIEW_CHART * total / peak, OVERVIEW_CHART * matching / peak
        bars.append(Bar(
            year=number, x=(number - first) * OVERVIEW_BAR, total=total, matching=matching,
            y=OVERVIEW_CHART - height, height=height, matching_y=OVERVIEW_CHART - matching_height,
            matching_height=matching_height, query=query_clean(query),
        ))  # fmt: skip
    bands, lane_ends = [], [None, None]
    for number, period in enumerate(periods):
        start = max(period.date_lower.year, first)
        end = min(period.date_upper.year, last)
        if start > end:
            continue
        # The first lane whose last band ended before this one starts; periods come ordered by start.
        lane = next((lane for lane, lane_end in enumerate(lane_ends) if lane_end is None or lane_end < start), 1)
        lane_ends[lane] = end
        bands.append(Band(
            name=period.name, display=period.date_display, x=(start - first) * OVERVIEW_BAR,
            y=OVERVIEW_CHART + 3 + lane * OVERVIEW_LANE, width=(end - start + 1) * OVERVIEW_BAR - 1, colour=number % 5,
        ))  # fmt: skip
    ticks = [(number, (number - first) * OVERVIEW_BAR) for number in range(first, last + 1) if number % 10 == 0]
    height = OVERVIEW_CHART + 3 + 2 * OVERVIEW_LANE + 12
    return Overview(
        first=first, last=last, width=(last - first + 1) * OVERVIEW_BAR, height=height, bars=bars, bands=bands, ticks=ticks
    )


def decades_build(years, query_dict):
    """The decade facet: events per decade under every filter but the dates, with the link that picks it."""
    counts = {}
    for year in years:
        decade = year.year - year.year % 10
        counts[decade] = counts.get(decade, 0) + year.matching_any_date
    decades = []
    for decade, count in sorted(counts.items()):
        query = query_dict.copy()
        query.setlist("date_from", [str(decade)])
        query.setlist("date_to", [str(decade + 9)])
        decades.append({"decade": decade, "count": count, "query": query_clean(query)})
    return decades

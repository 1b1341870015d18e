"""
The visual timeline's axis: time drawn as space, for any window from billions of years to a day.

Pure geometry (windows, zoom steps, ticks, lane packing, positions in percent of the axis width, so
labels keep their size at any screen width) and the bounded reads behind it: at most MAX_MARKS
marks for a window; past that, the turning points as marks and every event counted per bucket in
one query, drawn as clusters. templates/timeline/includes/axis.html draws it as SVG; without
JavaScript its marks, clusters and zoom and pan controls are plain links, and
static/citeline/js/axis.js makes the same markup interactive.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest

from sources.dates import (
    MAX_YEARS,
    MONTHS,
    OPEN_LOWER,
    OPEN_UPPER,
    YEARS_AGO_FROM,
    Day,
    day_number,
    day_parts,
    day_year_expression,
    edtf_bounds,
    edtf_year,
    year_display,
)
from timeline.models import Citation, Event
from timeline.sharing import query_clean
from timeline.tallies import tallied_timeline, year_tallies

MAX_MARKS = 300  # marks sent for one window, whatever the number of events
# Turning points drawn over the clusters: the page weighs the same at 1,000 events as at 100,000.
MAX_CLUSTERED_MARKS = 30
CLUSTER_BUCKETS = 40  # buckets counted across the window when there are more events than that
# Windows this many years wide or wider are snapped to whole years and bucketed by whole years (one a
# year up to CLUSTER_BUCKETS years), so that their counts can come from the per-year tallies
# (timeline.tallies) instead of the window's events: a decade of 100,000 events costs what one of 1,000 does.
TALLIED_YEARS = 10
MAX_LANES = 8  # lanes of labelled marks; past them marks stack unlabelled in the least-filled lane
MAX_GROUP_LANES = 3  # lanes per swimlane when lanes=actor|theme|source
NOMINAL_WIDTH = 880  # px the server packs labels for; narrow screens hide the labels of ordinary marks
LABEL_CHAR = 6.6  # px per character of a 12 px label, on average
LABEL_CHAR_BOLD = 7.4  # turning points are labelled in bold
GAP = 4  # px between neighbours in a lane
TICK_ROOM = 34  # px a four-character tick label needs after its line
NARROWEST_WIDTH = 340  # px of the axis on a 360 px phone
LABEL_MAX_CHARS = 300  # labels are never cut: the link's name must contain what it shows
LANE_HEIGHT = 30
TOP = 24  # ticks and period names above the lanes
MIN_SPAN = 1  # a single day
MAX_SPAN = 2 * MAX_YEARS * 366
LANE_KINDS = ("actor", "theme", "source")
VIEWS = ("axis", "list", "story")
YEAR_STEPS = [1, 2, 5] + [factor * 10**power for power in range(1, 12) for factor in (1, 2, 5)]


class WindowError(ValueError):
    pass


@dataclass(frozen=True)
class Window:
    """The visible stretch of time: first and last day (inclusive day numbers)."""

    lower: int
    upper: int

    @property
    def span(self):
        return self.upper - self.lower + 1

    def edtf(self):
        return window_edtf(self.lower, self.upper)

    def label(self):
        return window_label(self.lower, self.upper)

    def x(self, day):
        """Where a day starts, in percent of the axis width (may fall outside 0–100)."""
        return (day - self.lower) * 100 / self.span

    def zoomed(self, factor, centre=None):
        """The window `factor` times as wide (0.5: zoom in), around centre (default: its middle), snapped as the URL writes it."""
        centre = (self.lower + self.upper) / 2 if centre is None else centre
        span = min(MAX_SPAN, max(MIN_SPAN, round(self.span * factor)))
        lower = round(centre - span / 2)
        return window_parse(window_edtf(lower, lower + span - 1))

    def panned(self, fraction):
        shift = round(self.span * fraction)
        return window_parse(window_edtf(self.lower + shift, self.upper + shift))


def _year(day):
    return day_parts(day)[0]


def window_edtf(lower, upper):
    """
    The window as an EDTF interval at the precision its width needs: years ("2011/2019") for twenty
    years and more, months ("2022-01/2022-06") for two months and more, else days.
    """
    lower = max(lower, -MAX_YEARS * 365)
    upper = min(upper, MAX_YEARS * 365)
    first, last = day_parts(lower), day_parts(upper)
    span = upper - lower + 1
    if span >= 20 * 365 or not (-9999 <= first[0] and last[0] <= 9999):
        return f"{edtf_year(first[0])}/{edtf_year(last[0])}"
    if span >= 62:
        return f"{edtf_year(first[0])}-{first[1]:02d}/{edtf_year(last[0])}-{last[1]:02d}"
    return f"{edtf_year(first[0])}-{first[1]:02d}-{first[2]:02d}/{edtf_year(last[0])}-{last[1]:02d}-{last[2]:02d}"


def window_parse(value):
    """
    A window from `window=` (an EDTF interval, "2011/2019", "Y-66000000/Y-65000000", or one date:
    "2022-02"), or WindowError saying what would work. Each end is read on its own, so ends written
    as long years ("Y-13800000000") work too.
    """
    value = (value or "").strip()
    ends = value.split("/")
    if not value or len(ends) > 2 or any(end in ("", "..") for end in ends):
        raise WindowError(
            f"“{value}” is not a window: give two dates as an EDTF interval, e.g. window=2011/2019 or window=2022-01/2022-06."
        )
    try:
        first, last = edtf_bounds(ends[0]), edtf_bounds(ends[-1])
    except ValidationError as exc:
        raise WindowError(f"window={value}: {exc.messages[0]}") from None
    if first.lower > last.upper:
        raise WindowError(f"window={value} ends before it starts: write the earlier date first.")
    return Window(first.lower, last.upper)


def window_label(lower, upper):
    """The window in words: "2011–2019", "January–June 2022", "24 February – 3 March 2022"."""
    (y1, m1, _), (y2, m2, _) = day_parts(lower), day_parts(upper)
    span = upper - lower + 1
    if span >= 20 * 365 or y1 <= -10000:
        a, b = year_display(y1, era=y1 <= 0 < y2), year_display(y2, era=y1 <= 0 < y2)
        return a if a == b else f"{a} – {b}" if " " in a or " " in b else f"{a}–{b}"
    if span >= 62:
        if y1 == y2:
            return f"{MONTHS[m1 - 1]}–{MONTHS[m2 - 1]} {year_display(y2)}"
        return f"{MONTHS[m1 - 1]} {year_display(y1)} – {MONTHS[m2 - 1]} {year_display(y2)}"
    if lower == upper:
        return Day(lower).display()
    return f"{Day(lower).display()} – {Day(upper).display()}"


class DaysOverlap(Func):
    """
    Whether an event's days [date_lower, date_upper] overlap the window [lower, upper]. On PostgreSQL
    it is written as a range overlap (`&&`) that the GiST index event_days_gist (migration 0013)
    serves, so the database reads the events of the window only; elsewhere, as the two comparisons.
    """

    output_field = BooleanField()

    def __init__(self, lower, upper):
        super().__init__(F("date_lower"), F("date_upper"), Value(lower), Value(upper))

    def as_sql(self, compiler, connection, **extra_context):
        (first, first_params), (last, last_params), (lower, lower_params), (upper, upper_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "postgresql":
            sql = f"int8range({first}, {last}, '[]') && int8range({lower}, {upper}, '[]')"
            return sql, (*first_params, *last_params, *lower_params, *upper_params)
        return f"({last} >= {lower} AND {first} <= {upper})", (*last_params, *lower_params, *first_params, *upper_params)


def matching_in_window(queryset, window):
    """
    The events of `queryset` (filtered, DISTINCT) that overlap `window`, as a query on the event table
    whose filters sit in a correlated EXISTS: no DISTINCT, and the window's condition on the outer
    table, so the database starts from the window (an index) rather than from every matching event.
    """
    return Event.objects.filter(DaysOverlap(window.lower, window.upper), Exists(queryset.filter(pk=OuterRef("pk"))))


def _window_this_year():
    today = datetime.date.today().toordinal()
    return window_parse(window_edtf(today - 182, today + 182))


def window_default(queryset, *, dates=None):
    """
    The whole span of the events, with a little room either side; when none match, the dates the filters
    ask for (From and To both given), else the current year.
    Four walks of an index that each stop at the first matching event (the first start and end, the
    last start and end), in one query: what it costs does not grow with the timeline. `dates`, the
    (lower, upper) days the filters ask for, bounds the walks outside the EXISTS (else a walk from the
    first start would pass every event before date_from).
    """
    if dates is not None and dates[0] > dates[1]:
        return _window_this_year()  # From after To: nothing matches (the page says so), and no range is empty-ended
    matching = Event.objects.filter(Exists(queryset.filter(pk=OuterRef("pk")))).order_by()
    if dates is not None:
        # The comparisons start the walks of date_upper forward and date_lower backward at the dates;
        # the walk of date_lower forward still passes the events that end before date_from.
        matching = matching.filter(DaysOverlap(*dates), date_upper__gte=dates[0], date_lower__lte=dates[1])

    def first(column, descending=False):
        known = matching.filter(**{f"{column}__gt": OPEN_LOWER, f"{column}__lt": OPEN_UPPER})
        return Subquery(known.order_by(f"-{column}" if descending else column).values(column)[:1])

    bounds = (
        Event.objects.order_by()
        .annotate(
            first_start=first("date_lower"), first_end=first("date_upper"),
            last_end=first("date_upper", descending=True), last_start=first("date_lower", descending=True),
        )
        .values_list("first_start", "first_end", "last_end", "last_start")
        .first()
    ) or (None,) * 4  # fmt: skip
    starts, ends = [v for v in bounds[:2] if v is not None], [v for v in bounds[2:] if v is not None]
    if starts and ends:
        first_day, last_day = min(starts), max(ends)
    elif dates is not None and OPEN_LOWER < dates[0] and dates[1] < OPEN_UPPER:
        first_day, last_day = dates  # nothing matches: show the dates asked for, not some other year
    else:
        return _window_this_year()
    pad = max(1, (last_day - first_day + 1) // 30)
    return window_parse(window_edtf(first_day - pad, last_day + pad))


def tick_label(year):
    """A tick's year: "2025", "500 BCE", or deep time short ("66 Ma", "13.8 Ga")."""
    if year > YEARS_AGO_FROM:
        return year_display(year)
    ago = -year
    return f"{ago / 10**9:.3g} Ga" if ago >= 10**9 else f"{ago / 10**6:.3g} Ma"


@dataclass
class Tick:
    x: float
    label: str
    at_far_edge: bool = False  # its label runs back from the line so the frame does not cut it


def ticks_build(window, *, rtl=False):
    """About six to ten labelled ticks: years (or longer) for wide windows, months, then days."""
    span, ticks = window.span, []
    years = span / 365.2425
    if years >= 3:
        step = next((s for s in YEAR_STEPS if years / s <= 10), YEAR_STEPS[-1])
        first_year, last_year = _year(window.lower), _year(window.upper)
        year = (first_year // step + 1) * step
        while year <= last_year and len(ticks) < 14:
            day = day_number(year) if abs(year) <= MAX_YEARS else None
            if day is not None:
                label = tick_label(year) if step >= 10**5 else year_display(year)
                ticks.append(Tick(window.x(day), label))
            year += step
    elif span > 40:
        months = span / 30.44
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 10)
        year, month, _ = day_parts(window.lower)
        index = year * 12 + month  # the month after the window's first
        index = (index + step - 1) // step * step
        while len(ticks) < 14:
            y, m = divmod(index, 12)
            day = day_number(y, m + 1)
            if day > window.upper:
                break
            if day >= window.lower:
                ticks.append(Tick(window.x(day), f"{MONTHS[m][:3]} {year_display(y)}" if m == 0 or not ticks else MONTHS[m][:3]))
            index += step
    else:
        step = next(s for s in (1, 2, 7, 14) if span / s <= 12)
        day = window.lower + (-window.lower) % step
        while day <= window.upper:
            y, m, d = day_parts(day)
            ticks.append(Tick(window.x(day), f"{d} {MONTHS[m - 1][:3]}"))
            day += step
    for tick in ticks:
        tick.at_far_edge = tick.x > 100 - TICK_ROOM * 100 / NARROWEST_WIDTH * max(len(tick.label), 4) / 4
        if rtl:
            tick.x = 100 - tick.x
    return ticks


# --- marks ---------------------------------------------------------------------------------------


def _end_qualifiers(edtf):
    """(start, end) qualifiers of an EDTF date: "", "~", "?" or "%" for each end."""
    ends = edtf.split("/") if "/" in edtf else [edtf, edtf]

    def qualifier(end):
        end = end.strip()
        return end[-1] if end and end[-1] in "~?%" else ""

    return qualifier(ends[0]), qualifier(ends[-1])


@dataclass
class Mark:
    slug: str
    title: str
    date: str
    display: str
    lower: int
    upper: int
    precision: str
    turning_point: bool
    sources: int
    claimed_lower: int | None
    claimed_upper: int | None
    href: str
    x: float = 0  # percent of the axis width, left edge
    width: float = 0
    lane: int = 0
    y: float = 0
    point: bool = False
    open_start: bool = False
    open_end: bool = False
    soft_start: str = ""  # "", "~", "?" or "%"
    soft_end: str = ""
    clipped_start: bool = False
    clipped_end: bool = False
    whisker: tuple | None = None  # (x1, x2) in percent
    label_x: float = 0
    label_anchor: str = "start"
    labelled: bool = True
    selected: bool = False

    @property
    def accessible_name(self):
        sources = f"{self.sources} source{'' if self.sources == 1 else 's'}"
        return f"{self.display}: {self.title}{', turning point' if self.turning_point else ''}, {sources}"

    @property
    def mask(self):
        """Which fade the bar wears: s (start), e (end), b (both), or ""."""
        start = self.open_start or self.soft_start in ("~", "?", "%")
        end = self.open_end or self.soft_end in ("~", "?", "%")
        return "b" if start and end else "s" if start else "e" if end else ""

    @property
    def uncertain(self):
        return "?" in (self.soft_start, self.soft_end) or "%" in (self.soft_start, self.soft_end)


def mark_place(mark, window, *, rtl=False):
    """A mark's position: a day (or anything narrower than a pixel or so) is a point; the rest are bars as wide as their span."""
    mark.soft_start, mark.soft_end = _end_qualifiers(mark.date)
    mark.open_start, mark.open_end = mark.lower == OPEN_LOWER, mark.upper == OPEN_UPPER
    lower = window.lower if mark.open_start else mark.lower
    upper = window.upper if mark.open_end else mark.upper
    if mark.open_start and mark.open_end:
        lower, upper = window.lower, window.upper
    mark.clipped_start, mark.clipped_end = lower < window.lower, upper > window.upper
    start, end = window.x(max(lower, window.lower)), window.x(min(upper, window.upper) + 1)
    if mark.open_start:
        start = max(0.0, window.x(mark.upper + 1) - 12) if not mark.open_end else start
    if mark.open_end:
        end = min(100.0, window.x(mark.lower) + 12) if not mark.open_start else end
    mark.point = mark.precision == "day" and not ("/" in mark.date) or (end - start) < 0.35
    if mark.point:
        middle = window.x((lower + upper + 1) / 2)
        start = end = min(100.0, max(0.0, middle))
    if (
        mark.claimed_lower is not None
        and mark.claimed_upper is not None
        and (mark.claimed_lower, mark.claimed_upper) != (mark.lower, mark.upper)
    ):
        low, high = min(mark.claimed_lower, mark.lower), max(mark.claimed_upper, mark.upper)
        if low not in (OPEN_LOWER,) and high not in (OPEN_UPPER,):
            mark.whisker = (max(0.0, min(100.0, window.x(low))), max(0.0, min(100.0, window.x(high + 1))))
    if rtl:
        start, end = 100 - end, 100 - start
        mark.open_start, mark.open_end = mark.open_end, mark.open_start
        mark.soft_start, mark.soft_end = mark.soft_end, mark.soft_start
        mark.clipped_start, mark.clipped_end = mark.clipped_end, mark.clipped_start
        if mark.whisker:
            mark.whisker = (100 - mark.whisker[1], 100 - mark.whisker[0])
    mark.x, mark.width = start, end - start
    return mark


def lanes_pack(marks, *, max_lanes=MAX_LANES, width=NOMINAL_WIDTH, rtl=False):
    """
    Greedy packing, turning points first and then in time order: each mark with its label goes in the
    first lane where it overlaps nothing; when every lane is taken, it goes unlabelled where its body fits
    (or in the least crowded lane). A label near the far edge runs back from the mark's end, so it takes
    room before the mark too. Returns the number of lanes used.
    """
    lanes = []  # per lane, the (left, right) pixel spans taken, in reading order (mirrored in RTL)

    def free(spans, left, right):
        return all(right + GAP <= taken_left or taken_right + GAP <= left for taken_left, taken_right in spans)

    for mark in sorted(marks, key=lambda m: (not m.turning_point, (100 - m.x - m.width) if rtl else m.x)):
        start_px = (100 - mark.x - mark.width if rtl else mark.x) * width / 100
        body_px = max(mark.width * width / 100, 10)
        label_px = min(len(mark.title), LABEL_MAX_CHARS) * (LABEL_CHAR_BOLD if mark.turning_point else LABEL_CHAR) + 8
        runs_back = start_px + label_px > width
        if runs_back:
            left, right = min(start_px, start_px + body_px - label_px), start_px + body_px
        else:
            left, right = start_px, start_px + max(body_px, label_px)
        lane = next((number for number, spans in enumerate(lanes) if free(spans, left, right)), None)
        if lane is None and len(lanes) < max_lanes:
            lane = len(lanes)
            lanes.append([])
        if lane is None:
            mark.labelled = False
            left, right = start_px, start_px + body_px
            fits = (number for number, spans in enumerate(lanes) if free(spans, left, right))
            lane = next(fits, min(range(len(lanes)), key=lambda number: len(lanes[number])))
        lanes[lane].append((left, right))
        mark.lane = lane
        if rtl:
            mark.label_x, mark.label_anchor = (mark.x, "end") if runs_back else (mark.x + mark.width, "start")
        else:
            mark.label_x, mark.label_anchor = (mark.x + mark.width, "end") if runs_back else (mark.x, "start")
    return len(lanes)


@dataclass
class Cluster:
    lower: int
    upper: int
    count: int
    x: float
    label: str
    query: str = ""
    radius: float = 0


@dataclass
class Band:
    name: str
    display: str
    x: float
    width: float
    colour: int

    @property
    def named(self):
        """Whether its name fits inside it at NOMINAL_WIDTH; a narrower band says it in its tooltip only."""
        return self.width / 100 * NOMINAL_WIDTH >= len(self.name) * LABEL_CHAR + 2 * GAP


@dataclass
class Group:
    name: str
    marks: list = field(default_factory=list)
    lanes: int = 1
    y: float = 0


def _sources_subquery():
    evidence = Citation.objects.evidence().filter(event=OuterRef("pk")).order_by().values("event")
    return {
        "mark_sources": Subquery(evidence.annotate(n=Count("passage__source", distinct=True)).values("n")[:1]),
        "mark_claimed_lower": Subquery(evidence.annotate(m=Min("claimed_lower")).values("m")[:1]),
        "mark_claimed_upper": Subquery(evidence.annotate(m=Max("claimed_upper")).values("m")[:1]),
    }


MARK_FIELDS = ("slug", "title", "date", "display_date", "date_lower", "date_upper", "date_precision", "is_turning_point")


def _marks_read(queryset, limit):
    rows = (
        queryset.select_related(None)
        .prefetch_related(None)
        .order_by("date_lower", "date_upper", "title", "pk")
        .only(*MARK_FIELDS)
        .annotate(**_sources_subquery())[:limit]
    )
    return [
        Mark(
            slug=event.slug, title=event.title, date=event.date, display=event.date_display, lower=event.date_lower,
            upper=event.date_upper, precision=event.date_precision, turning_point=event.is_turning_point,
            sources=event.mark_sources or 0, claimed_lower=event.mark_claimed_lower, claimed_upper=event.mark_claimed_upper,
            href=event.get_absolute_url(),
        )
        for event in rows
    ]  # fmt: skip


def window_years(window):
    """
    (first, last) year of a window of TALLIED_YEARS years or more that starts on 1 January and ends on
    31 December (axis_build snaps wide windows so), counted in buckets of whole years; None otherwise.
    """
    first, last = _year(window.lower), _year(window.upper)
    if last - first + 1 < TALLIED_YEARS or window.lower != day_number(first) or window.upper != day_number(last + 1) - 1:
        return None
    return first, last


def window_snapped(window):
    """A window of TALLIED_YEARS years or more widened to whole years (its EDTF names years already); narrower ones as they are."""
    if window.span < TALLIED_YEARS * 365:
        return window
    first, last = _year(window.lower), _year(window.upper)
    return Window(day_number(first), day_number(last + 1) - 1) if abs(first) <= MAX_YEARS and abs(last) < MAX_YEARS else window


def clusters_count(queryset, window, buckets=CLUSTER_BUCKETS, *, tallies_of=None):
    """
    Events of the window per bucket (an event counts where it starts, or at the window's start): (first
    day, last day, count) of each bucket that holds some. A window of whole years, TALLIED_YEARS or more,
    has buckets of whole years; `tallies_of` (a timeline whose published events `queryset` is, unfiltered)
    then reads them from its kept per-year tallies, without touching its events. Otherwise one query
    over the events of the window only (matching_in_window).
    """
    years = window_years(window)
    if years is None:
        return _clusters_count_days(queryset, window, buckets)
    first, last = years
    size = -(-(last - first + 1) // buckets)
    if tallies_of is not None:
        counts = _bucket_counts_tallied(tallies_of, first, last, size)
    else:
        start_year = Case(
            When(date_lower=OPEN_LOWER, then=Value(first)),
            default=day_year_expression("date_lower"),
            output_field=BigIntegerField(),
        )
        bucket = ExpressionWrapper(
            (Greatest(start_year, Value(first)) - Value(first)) / Value(size), output_field=BigIntegerField()
        )
        rows = (
            matching_in_window(queryset, window).order_by().annotate(bucket=bucket).values("bucket").annotate(count=Count("pk"))
        )
        counts = {int(row["bucket"]): row["count"] for row in rows}
    return [
        (day_number(first + index * size), min(window.upper, day_number(first + (index + 1) * size) - 1), count)
        for index, count in sorted(counts.items())
        if count
    ]


def _bucket_counts_tallied(timeline, first, last, size):
    """
    {bucket: events} from the per-year tallies: bucket 0 holds the events that start by its last year
    less those that end before the window; bucket i, those that start in it.
    """
    starts, ends = year_tallies(timeline)
    counts = {0: sum(n for year, n in starts.items() if year < first + size) - sum(n for year, n in ends.items() if year < first)}
    for year, n in starts.items():
        if first + size <= year <= last:
            index = (year - first) // size
            counts[index] = counts.get(index, 0) + n
    return counts


def _clusters_count_days(queryset, window, buckets):
    size = -(-window.span // buckets)
    bucket = ExpressionWrapper(
        (Greatest(F("date_lower"), Value(window.lower)) - Value(window.lower)) / Value(size), output_field=BigIntegerField()
    )
    rows = matching_in_window(queryset, window).order_by().annotate(bucket=bucket).values("bucket").annotate(count=Count("pk"))
    counts = {}
    for row in rows:
        index = min(max(int(row["bucket"]), 0), buckets - 1)
        counts[index] = counts.get(index, 0) + row["count"]
    return [
        (window.lower + index * size, min(window.upper, window.lower + (index + 1) * size - 1), count)
        for index, count in sorted(counts.items())
    ]


@dataclass
class Axis:
    window: Window
    whole: Window
    rtl: bool
    marks: list
    clusters: list
    bands: list
    ticks: list
    groups: list
    height: int
    total: int  # events in the window
    lanes_by: str
    view: str
    query: str  # the query string of the current view, without window=
    error: str = ""
    zoom_in: str | None = None
    zoom_out: str | None = None
    earlier: str = ""
    later: str = ""
    whole_query: str = ""
    selected: object = None  # the selected event (card or story step)
    previous: object = None
    following: object = None
    clustered: bool = False
    query_dict: object = None
    previous_query: str = ""
    following_query: str = ""
    close_query: str = ""
    story_query: str = ""
    leave_query: str = ""
    turning_query: str = ""
    lanes_links: list = field(default_factory=list)

    @property
    def from_iso(self):
        return Day(self.window.lower).isoformat()

    @property
    def to_iso(self):
        return Day(self.window.upper).isoformat()


def _filtered_dates(filterset):
    """(first, last) day the valid date filters keep, or None when there are none."""
    filterset.errors  # validates: cleaned_data holds the valid values only
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    first, last = data.get("date_from"), data.get("date_to")
    if not first and not last:
        return None
    return (first.lower if first else OPEN_LOWER, last.upper if last else OPEN_UPPER)


def _query(query_dict, **changes):
    query = query_dict.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [value])
    return query_clean(query)


def axis_build(filterset, *, query_dict, timeline=None, periods=(), view=None, max_marks=MAX_MARKS, tallies_of=None):
    """
    Everything the axis partial draws for the filtered events and `window=` (default: their whole span):
    marks (at most max_marks), clusters for the rest, period bands, ticks, lanes, and the links
    that zoom, pan and select. `timeline` decides the direction (right to left for Persian, Arabic, Hebrew).
    `tallies_of`: the timeline whose published events the filterset's queryset is (never with drafts);
    unfiltered, a wide window's buckets are then read from its kept tallies.
    """
    if timeline is None and filterset.is_bound and filterset.is_valid():
        timeline = filterset.form.cleaned_data.get("timeline")
    rtl = getattr(timeline, "direction", "ltr") == "rtl"
    queryset = filterset.qs
    whole = window_default(queryset, dates=_filtered_dates(filterset))
    error = ""
    raw = query_dict.get("window", "")
    window = whole
    if raw.strip():
        try:
            window = window_parse(raw)
        except WindowError as exc:
            error = str(exc)
    window = window_snapped(window)
    view = view if view in VIEWS else (query_dict.get("view") if query_dict.get("view") in VIEWS else "axis")
    lanes_by = query_dict.get("lanes") if query_dict.get("lanes") in LANE_KINDS else ""

    # Three queries whatever the number of events: the span (above), the count per bucket, then the
    # marks (every one when they fit in max_marks; else the turning points, and the rest as clusters).
    buckets = clusters_count(queryset, window, tallies_of=tallied_timeline(filterset, tallies_of))
    total = sum(count for _, _, count in buckets)
    clustered = total > max_marks
    in_window = matching_in_window(queryset, window)
    if clustered:
        marks = _marks_read(in_window.filter(is_turning_point=True), min(max_marks // 3, MAX_CLUSTERED_MARKS))
        clusters = [Cluster(lower=low, upper=high, count=n, x=0, label="") for low, high, n in buckets]
    else:
        marks, clusters = _marks_read(in_window, max_marks), []
    for mark in marks:
        mark_place(mark, window, rtl=rtl)

    selected_slug = query_dict.get("event", "")
    for mark in marks:
        mark.selected = mark.slug == selected_slug

    groups = []
    if lanes_by and marks and not clustered:
        groups = _groups(marks, lanes_by)
        y = TOP
        for group in groups:
            group.lanes = lanes_pack(group.marks, max_lanes=MAX_GROUP_LANES, rtl=rtl)
            group.y = y
            y += 18 + group.lanes * LANE_HEIGHT
        height = y + 8
        placed = []
        for group in groups:
            for mark in group.marks:
                copy = Mark(**{name: getattr(mark, name) for name in mark.__dataclass_fields__})
                copy.y = group.y + 18 + mark.lane * LANE_HEIGHT
                placed.append(copy)
        marks = sorted(placed, key=lambda m: (m.lower, m.upper, m.title))
    else:
        lanes = lanes_pack(marks, rtl=rtl) if marks else 1
        for mark in marks:
            mark.y = TOP + mark.lane * LANE_HEIGHT
        height = TOP + max(lanes, 2) * LANE_HEIGHT + 8

    base = _query(query_dict, window=None, page=None)
    for cluster in clusters:
        cluster.x = window.x((cluster.lower + cluster.upper + 1) / 2)
        if rtl:
            cluster.x = 100 - cluster.x
        cluster.label = window_label(cluster.lower, cluster.upper)
        cluster.query = _query(query_dict, window=window_edtf(cluster.lower, cluster.upper), page=None)
        cluster.radius = min(16, 7 + cluster.count**0.5)
    if clustered:
        height = max(height, TOP + 2 * LANE_HEIGHT + 40)

    bands = []
    for number, period in enumerate(periods):
        if period.date_upper < window.lower or period.date_lower > window.upper:
            continue
        start, end = window.x(max(period.date_lower, window.lower)), window.x(min(period.date_upper, window.upper) + 1)
        if rtl:
            start, end = 100 - end, 100 - start
        bands.append(Band(name=period.name, display=period.date_display, x=start, width=max(end - start, 0.2), colour=number % 5))

    axis = Axis(
        window=window, whole=whole, rtl=rtl, marks=marks, clusters=clusters, bands=bands, ticks=ticks_build(window, rtl=rtl),
        groups=groups, height=height, total=total, lanes_by=lanes_by, view=view, query=base, error=error, clustered=clustered,
    )  # fmt: skip
    narrower, wider = window.zoomed(0.5), window.zoomed(2)
    if narrower.span < window.span:
        axis.zoom_in = _query(query_dict, window=narrower.edtf(), page=None)
    if wider.span > window.span:
        axis.zoom_out = _query(query_dict, window=wider.edtf(), page=None)
    earlier, later = window.panned(-0.5), window.panned(0.5)
    axis.earlier = _query(query_dict, window=earlier.edtf(), page=None)
    axis.later = _query(query_dict, window=later.edtf(), page=None)
    axis.whole_query = base
    axis.query_dict = query_dict
    axis.close_query = _query(query_dict, event=None, page=None)
    axis.story_query = _query(query_dict, view="story", event=None, page=None)
    axis.leave_query = _query(query_dict, view=None, event=None, page=None)
    axis.turning_query = _query(
        query_dict, turning_point=None if query_dict.get("turning_point") else "true", event=None, page=None
    )
    axis.lanes_links = [
        (kind, _query(query_dict, lanes=kind if kind != "none" else None, window=window.edtf(), page=None))
        for kind in (*LANE_KINDS, "none")
        if kind != (lanes_by or "none")
    ]
    if selected_slug or view == "story":
        _select(axis, filterset, selected_slug, view)
    return axis


def _groups(marks, kind):
    """Swimlanes: one per actor, theme or source of the marks (an event in several is drawn in each), then "none"."""
    relation = {"actor": "actors", "theme": "themes", "source": "citations__passage__source"}[kind]
    name_field = "title" if kind == "source" else "name"
    rows = (
        Event.objects.filter(slug__in=[mark.slug for mark in marks])
        .values_list("slug", f"{relation}__{name_field}")
        .order_by(f"{relation}__{name_field}")
        .distinct()
    )
    by_name, seen = {}, set()
    for slug, name in rows:
        if name is None:
            continue
        by_name.setdefault(name, set()).add(slug)
        seen.add(slug)
    groups = []
    for name in sorted(by_name):
        groups.append(Group(name=name, marks=[mark for mark in marks if mark.slug in by_name[name]]))
    rest = [mark for mark in marks if mark.slug not in seen]
    if rest:
        groups.append(Group(name="None", marks=rest))
    # Each swimlane packs its own copy of a mark.
    for group in groups:
        group.marks = [Mark(**{name: getattr(mark, name) for name in mark.__dataclass_fields__}) for mark in group.marks]
    return groups


def _select(axis, filterset, slug, view):
    """The selected event (its card) or the story's current step, with its neighbours in the filtered order."""
    queryset = filterset.qs
    event = None
    if slug:
        event = filterset.queryset.for_reader().filter(slug=slug).first()
    if event is None and view == "story":
        first = queryset.order_by("date_lower", "date_upper", "title", "pk").values_list("pk", flat=True).first()
        event = filterset.queryset.for_reader().filter(pk=first).first() if first else None
    axis.selected = event
    if event is not None and view == "story":
        axis.previous, axis.following = _neighbours(queryset, event)
        axis.previous_query = axis_step_query(axis.query_dict, axis.previous)
        axis.following_query = axis_step_query(axis.query_dict, axis.following)
        for mark in axis.marks:
            mark.selected = mark.slug == event.slug


def _neighbours(queryset, event):
    """The events just before and after `event` among the filtered ones, in timeline order."""
    rows = (
        queryset.select_related(None)
        .prefetch_related(None)
        .only("slug", "title", "date", "display_date", "date_lower", "date_upper")
    )
    key = (event.date_lower, event.date_upper, event.title)
    before = (
        Q(date_lower__lt=key[0])
        | Q(date_lower=key[0], date_upper__lt=key[1])
        | Q(date_lower=key[0], date_upper=key[1], title__lt=key[2])
    )
    after = (
        Q(date_lower__gt=key[0])
        | Q(date_lower=key[0], date_upper__gt=key[1])
        | Q(date_lower=key[0], date_upper=key[1], title__gt=key[2])
    )
    previous = rows.filter(before).order_by("-date_lower", "-date_upper", "-title").first()
    following = rows.filter(after).order_by("date_lower", "date_upper", "title").first()
    return previous, following


def axis_step_query(query_dict, event):
    """The query string that selects `event` (or nothing) and keeps everything else."""
    return _query(query_dict, event=event.slug if event else None, page=None) if event else ""

"""
Honest dates: EDTF strings (Library of Congress Extended Date/Time Format, levels 0–1, and the
`Y` years of any size) turned into the bounds used for sorting and filtering, their precision, and
the words readers see.

"2015" is the whole of 2015, "2022-07" the whole of July 2022; no day is ever invented. Bounds
are signed day numbers of the proleptic Gregorian calendar (day 1 is 1 January of 1 CE, as
`datetime.date.toordinal()`), so any era orders and filters: "-0043-03-15" (the Ides of March,
44 BCE, in astronomical numbering where 0000 is 1 BCE), "Y12000" or "Y-13800000000". An open or
unknown end is OPEN_LOWER or OPEN_UPPER, beyond every date.
"""

import datetime
import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import models
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

MONTHS = ("January February March April May June July August September October November December").split()
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# EDTF level 2 sub-year groupings: quarters, quadrimesters (thirds) and semesters (halves) of a year,
# as words and the months they cover. A quarter is never a day: "Q3 2019" is 2019-35, July–September.
SUB_YEAR = {
    33: ("Q1", 1, 3), 34: ("Q2", 4, 6), 35: ("Q3", 7, 9), 36: ("Q4", 10, 12),
    37: ("the first third of", 1, 4), 38: ("the second third of", 5, 8), 39: ("the last third of", 9, 12),
    40: ("the first half of", 1, 6), 41: ("the second half of", 7, 12),
}  # fmt: skip
# A point known within part of a year ("mid-2015"), stored as EDTF level 2 "one of a set": [2015-04..2015-09].
PART_OF_YEAR = {"early": ("01", "04"), "mid": ("04", "09"), "middle of": ("04", "09"), "late": ("09", "12")}
PART_WORDS = {("01", "04"): "early", ("04", "09"): "mid-", ("09", "12"): "late"}
# "[2015-04..2015-09]": one day of the set (here, of the months April to September 2015), not all of them.
SET_RE = re.compile(r"^\[(?P<first>[^\[\].,]+)\.\.(?P<last>[^\[\].,]+)\]$")

# A single endpoint, e.g. 2019-06-28, 2022-07, 2015~, 199X, 19XX, 2001-21 (spring 2001), -0043-03-15,
# -02XX, Y-13800000000. An unspecified month or day (2015-XX, 2015-06-XX) is as precise as the part before it.
ENDPOINT_RE = re.compile(
    r"^(?:Y(?P<long_year>-?\d+)|(?P<year>-?\d[\dX]{3}))"
    r"(?:-(?:(?P<month>\d{2})|XX)(?:-(?:(?P<day>\d{2})|XX))?)?(?P<qualifier>[~?%])?$"
)

# A year beyond ±9999 as EDTF writes it, "Y" and five digits or more, with an optional qualifier: Y-170000, Y12000?.
LONG_YEAR_RE = re.compile(r"^Y(?P<year>-?[1-9]\d{4,})(?P<qualifier>[~?%])?$")
# "-12000", "12000-06": a year of five digits or more written without EDTF's Y.
LONG_YEAR_WITHOUT_Y_RE = re.compile(r"^-?\d{5,}(?:-|[~?%]?$)")

DAYS_PER_400_YEARS = 146097  # the Gregorian calendar repeats itself every 400 years, to the day
OPEN_LOWER = -(2**62)  # an open or unknown start: before every date (fits a BigIntegerField)
OPEN_UPPER = 2**62  # an open or unknown end: after every date
MAX_YEARS = 10**11  # a hundred billion years either way; beyond that no bound is stored
YEARS_AGO_FROM = -999_999  # from a million years back, years read as "65 million years ago"


def day_number(year, month=1, day=1):
    """The day number of a proleptic Gregorian day in any year (astronomical: 0 is 1 BCE); ValueError for a day that does not exist."""
    cycles, offset = divmod(year - 1, 400)
    return cycles * DAYS_PER_400_YEARS + datetime.date(offset + 1, month, day).toordinal()


def day_parts(number):
    """(year, month, day) of a day number: the inverse of day_number."""
    cycles, offset = divmod(number - 1, DAYS_PER_400_YEARS)
    day = datetime.date.fromordinal(offset + 1)
    return cycles * 400 + day.year, day.month, day.day


def year_last_day(year):
    return day_number(year, 12, 31)


def edtf_year(year):
    """An astronomical year as EDTF writes it: "2015", "0000" (1 BCE), "-0043" (44 BCE), "Y-65000000", "Y12000"."""
    if -9999 <= year <= 9999:
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return f"Y{year}"


@dataclass(frozen=True, order=True)
class Day:
    """One bound as readers and exports need it: its year, its parts, a datetime.date when there is one."""

    number: int

    @property
    def is_open(self):
        return self.number in (OPEN_LOWER, OPEN_UPPER)

    @property
    def year(self):
        """Astronomical year (0 is 1 BCE, -43 is 44 BCE); None for an open end."""
        return None if self.is_open else day_parts(self.number)[0]

    def as_date(self):
        """The datetime.date of this day, or None when it is open or outside 1–9999 CE."""
        if self.is_open or not 1 <= self.number <= datetime.date.max.toordinal():
            return None
        return datetime.date.fromordinal(self.number)

    def isoformat(self):
        """ISO 8601, expanded for years before 1 CE or after 9999 ("-0043-03-15", "+12000-01-01"); "" when open."""
        if self.is_open:
            return ""
        year, month, day = day_parts(self.number)
        if year < 0:
            return f"-{-year:04d}-{month:02d}-{day:02d}"
        return f"{'+' if year > 9999 else ''}{year:04d}-{month:02d}-{day:02d}"

    def display(self):
        """The day in words: "15 March 44 BCE", "1 January 2015"."""
        if self.is_open:
            return "an open end"
        year, month, day = day_parts(self.number)
        if year <= YEARS_AGO_FROM:
            return year_display(year)
        return f"{day} {MONTHS[month - 1]} {year_display(year)}"


class DayOf:
    """
    A Day read from an attribute holding a day number: `first = DayOf("lower")`. The one definition of
    first and last for every holder of bounds (DateBounds, DateMention, an event's or period's date).
    """

    def __init__(self, attribute, doc):
        self.attribute, self.__doc__ = attribute, doc

    def __get__(self, obj, owner=None):
        return self if obj is None else Day(getattr(obj, self.attribute))


FIRST_DAY_DOC = "The first day it can mean (sources.dates.Day: year, as_date(), isoformat())."
LAST_DAY_DOC = "The last day it can mean (sources.dates.Day)."


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    SEASON = "season", "season"
    YEAR = "year", "year"
    DECADE = "decade", "decade"
    CENTURY = "century", "century"
    MILLENNIUM = "millennium", "millennium"

    @property
    def rank(self):
        """Coarser precisions rank higher: an interval is as precise as its vaguest end."""
        return list(Precision).index(self)


@dataclass(frozen=True)
class DateBounds:
    """What an EDTF string means: first and last possible day (day numbers), and how precise it is."""

    edtf: str
    lower: int
    upper: int
    precision: Precision
    approximate: bool = False
    uncertain: bool = False
    is_interval: bool = False
    open_start: bool = False
    open_end: bool = False
    # One point of time known only to lie between lower and upper ("sometime in mid-2015"), not a span.
    is_set: bool = False
    calendar: str = "gregorian"  # the calendar the date was written in; bounds are always Gregorian

    first = DayOf("lower", FIRST_DAY_DOC)
    last = DayOf("upper", LAST_DAY_DOC)


def _to_day(struct, fallback):
    if struct in (None, "") or isinstance(struct, float):  # open or unknown end: ±inf
        return fallback
    if abs(struct.tm_year) > MAX_YEARS:
        raise ValueError(f"year {struct.tm_year} is more than {MAX_YEARS:,} years from 1 CE")
    # An impossible day (2023-02-29) raises ValueError: the caller refuses the date.
    return day_number(struct.tm_year, struct.tm_mon, struct.tm_mday)


def _endpoint_precision(text):
    match = ENDPOINT_RE.match(text)
    if not match:
        return Precision.DAY
    year = match["year"] or ""
    if year.endswith("XXX"):
        return Precision.MILLENNIUM
    if year.endswith("XX"):
        return Precision.CENTURY
    if year.endswith("X"):
        return Precision.DECADE
    if match["day"]:
        return Precision.DAY
    if match["month"]:
        return Precision.SEASON if int(match["month"]) > 12 else Precision.MONTH
    return Precision.YEAR


def edtf_bounds(value):
    """Parse an EDTF string, or raise a ValidationError saying what is wrong and what would work."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Enter a date in EDTF, e.g. 2015, 2022-07, 2019-06-28, 2007~ or 2011/2019.", code="required")
    if value.startswith("["):
        return _set_bounds(value)
    if "/" in value:
        return _interval_bounds(value)
    if match := LONG_YEAR_RE.match(value):
        return _long_year_bounds(value, int(match["year"]), match["qualifier"] or "")
    match = ENDPOINT_RE.match(value)
    if match and match["qualifier"] and match["month"] and int(match["month"]) > 12:
        # The edtf library does not read a qualified sub-year grouping ("2019-35?"); EDTF level 2 allows it.
        unqualified = edtf_bounds(value[:-1])
        qualifier = match["qualifier"]
        return replace(unqualified, edtf=value, approximate=qualifier in "~%", uncertain=qualifier in "?%")
    try:
        parsed = parse_edtf(value)
    except (EDTFParseException, ValueError, TypeError, AttributeError) as exc:
        if LONG_YEAR_WITHOUT_Y_RE.match(value):
            raise ValidationError(
                "“%(value)s” is not a valid EDTF date: EDTF writes a year beyond ±9999 with a Y in front of it, "
                "and the year alone (e.g. Y-12000 for 12,001 BCE, Y12000).",
                code="invalid_edtf",
                params={"value": value},
            ) from exc
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date (%(reason)s). Use YYYY, YYYY-MM or YYYY-MM-DD, "
            "add ~ for approximate or ? for uncertain, and A/B for an interval "
            "(e.g. 2015, 2022-07, 2007~, 2011/2019, ../1999).",
            code="invalid_edtf",
            params={"value": value, "reason": str(exc).split(":", 1)[-1].strip().rstrip(".")},
        ) from exc
    try:
        lower = _to_day(parsed.lower_strict(), OPEN_LOWER)
        upper = _to_day(parsed.upper_strict(), OPEN_UPPER)
    except ValueError as exc:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date (%(reason)s). Use a day that exists in its month, e.g. 2024-02-29 "
            "but not 2023-02-29, and a year within a hundred billion years of 1 CE.",
            code="invalid_edtf",
            params={"value": value, "reason": str(exc)},
        ) from exc
    return DateBounds(
        edtf=value,
        lower=lower,
        upper=upper,
        precision=_endpoint_precision(value),
        approximate=any(q in value for q in "~%"),
        uncertain=any(q in value for q in "?%"),
    )


def _long_year_bounds(value, year, qualifier):
    """A "Y" year, read here: the edtf library reads none with a qualifier ("Y-170000?")."""
    if abs(year) > MAX_YEARS:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date: its year is more than %(max)s years from 1 CE, beyond what Citeline "
            "stores. Use a year within a hundred billion years of 1 CE.",
            code="invalid_edtf",
            params={"value": value, "max": f"{MAX_YEARS:,}"},
        )
    return DateBounds(
        edtf=value,
        lower=day_number(year),
        upper=year_last_day(year),
        precision=Precision.YEAR,
        approximate=qualifier in ("~", "%"),
        uncertain=qualifier in ("?", "%"),
    )


def _interval_bounds(value):
    """
    "A/B": each end is read alone, as a single date, so that an interval accepts every end a single date
    does (the edtf library reads no interval between "Y" years, Y-170000/Y-160000, nor a season's).
    An open or unknown end (../2015, /2015) can mean any date: no guessed bound.
    """
    ends = value.split("/")
    if len(ends) != 2 or ends == ["", ""]:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF interval: write one start and one end, A/B, e.g. 2011/2019, "
            "../1999 (before 2000) or 2022-02-24/.. (since 24 February 2022).",
            code="invalid_edtf",
            params={"value": value},
        )
    start, end = (None if text in ("..", "") else _interval_end_bounds(value, text) for text in ends)
    for bounds in (start, end):
        if bounds and bounds.is_set:
            raise ValidationError(
                "“%(value)s”: an interval's ends are single dates, not sets.", code="invalid_edtf", params={"value": value}
            )
    lower = start.lower if start else OPEN_LOWER
    upper = end.upper if end else OPEN_UPPER
    if lower > upper:
        raise ValidationError(
            "“%(value)s” ends before it starts: put the earlier date first.",
            code="reversed_interval",
            params={"value": value},
        )
    precisions = [bounds.precision for bounds in (start, end) if bounds]
    return DateBounds(
        edtf=value,
        lower=lower,
        upper=upper,
        precision=max(precisions, key=lambda p: p.rank) if precisions else Precision.YEAR,
        approximate=any(bounds.approximate for bounds in (start, end) if bounds),
        uncertain=any(bounds.uncertain for bounds in (start, end) if bounds),
        is_interval=True,
        open_start=start is None,
        open_end=end is None,
    )


def _set_bounds(value):
    """
    "[2015-04..2015-09]" (EDTF level 2, one of a set): one point between the first day of the first
    member and the last of the last. Members may carry a qualifier ("[2015-04?..2015-09?]", probably
    mid-2015), which EDTF level 2 allows and the edtf library does not read: each member is read alone.
    """
    match = SET_RE.match(value)
    if not match:
        raise ValidationError(
            "“%(value)s” is not a set Citeline can read. Write one of a range of dates as [first..last], e.g. "
            "[2015-04..2015-09] for sometime between April and September 2015.",
            code="invalid_edtf",
            params={"value": value},
        )
    first, last = edtf_bounds(match["first"]), edtf_bounds(match["last"])
    if first.is_interval or last.is_interval or first.is_set or last.is_set:
        raise ValidationError("“%(value)s”: a set's ends are single dates.", code="invalid_edtf", params={"value": value})
    if first.lower > last.upper:
        raise ValidationError(
            "“%(value)s” ends before it starts: put the earlier date first.", code="reversed_interval", params={"value": value}
        )
    rank = max(first.precision.rank, last.precision.rank)
    if first.first.year == last.last.year and rank <= Precision.SEASON.rank:
        precision = Precision.SEASON  # part of one year
    else:
        precision = list(Precision)[max(rank, Precision.YEAR.rank)]
    return DateBounds(
        edtf=value,
        lower=first.lower,
        upper=last.upper,
        precision=precision,
        approximate=first.approximate or last.approximate,
        uncertain=first.uncertain or last.uncertain,
        is_set=True,
    )


def _interval_end_bounds(value, text):
    try:
        return edtf_bounds(text)
    except ValidationError as exc:
        # The whole interval is named first: the editor typed it, not its end alone.
        raise ValidationError(f"In “{value}”: {exc.messages[0]}", code=exc.code) from exc


def validate_edtf(value):
    """Model field validator."""
    edtf_bounds(value)


def _number_words(count, unit):
    return f"{count / unit:.3g}".rstrip(".")


def year_display(year, *, era=False):
    """
    An astronomical year as historians write it: "44 BCE" (-43), "1 BCE" (0), "14 CE", "2015",
    "12,000", "65 million years ago". CE is written for years before 1000, where BCE is near, or
    when `era` asks for it (the CE end of an interval that starts BCE).
    """
    if year <= YEARS_AGO_FROM:
        ago = -year
        if ago >= 10**9:
            return f"{_number_words(ago, 10**9)} billion years ago"
        return f"{_number_words(ago, 10**6)} million years ago"
    if year <= 0:
        return f"{1 - year:,} BCE" if 1 - year >= 10000 else f"{1 - year} BCE"
    words = f"{year:,}" if year > 9999 else str(year)
    return f"{words} CE" if era or year < 1000 else words


def _ordinal(number):
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class _Endpoint:
    year: int | None  # None for a year with X in it
    words: str
    plain_year: bool  # a bare year, no month, day or qualifier: "500–300 BCE" can share its era
    bce: bool
    qualifier: str | None


def _endpoint_read(text, *, era=False):
    match = ENDPOINT_RE.match(text)
    if not match:
        return _Endpoint(None, text, False, False, None)
    month, day, qualifier = match["month"], match["day"], match["qualifier"]
    if match["long_year"] is not None:
        year, written = int(match["long_year"]), None
    else:
        written = match["year"]
        year = None if "X" in written else int(written)
    bce = written.startswith("-") if written else year <= 0
    if written and written.endswith("XXX"):
        number = int(written.rstrip("X").lstrip("-") or 0)
        words = f"{_ordinal(number + 1)} millennium BCE" if bce else f"{number}000–{number}999"
    elif written and written.endswith("XX"):
        number = int(written[:-2].lstrip("-"))
        words = f"{_ordinal(number + 1)} century BCE" if bce else f"{written[:-2]}00–{written[:-2]}99"
    elif written and written.endswith("X"):
        first = int(written[:-1] + "0")
        words = f"{1 - (first - 9)}–{1 - first} BCE" if bce else f"{first}s"
    else:
        words = year_display(year, era=era)
        if month and int(month) in SEASONS:
            words = f"{SEASONS[int(month)]} {words}"
        elif month and int(month) in SUB_YEAR:
            name, first_month, last_month = SUB_YEAR[int(month)]
            months = f" ({MONTHS[first_month - 1]}–{MONTHS[last_month - 1]})"
            words = f"{name} {words}"
        elif month:
            words = f"{MONTHS[int(month) - 1]} {words}"
            if day:
                words = f"{int(day)} {words}"
    plain = year is not None and not month and not qualifier and YEARS_AGO_FROM < year <= 0
    if qualifier in ("~", "%"):
        words = f"c. {words}"
    if qualifier in ("?", "%"):
        words = f"{words}?"
    if month and int(month) in SUB_YEAR:
        words += months
    return _Endpoint(year, words, plain, bce, qualifier)


def _display_endpoint(text, *, era=False):
    return _endpoint_read(text, era=era).words


def edtf_display(value):
    """Words for an EDTF date at its own precision: "July 2022", "c. 2007", "2011–2019", "before 2000", "15 March 44 BCE"."""
    value = (value or "").strip()
    if value.startswith("[") and (match := SET_RE.match(value)):
        return _set_display(match["first"], match["last"])
    if "/" not in value:
        return _display_endpoint(value)
    start, end = value.split("/", 1)
    if start in ("..", ""):
        if end in ("..", ""):
            return "date unknown"
        match = ENDPOINT_RE.match(end)
        if start == ".." and match and _endpoint_precision(end) == Precision.YEAR and not match["qualifier"]:
            return f"before {year_display(int(match['year'] or match['long_year']) + 1)}"
        return f"until {_display_endpoint(end)}" if start == ".." else f"? – {_display_endpoint(end)}"
    if end in ("..", ""):
        return f"since {_display_endpoint(start)}" if end == ".." else f"{_display_endpoint(start)} – ?"
    first = _endpoint_read(start)
    last = _endpoint_read(end, era=first.bce)
    if first.plain_year and last.plain_year:
        return f"{first.words.removesuffix(' BCE')}–{last.words}"  # 500–300 BCE
    separator = " – " if " " in first.words or " " in last.words else "–"
    return f"{first.words}{separator}{last.words}"


def _set_display(first_text, last_text):
    """
    "sometime in mid-2015, between April and September", "sometime between 3 and 9 May 2015": a point
    known within a range, never read as a span.
    """
    first, last = _endpoint_read(first_text), _endpoint_read(last_text)
    mark = "?" if "?" in (first.qualifier or "") + (last.qualifier or "") or "%" in (first.qualifier or "") else ""
    about = "around " if {"~", "%"} & {first.qualifier, last.qualifier} else ""
    a, b = ENDPOINT_RE.match(first_text), ENDPOINT_RE.match(last_text)
    same_year = (
        a
        and b
        and first.year is not None
        and first.year == last.year
        and a["month"]
        and b["month"]
        and not a["day"]
        and not b["day"]
    )
    if same_year and int(a["month"]) <= 12 and int(b["month"]) <= 12:
        year = year_display(first.year)
        months = f"between {MONTHS[int(a['month']) - 1]} and {MONTHS[int(b['month']) - 1]}"
        if part := PART_WORDS.get((a["month"], b["month"])):
            return f"sometime {about or 'in '}{part}{'' if part.endswith('-') else ' '}{year}{mark}, {months}"
        return f"sometime {about}{months} {year}{mark}"
    strip = lambda words: words.removeprefix("c. ").removesuffix("?")  # noqa: E731
    return f"sometime {about}between {strip(first.words)} and {strip(last.words)}{mark}"


# The year of a day number, in SQL: the civil-from-days algorithm of Howard Hinnant
# (https://howardhinnant.github.io/date_algorithms.html), shifted by whole 400-year cycles so that
# every division is of a non-negative number (SQL's integer division truncates, it does not floor).
_CYCLES_SHIFT = 10**9  # 400 billion years: more than MAX_YEARS either way


def day_year_expression(field):
    """A database expression for the astronomical year of the day number in `field` (open ends give nonsense: exclude them)."""
    shifted = models.F(field) + models.Value(305 + DAYS_PER_400_YEARS * _CYCLES_SHIFT)
    era = shifted / models.Value(DAYS_PER_400_YEARS)
    day_of_era = shifted - era * models.Value(DAYS_PER_400_YEARS)
    year_of_era = (
        day_of_era - day_of_era / models.Value(1460) + day_of_era / models.Value(36524) - day_of_era / models.Value(146096)
    ) / models.Value(365)
    day_of_year = day_of_era - (year_of_era * models.Value(365) + year_of_era / models.Value(4) - year_of_era / models.Value(100))
    # 1 when day_of_year >= 306 (January or February of the next year), else 0: (day_of_year + 60) / 366.
    return (
        year_of_era
        + (era - models.Value(_CYCLES_SHIFT)) * models.Value(400)
        + (day_of_year + models.Value(60)) / models.Value(366)
    )

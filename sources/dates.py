"""
Honest dates: EDTF strings (Library of Congress Extended Date/Time Format, levels 0–1) turned
into the bounds used for sorting and filtering, their precision, and the words readers see.

"2015" is the whole of 2015, "2022-07" the whole of July 2022; no day is ever invented.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

MONTHS = ("January February March April May June July August September October November December").split()
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}

# A single endpoint, e.g. 2019-06-28, 2022-07, 2015~, 199X, 19XX, 2001-21 (spring 2001).
# An unspecified month or day (2015-XX, 2015-06-XX) is as precise as the part before it.
ENDPOINT_RE = re.compile(
    r"^(?P<year>-?\d{2}[\dX]{2})(?:-(?:(?P<month>\d{2})|XX)(?:-(?:(?P<day>\d{2})|XX))?)?(?P<qualifier>[~?%])?$"
)


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    SEASON = "season", "season"
    YEAR = "year", "year"
    DECADE = "decade", "decade"
    CENTURY = "century", "century"

    @property
    def rank(self):
        """Coarser precisions rank higher: an interval is as precise as its vaguest end."""
        return list(Precision).index(self)


@dataclass(frozen=True)
class DateBounds:
    """What an EDTF string means: first and last possible day, and how precise it is."""

    edtf: str
    lower: datetime.date
    upper: datetime.date
    precision: Precision
    approximate: bool = False
    uncertain: bool = False
    is_interval: bool = False
    open_start: bool = False
    open_end: bool = False
    calendar: str = "gregorian"  # the calendar the date was written in; bounds are always Gregorian


def _to_date(struct, fallback):
    if struct in (None, "") or isinstance(struct, float):  # open or unknown end: ±inf
        return fallback
    if not datetime.MINYEAR <= struct.tm_year <= datetime.MAXYEAR:  # years outside 1..9999
        return fallback
    # An impossible day (2023-02-29) raises ValueError: the caller refuses the date.
    return datetime.date(struct.tm_year, struct.tm_mon, struct.tm_mday)


def _endpoint_precision(text):
    match = ENDPOINT_RE.match(text)
    if not match:
        return Precision.DAY
    year = match["year"]
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
    try:
        parsed = parse_edtf(value)
    except (EDTFParseException, ValueError, TypeError) as exc:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date (%(reason)s). Use YYYY, YYYY-MM or YYYY-MM-DD, "
            "add ~ for approximate or ? for uncertain, and A/B for an interval "
            "(e.g. 2015, 2022-07, 2007~, 2011/2019, ../1999).",
            code="invalid_edtf",
            params={"value": value, "reason": str(exc).split(":", 1)[-1].strip().rstrip(".")},
        ) from exc

    is_interval = "/" in value
    ends = value.split("/") if is_interval else [value]
    open_start = is_interval and ends[0] in ("..", "")
    open_end = is_interval and ends[1] in ("..", "")
    precisions = [_endpoint_precision(end) for end in ends if end not in ("..", "")]
    precision = max(precisions, key=lambda p: p.rank) if precisions else Precision.YEAR
    try:
        # An open or unknown end (../2015, /2015) can mean any date: no guessed bound.
        lower = datetime.date.min if open_start else _to_date(parsed.lower_strict(), datetime.date.min)
        upper = datetime.date.max if open_end else _to_date(parsed.upper_strict(), datetime.date.max)
    except ValueError as exc:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date (%(reason)s). Use a day that exists in its month, e.g. 2024-02-29 but not 2023-02-29.",
            code="invalid_edtf",
            params={"value": value, "reason": str(exc)},
        ) from exc
    if lower > upper:
        raise ValidationError(
            "“%(value)s” ends before it starts: put the earlier date first.",
            code="reversed_interval",
            params={"value": value},
        )
    return DateBounds(
        edtf=value,
        lower=lower,
        upper=upper,
        precision=precision,
        approximate=any(q in value for q in "~%"),
        uncertain=any(q in value for q in "?%"),
        is_interval=is_interval,
        open_start=open_start,
        open_end=open_end,
    )


def validate_edtf(value):
    """Model field validator."""
    edtf_bounds(value)


def _display_endpoint(text):
    match = ENDPOINT_RE.match(text)
    if not match:
        return text
    year, month, day, qualifier = match["year"], match["month"], match["day"], match["qualifier"]
    if year.endswith("XX"):
        words = f"{year[:-2]}00–{year[:-2]}99"
    elif year.endswith("X"):
        words = f"{year[:-1]}0s"
    else:
        words = str(int(year))
        if month and int(month) in SEASONS:
            words = f"{SEASONS[int(month)]} {words}"
        elif month:
            words = f"{MONTHS[int(month) - 1]} {words}"
            if day:
                words = f"{int(day)} {words}"
    if qualifier in ("~", "%"):
        words = f"c. {words}"
    if qualifier in ("?", "%"):
        words = f"{words}?"
    return words


def edtf_display(value):
    """Words for an EDTF date at its own precision: "July 2022", "c. 2007", "2011–2019", "before 2000"."""
    value = (value or "").strip()
    if "/" not in value:
        return _display_endpoint(value)
    start, end = value.split("/", 1)
    if start in ("..", ""):
        if end in ("..", ""):
            return "date unknown"
        match = ENDPOINT_RE.match(end)
        if start == ".." and match and _endpoint_precision(end) == Precision.YEAR and not match["qualifier"]:
            return f"before {int(match['year']) + 1}"
        return f"until {_display_endpoint(end)}" if start == ".." else f"? – {_display_endpoint(end)}"
    if end in ("..", ""):
        return f"since {_display_endpoint(start)}" if end == ".." else f"{_display_endpoint(start)} – ?"
    first, last = _display_endpoint(start), _display_endpoint(end)
    separator = " – " if " " in first or " " in last else "–"
    return f"{first}{separator}{last}"

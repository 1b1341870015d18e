"""EDTF strings to bounds, precision and the words readers see (sources.dates)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sources.dates import OPEN_LOWER, OPEN_UPPER, Day, Precision, day_number, day_parts, edtf_bounds, edtf_display, year_display

D = day_number

# EDTF → first possible day, last possible day, precision, display.
EDTF_TABLE = [
    ("2015", D(2015, 1, 1), D(2015, 12, 31), Precision.YEAR, "2015"),
    ("2022-07", D(2022, 7, 1), D(2022, 7, 31), Precision.MONTH, "July 2022"),
    ("2019-06-28", D(2019, 6, 28), D(2019, 6, 28), Precision.DAY, "28 June 2019"),
    ("2007~", D(2007, 1, 1), D(2007, 12, 31), Precision.YEAR, "c. 2007"),
    ("2015?", D(2015, 1, 1), D(2015, 12, 31), Precision.YEAR, "2015?"),
    ("2015%", D(2015, 1, 1), D(2015, 12, 31), Precision.YEAR, "c. 2015?"),
    ("2011/2019", D(2011, 1, 1), D(2019, 12, 31), Precision.YEAR, "2011–2019"),
    ("2006-12/2010-06", D(2006, 12, 1), D(2010, 6, 30), Precision.MONTH, "December 2006 – June 2010"),
    ("../1999", OPEN_LOWER, D(1999, 12, 31), Precision.YEAR, "before 2000"),
    ("2022-02-24/..", D(2022, 2, 24), OPEN_UPPER, Precision.DAY, "since 24 February 2022"),
    ("199X", D(1990, 1, 1), D(1999, 12, 31), Precision.DECADE, "1990s"),
    ("19XX", D(1900, 1, 1), D(1999, 12, 31), Precision.CENTURY, "1900–1999"),
    ("2015-XX", D(2015, 1, 1), D(2015, 12, 31), Precision.YEAR, "2015"),
    ("2015-06-XX", D(2015, 6, 1), D(2015, 6, 30), Precision.MONTH, "June 2015"),
    ("/2015", OPEN_LOWER, D(2015, 12, 31), Precision.YEAR, "? – 2015"),
    ("2001-21", D(2001, 3, 1), D(2001, 5, 31), Precision.SEASON, "spring 2001"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), Precision.MONTH, "February 2024"),
    ("2023-02", D(2023, 2, 1), D(2023, 2, 28), Precision.MONTH, "February 2023"),
    ("1980~/1988~", D(1980, 1, 1), D(1988, 12, 31), Precision.YEAR, "c. 1980 – c. 1988"),
]


@pytest.mark.parametrize(("edtf", "lower", "upper", "precision", "display"), EDTF_TABLE, ids=[row[0] for row in EDTF_TABLE])
def test_edtf_bounds_and_display(edtf, lower, upper, precision, display):
    """A date covers exactly the days it can mean, no day invented, and reads as plain words."""
    bounds = edtf_bounds(edtf)
    assert (bounds.lower, bounds.upper, bounds.precision) == (lower, upper, precision)
    assert edtf_display(edtf) == display


@pytest.mark.parametrize(
    ("edtf", "approximate", "uncertain"),
    [("2015", False, False), ("2007~", True, False), ("2015?", False, True), ("2015%", True, True), ("1980~/1988~", True, False)],
)
def test_edtf_bounds_qualifiers(edtf, approximate, uncertain):
    """~ marks a date as approximate, ? as uncertain and % as both."""
    bounds = edtf_bounds(edtf)
    assert (bounds.approximate, bounds.uncertain) == (approximate, uncertain)


@pytest.mark.parametrize(
    ("edtf", "is_interval", "open_start", "open_end"),
    [
        ("2015", False, False, False),
        ("2011/2019", True, False, False),
        ("../1999", True, True, False),
        ("2022-02-24/..", True, False, True),
    ],
)
def test_edtf_bounds_interval_ends(edtf, is_interval, open_start, open_end):
    """An interval says which of its ends, if any, is open."""
    bounds = edtf_bounds(edtf)
    assert (bounds.is_interval, bounds.open_start, bounds.open_end) == (is_interval, open_start, open_end)


def test_edtf_bounds_interval_is_as_precise_as_its_vaguest_end():
    """An interval from a month to a year is only as precise as a year."""
    bounds = edtf_bounds("2015-06/2016")
    assert (bounds.lower, bounds.upper, bounds.precision) == (D(2015, 6, 1), D(2016, 12, 31), Precision.YEAR)


def test_edtf_bounds_trims_white_space():
    """A date pasted with spaces around it is stored without them."""
    assert edtf_bounds("  2022-07 ").edtf == "2022-07"


@pytest.mark.parametrize(
    ("edtf", "code"),
    [
        ("2015-13", "invalid_edtf"),
        ("yesterday", "invalid_edtf"),
        ("2015-02-30", "invalid_edtf"),
        ("2023-02-29", "invalid_edtf"),  # not a leap year
        ("2019/2011", "reversed_interval"),
    ],
)
def test_edtf_bounds_refuses_invalid_date(edtf, code):
    """A date that is not valid EDTF is refused with a message that quotes it."""
    with pytest.raises(ValidationError) as excinfo:
        edtf_bounds(edtf)
    assert excinfo.value.code == code
    assert f"“{edtf}”" in excinfo.value.messages[0]


@pytest.mark.parametrize("edtf", ["", "   ", None])
def test_edtf_bounds_refuses_empty_date(edtf):
    """An empty date is refused with examples of what to enter."""
    with pytest.raises(ValidationError) as excinfo:
        edtf_bounds(edtf)
    assert excinfo.value.code == "required"
    assert "2022-07" in excinfo.value.messages[0]


# Any era: EDTF → first day (year, month, day), last day, precision, display. Astronomical years:
# 0000 is 1 BCE, -0001 is 2 BCE, -0043 is 44 BCE.
ERA_TABLE = [
    ("-0043-03-15", (-43, 3, 15), (-43, 3, 15), Precision.DAY, "15 March 44 BCE"),
    ("-0500~", (-500, 1, 1), (-500, 12, 31), Precision.YEAR, "c. 501 BCE"),
    ("-0499~", (-499, 1, 1), (-499, 12, 31), Precision.YEAR, "c. 500 BCE"),
    ("0000", (0, 1, 1), (0, 12, 31), Precision.YEAR, "1 BCE"),
    ("0001", (1, 1, 1), (1, 12, 31), Precision.YEAR, "1 CE"),
    ("-0001/0001", (-1, 1, 1), (1, 12, 31), Precision.YEAR, "2 BCE – 1 CE"),
    ("-0043/0014", (-43, 1, 1), (14, 12, 31), Precision.YEAR, "44 BCE – 14 CE"),
    ("Y-13800000000", (-13_800_000_000, 1, 1), (-13_800_000_000, 12, 31), Precision.YEAR, "13.8 billion years ago"),
    ("Y-65000000", (-65_000_000, 1, 1), (-65_000_000, 12, 31), Precision.YEAR, "65 million years ago"),
    ("Y170000002", (170_000_002, 1, 1), (170_000_002, 12, 31), Precision.YEAR, "170,000,002"),
    ("-0500/-0300", (-500, 1, 1), (-300, 12, 31), Precision.YEAR, "501–301 BCE"),
    ("Y12000", (12000, 1, 1), (12000, 12, 31), Precision.YEAR, "12,000"),
    ("-02XX", (-299, 1, 1), (-200, 12, 31), Precision.CENTURY, "3rd century BCE"),
    ("-4XXX", (-4999, 1, 1), (-4000, 12, 31), Precision.MILLENNIUM, "5th millennium BCE"),
    ("../-0044", None, (-44, 12, 31), Precision.YEAR, "before 44 BCE"),
]


@pytest.mark.parametrize(("edtf", "first", "last", "precision", "display"), ERA_TABLE, ids=[row[0] for row in ERA_TABLE])
def test_any_era_bounds_and_display(edtf, first, last, precision, display):
    """Dates of any era get the days they mean, in any era, and read as historians write them."""
    bounds = edtf_bounds(edtf)
    assert bounds.lower == (D(*first) if first else OPEN_LOWER) and bounds.upper == D(*last)
    assert (bounds.first.year if first else None, bounds.last.year) == (first[0] if first else None, last[0])
    assert bounds.precision == precision and edtf_display(edtf) == display


def test_any_era_order():
    """Bounds order every era: the Big Bang, the dinosaurs, 501 BCE, 44 BCE, 1 BCE, 1 CE, 2015, 12,000 CE."""
    ordered = ["Y-13800000000", "Y-65000000", "-0500~", "-0043-03-15", "0000", "0001", "2015", "Y12000", "Y170000002"]
    assert sorted(ordered, key=lambda edtf: edtf_bounds(edtf).lower) == ordered
    assert edtf_bounds("-0043-03-15").upper < edtf_bounds("0014-08-19").upper < edtf_bounds("-0043/0014").upper


@pytest.mark.parametrize(
    ("year", "month", "day"), [(-13_800_000_000, 1, 1), (-43, 3, 15), (0, 2, 29), (-1, 12, 31), (1, 1, 1), (2024, 2, 29)]
)
def test_day_numbers_round_trip(year, month, day):
    """A day number gives back its day in any era; 1 CE counts as datetime does."""
    assert day_parts(day_number(year, month, day)) == (year, month, day)
    assert day_number(2015, 6, 1) == datetime.date(2015, 6, 1).toordinal()
    assert Day(day_number(-43, 3, 15)).as_date() is None and Day(day_number(-43, 3, 15)).isoformat() == "-0043-03-15"
    assert Day(day_number(2015, 6, 1)).as_date() == datetime.date(2015, 6, 1)


def test_year_display_marks_ce_only_near_bce():
    """1 BCE is followed by 1 CE (no year 0); CE is written where BCE is near."""
    assert [year_display(year) for year in (-1, 0, 1, 2, 999, 1000, 2015)] == [
        "2 BCE", "1 BCE", "1 CE", "2 CE", "999 CE", "1000", "2015",
    ]  # fmt: skip
    assert edtf_display("-0500/1500") == "501 BCE – 1500 CE"


# Intervals of any era: each end is read alone, so an interval takes every end a single date takes.
INTERVAL_TABLE = [
    ("Y-170000/Y-160000", (-170_000, 1, 1), (-160_000, 12, 31), Precision.YEAR, "170,001–160,001 BCE"),
    ("Y-170000/1995", (-170_000, 1, 1), (1995, 12, 31), Precision.YEAR, "170,001 BCE – 1995 CE"),
    ("Y12000/Y13000", (12_000, 1, 1), (13_000, 12, 31), Precision.YEAR, "12,000–13,000"),
    ("Y-13800000000/Y-4500000000", (-13_800_000_000, 1, 1), (-4_500_000_000, 12, 31), Precision.YEAR,
     "13.8 billion years ago – 4.5 billion years ago"),
    ("../Y-12000", None, (-12_000, 12, 31), Precision.YEAR, "before 12,000 BCE"),
    ("-02XX/-01XX", (-299, 1, 1), (-100, 12, 31), Precision.CENTURY, "3rd century BCE – 2nd century BCE"),
    ("2019-35/2020", (2019, 7, 1), (2020, 12, 31), Precision.YEAR, "Q3 2019 (July–September) – 2020"),
    ("2015-XX/2016", (2015, 1, 1), (2016, 12, 31), Precision.YEAR, "2015–2016"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edtf", "first", "last", "precision", "display"), INTERVAL_TABLE, ids=[row[0] for row in INTERVAL_TABLE]
)
def test_intervals_of_any_era(edtf, first, last, precision, display):
    """An interval between Y years (or a Y year and a four-digit one) has the days its ends mean, and reads as words."""
    bounds = edtf_bounds(edtf)
    assert bounds.is_interval and bounds.edtf == edtf
    assert bounds.lower == (D(*first) if first else OPEN_LOWER) and bounds.upper == D(*last)
    assert bounds.precision == precision and edtf_display(edtf) == display


def test_interval_ends_keep_their_qualifiers():
    """An uncertain end of a deep-time interval is kept, and shown."""
    bounds = edtf_bounds("Y-170000/Y-160000?")
    assert (bounds.approximate, bounds.uncertain, bounds.open_start, bounds.open_end) == (False, True, False, False)
    assert (bounds.lower, bounds.upper) == (D(-170_000), D(-160_000, 12, 31))
    assert edtf_display("Y-170000/Y-160000?") == "170,001 BCE – 160,001 BCE?"


def test_a_year_too_far_from_1_ce_is_refused():
    """Beyond a hundred billion years no bound is stored: the date is refused, saying so."""
    with pytest.raises(ValidationError) as excinfo:
        edtf_bounds("Y-200000000000/Y-100")
    assert "hundred billion years" in excinfo.value.messages[0]


def test_an_interval_of_deep_time_orders_among_other_dates():
    """Y-170000/Y-160000 sorts after the dinosaurs and before 44 BCE."""
    ordered = ["Y-65000000", "Y-170000/Y-160000", "-0043-03-15"]
    assert sorted(ordered, key=lambda edtf: edtf_bounds(edtf).lower) == ordered


@pytest.mark.parametrize(
    ("edtf", "code", "words"),
    [
        ("-12000/-11000", "invalid_edtf", "with a Y in front of it"),
        ("-12000", "invalid_edtf", "Y-12000"),
        ("Y-160000/Y-170000", "reversed_interval", "put the earlier date first"),
        ("2015/x", "invalid_edtf", "“x” is not a valid EDTF date"),
        ("2015/2016/2017", "invalid_edtf", "one start and one end"),
        ("2015-02-29/2016", "invalid_edtf", "a day that exists in its month"),
        ("[2015..2016]/2017", "invalid_edtf", "not a set Citeline can read"),
    ],
)
def test_bad_intervals_are_refused_saying_how_to_write_them(edtf, code, words):
    """A five-digit year without Y, reversed ends, a bad end or three ends: refused, quoting the date and the fix."""
    with pytest.raises(ValidationError) as excinfo:
        edtf_bounds(edtf)
    assert excinfo.value.code == code
    assert f"“{edtf}”" in excinfo.value.messages[0] and words in excinfo.value.messages[0]

"""
Issue 12: dates in words are never stored with a day, month or certainty their words did not give.
One table for every case the issue names, read by the one reader (sources.natural_dates.date_to_edtf)
that the event form, the upload's Issued field, the filters and the API all call.
"""

import pytest
from django.core.exceptions import ValidationError

from sources.dates import day_number, edtf_bounds, edtf_display
from sources.natural_dates import AmbiguousDate, date_to_edtf
from sources.vague_points import vague_point

D = day_number

# typed, stored EDTF, first day, last day, a point (not a span)?, approximate, uncertain, the words readers see
TABLE = [
    ("Q3 2019", "2019-35", D(2019, 7, 1), D(2019, 9, 30), False, False, False, "Q3 2019 (July–September)"),
    ("2019 Q3", "2019-35", D(2019, 7, 1), D(2019, 9, 30), False, False, False, "Q3 2019 (July–September)"),
    ("third quarter of 2019", "2019-35", D(2019, 7, 1), D(2019, 9, 30), False, False, False, "Q3 2019 (July–September)"),
    ("Q1 2020", "2020-33", D(2020, 1, 1), D(2020, 3, 31), False, False, False, "Q1 2020 (January–March)"),
    ("Q3 2019?", "2019-35?", D(2019, 7, 1), D(2019, 9, 30), False, False, True, "Q3 2019? (July–September)"),
    ("H1 2019", "2019-40", D(2019, 1, 1), D(2019, 6, 30), False, False, False, "the first half of 2019 (January–June)"),
    ("second half of 2019", "2019-41", D(2019, 7, 1), D(2019, 12, 31), False, False, False, "the second half of 2019 (July–December)"),
    ("summer 2015", "2015-22", D(2015, 6, 1), D(2015, 8, 31), False, False, False, "summer 2015"),
    ("spring 2001?", "2001-21?", D(2001, 3, 1), D(2001, 5, 31), False, False, True, "spring 2001?"),
    ("May 2023?", "2023-05?", D(2023, 5, 1), D(2023, 5, 31), False, False, True, "May 2023?"),
    ("May 2023~", "2023-05~", D(2023, 5, 1), D(2023, 5, 31), False, True, False, "c. May 2023"),
    ("28 June 2019?", "2019-06-28?", D(2019, 6, 28), D(2019, 6, 28), False, False, True, "28 June 2019?"),
    ("17/05/2023", "2023-05-17", D(2023, 5, 17), D(2023, 5, 17), False, False, False, "17 May 2023"),
    ("05/17/2023", "2023-05-17", D(2023, 5, 17), D(2023, 5, 17), False, False, False, "17 May 2023"),
    ("06/06/2023", "2023-06-06", D(2023, 6, 6), D(2023, 6, 6), False, False, False, "6 June 2023"),
    ("2023/05/06", "2023-05-06", D(2023, 5, 6), D(2023, 5, 6), False, False, False, "6 May 2023"),
    (
        "mid-2015", "[2015-04..2015-09]", D(2015, 4, 1), D(2015, 9, 30), True, False, False,
        "sometime in mid-2015, between April and September",
    ),
    (
        "early 2015", "[2015-01..2015-04]", D(2015, 1, 1), D(2015, 4, 30), True, False, False,
        "sometime in early 2015, between January and April",
    ),
    (
        "late 2015", "[2015-09..2015-12]", D(2015, 9, 1), D(2015, 12, 31), True, False, False,
        "sometime in late 2015, between September and December",
    ),
    (
        "mid-2015?", "[2015-04?..2015-09?]", D(2015, 4, 1), D(2015, 9, 30), True, False, True,
        "sometime in mid-2015?, between April and September",
    ),
    (
        "c. mid-2015", "[2015-04~..2015-09~]", D(2015, 4, 1), D(2015, 9, 30), True, True, False,
        "sometime around mid-2015, between April and September",
    ),
    ("c. 2007", "2007~", D(2007, 1, 1), D(2007, 12, 31), False, True, False, "c. 2007"),
    ("probably 2015", "2015?", D(2015, 1, 1), D(2015, 12, 31), False, False, True, "2015?"),
    ("12 June 2024", "2024-06-12", D(2024, 6, 12), D(2024, 6, 12), False, False, False, "12 June 2024"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "edtf", "lower", "upper", "is_set", "approximate", "uncertain", "words"), TABLE, ids=[row[0] for row in TABLE]
)
def test_dates_in_words_keep_exactly_what_was_written(text, edtf, lower, upper, is_set, approximate, uncertain, words):
    """Each date is stored at the precision and certainty written, and reads back in words that say so."""
    bounds = date_to_edtf(text)
    assert (bounds.edtf, bounds.lower, bounds.upper) == (edtf, lower, upper)
    assert (bounds.is_set, bounds.approximate, bounds.uncertain) == (is_set, approximate, uncertain)
    assert not bounds.is_interval  # none of these is a span of time
    assert edtf_display(bounds.edtf) == words
    assert edtf_bounds(bounds.edtf) == bounds.__class__(**{**bounds.__dict__, "calendar": "gregorian"})  # stored form reads back


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("05/06/2023", [("5 June 2023", "2023-06-05"), ("6 May 2023", "2023-05-06")]),
        ("5.6.2023", [("5 June 2023", "2023-06-05"), ("6 May 2023", "2023-05-06")]),
        ("01-02-2020", [("1 February 2020", "2020-02-01"), ("2 January 2020", "2020-01-02")]),
    ],
)
def test_an_ambiguous_numeric_date_is_not_guessed(text, readings):
    """Day and month that could be swapped: the error names both readings and says how to write it."""
    with pytest.raises(AmbiguousDate) as excinfo:
        date_to_edtf(text)
    assert excinfo.value.choices == readings
    assert excinfo.value.code == "ambiguous_date"
    assert f"could be {readings[0][0]} or {readings[1][0]}" in excinfo.value.messages[0]


def test_a_numeric_date_that_exists_neither_way_is_refused():
    with pytest.raises(ValidationError, match="not a day of the calendar"):
        date_to_edtf("31/31/2023")


def test_ranges_of_vague_points_are_spans_between_them():
    """“between early 2015 and late 2016” starts when early 2015 can start and ends when late 2016 can end."""
    bounds = date_to_edtf("between early 2015 and late 2016")
    assert (bounds.edtf, bounds.is_interval) == ("2015-01/2016-12", True)
    assert date_to_edtf("before mid-2015").edtf == "../2015-03"


def test_a_set_written_as_edtf_is_read_and_a_broken_one_says_how_to_write_it():
    assert date_to_edtf("[2015-02-03..2015-03-05]").is_set
    assert edtf_display("[2015-02-03..2015-03-05]") == "sometime between 3 February 2015 and 5 March 2015"
    with pytest.raises(ValidationError, match=r"\[first\.\.last\]"):
        edtf_bounds("[2015-04,2015-09]")
    with pytest.raises(ValidationError, match="ends before it starts"):
        edtf_bounds("[2015-09..2015-04]")


@pytest.mark.parametrize(
    ("stored", "migrated"),
    [
        ("2015-04/2015-09", "[2015-04..2015-09]"),
        ("2015-01~/2015-04~", "[2015-01~..2015-04~]"),
        ("2015-09/2015-12", "[2015-09..2015-12]"),
        ("2015-04/2015-08", None),  # an interval an editor typed: a span, left alone
        ("2015-04/2016-09", None),
        ("2015", None),
    ],
)
def test_the_reader_s_old_spans_migrate_to_points(stored, migrated):
    assert vague_point(stored) == migrated

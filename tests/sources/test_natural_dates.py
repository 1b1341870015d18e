"""Natural-language and Solar Hijri dates to EDTF and bounds (sources.natural_dates.date_to_edtf)."""

import pytest
from django.core.exceptions import ValidationError

from sources.dates import OPEN_LOWER, OPEN_UPPER, day_number, edtf_display
from sources.natural_dates import date_to_edtf

D = day_number
MIN, MAX = OPEN_LOWER, OPEN_UPPER

TABLE = [
    # typed, EDTF, lower, upper, precision, calendar
    ("July 2022", "2022-07", D(2022, 7, 1), D(2022, 7, 31), "month", "gregorian"),
    ("2015", "2015", D(2015, 1, 1), D(2015, 12, 31), "year", "gregorian"),
    ("mid-2015", "[2015-04..2015-09]", D(2015, 4, 1), D(2015, 9, 30), "season", "gregorian"),
    ("early 2015", "[2015-01..2015-04]", D(2015, 1, 1), D(2015, 4, 30), "season", "gregorian"),
    ("late 2015", "[2015-09..2015-12]", D(2015, 9, 1), D(2015, 12, 31), "season", "gregorian"),
    ("c. 2007", "2007~", D(2007, 1, 1), D(2007, 12, 31), "year", "gregorian"),
    ("circa 2007", "2007~", D(2007, 1, 1), D(2007, 12, 31), "year", "gregorian"),
    ("probably 2015", "2015?", D(2015, 1, 1), D(2015, 12, 31), "year", "gregorian"),
    ("before 2000", "../1999", MIN, D(1999, 12, 31), "year", "gregorian"),
    ("before July 2022", "../2022-06", MIN, D(2022, 6, 30), "month", "gregorian"),
    ("after 2000", "2001/..", D(2001, 1, 1), MAX, "year", "gregorian"),
    ("since 2022", "2022/..", D(2022, 1, 1), MAX, "year", "gregorian"),
    ("between 2011 and 2019", "2011/2019", D(2011, 1, 1), D(2019, 12, 31), "year", "gregorian"),
    ("from 2011 to 2019", "2011/2019", D(2011, 1, 1), D(2019, 12, 31), "year", "gregorian"),
    ("2002–2023", "2002/2023", D(2002, 1, 1), D(2023, 12, 31), "year", "gregorian"),
    ("2011-19", "2011/2019", D(2011, 1, 1), D(2019, 12, 31), "year", "gregorian"),
    ("June 28, 2019", "2019-06-28", D(2019, 6, 28), D(2019, 6, 28), "day", "gregorian"),
    ("28 June 2019", "2019-06-28", D(2019, 6, 28), D(2019, 6, 28), "day", "gregorian"),
    ("Jul 16, 2023", "2023-07-16", D(2023, 7, 16), D(2023, 7, 16), "day", "gregorian"),
    ("spring 2001", "2001-21", D(2001, 3, 1), D(2001, 5, 31), "season", "gregorian"),
    ("the 1990s", "199X", D(1990, 1, 1), D(1999, 12, 31), "decade", "gregorian"),
    ("20th century", "19XX", D(1900, 1, 1), D(1999, 12, 31), "century", "gregorian"),
    ("2022-07", "2022-07", D(2022, 7, 1), D(2022, 7, 31), "month", "gregorian"),
    ("2011/2019", "2011/2019", D(2011, 1, 1), D(2019, 12, 31), "year", "gregorian"),
    ("15 مرداد 1397", "2018-08-06", D(2018, 8, 6), D(2018, 8, 6), "day", "jalali"),
    ("۱۵ مرداد ۱۳۹۷", "2018-08-06", D(2018, 8, 6), D(2018, 8, 6), "day", "jalali"),
    ("20 اسفند 1397", "2019-03-11", D(2019, 3, 11), D(2019, 3, 11), "day", "jalali"),
    ("خرداد 1397", "2018-05-22/2018-06-21", D(2018, 5, 22), D(2018, 6, 21), "month", "jalali"),
    ("اسفند 1399", "2021-02-19/2021-03-20", D(2021, 2, 19), D(2021, 3, 20), "month", "jalali"),  # a leap year: 30 days
    ("1392 ش", "2013-03-21/2014-03-20", D(2013, 3, 21), D(2014, 3, 20), "year", "jalali"),
    ("۱۳۹۲ ه.ش", "2013-03-21/2014-03-20", D(2013, 3, 21), D(2014, 3, 20), "year", "jalali"),
]


@pytest.mark.parametrize(("text", "edtf", "lower", "upper", "precision", "calendar"), TABLE, ids=[row[0] for row in TABLE])
def test_natural_date_to_edtf_and_bounds(text, edtf, lower, upper, precision, calendar):
    """Each typed date becomes its EDTF, with the bounds and precision it was written at."""
    bounds = date_to_edtf(text)
    assert (bounds.edtf, bounds.lower, bounds.upper, str(bounds.precision), bounds.calendar) == (
        edtf,
        lower,
        upper,
        precision,
        calendar,
    )


def test_other_languages_go_through_dateparser_without_inventing_a_day():
    """A French month is the whole month: dateparser's default of today's day is not kept."""
    assert date_to_edtf("juillet 2022", languages=("fr",)).edtf == "2022-07"
    assert date_to_edtf("17 janvier 2025", languages=("fr",)).edtf == "2025-01-17"


@pytest.mark.parametrize("text", ["today", "June 28", "next week", "3 min read", "may", ""])
def test_text_without_a_stated_year_is_refused(text):
    """Relative dates and dates without a year are refused rather than filled in from today."""
    with pytest.raises(ValidationError) as excinfo:
        date_to_edtf(text)
    assert excinfo.value.code in {"unreadable_date", "required", "invalid_edtf"}


def test_an_impossible_edtf_day_says_why():
    """A date written as EDTF keeps EDTF's precise message."""
    with pytest.raises(ValidationError, match="is not a valid EDTF date"):
        date_to_edtf("2023-02-29")


def test_date_to_edtf_reads_in_the_languages_given():
    """The reader's filters call date_to_edtf(text, languages=…) as the editor's form does."""
    assert date_to_edtf("mid-2015", languages=("en",)).edtf == "[2015-04..2015-09]"
    assert date_to_edtf("خرداد 1397").lower == D(2018, 5, 22)


def test_over_long_text_is_refused_before_it_is_parsed():
    """ "mid-" × 1,000 is refused with its length, quickly, instead of recursing until Python gives up."""
    import time

    started = time.perf_counter()
    with pytest.raises(ValidationError) as excinfo:
        date_to_edtf("mid-" * 1000 + "2015")
    assert excinfo.value.code == "date_too_long"
    assert "4,004" not in excinfo.value.messages[0] and "4004 characters" in excinfo.value.messages[0]
    assert time.perf_counter() - started < 0.5


def test_date_field_never_uses_the_typed_text_as_a_message_template():
    """A typed "%" or "%(x)s" comes back in the message as typed; re-formatting the message cannot fail."""
    from sources.forms import NaturalDateField

    for text in ("%", "%ZZ", "%(x)s"):
        with pytest.raises(ValidationError) as excinfo:
            NaturalDateField().clean(text)
        error = excinfo.value.error_list[0]
        assert text in error.message % error.params


# Any era in words, as historians and geologists write them.
ERA_WORDS = [
    ("44 BC", "-0043", "44 BCE"),
    ("44 BCE", "-0043", "44 BCE"),
    ("44 B.C.", "-0043", "44 BCE"),
    ("15 March 44 BC", "-0043-03-15", "15 March 44 BCE"),
    ("March 15, 44 BC", "-0043-03-15", "15 March 44 BCE"),
    ("500 BC–300 BC", "-0499/-0299", "500–300 BCE"),
    ("500–300 BC", "-0499/-0299", "500–300 BCE"),
    ("c. 1200 BCE", "-1199~", "c. 1200 BCE"),
    ("3rd century BC", "-02XX", "3rd century BCE"),
    ("the 5th millennium BCE", "-4XXX", "5th millennium BCE"),
    ("13.8 billion years ago", "Y-13800000000", "13.8 billion years ago"),
    ("65 Ma", "Y-65000000", "65 million years ago"),
    ("65 million years ago", "Y-65000000", "65 million years ago"),
    ("100 AD", "0100", "100 CE"),
    ("AD 100", "0100", "100 CE"),
    ("1 BC", "0000", "1 BCE"),
    ("from 100 BC to 100 AD", "-0099/0100", "100 BCE – 100 CE"),
    ("before 44 BC", "../-0044", "before 44 BCE"),
]


@pytest.mark.parametrize(("text", "edtf", "display"), ERA_WORDS, ids=[row[0] for row in ERA_WORDS])
def test_any_era_in_words(text, edtf, display):
    """BC/BCE/AD/CE years, centuries, millennia and deep time read into EDTF, and read back as historians write them."""
    bounds = date_to_edtf(text)
    assert bounds.edtf == edtf and edtf_display(bounds.edtf) == display


def test_there_is_no_year_zero_bc():
    """“0 BC” is not a year: 1 BC is followed by AD 1."""
    with pytest.raises(ValidationError):
        date_to_edtf("0 BC")

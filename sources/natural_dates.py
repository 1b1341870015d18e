"""
Dates as people and sources write them, read into EDTF at the precision written: English words
("July 2022", "mid-2015", "c. 2007", "between 2011 and 2019"), Solar Hijri dates, and dateparser for
other languages. The EDTF itself (bounds, precision, display) is sources.dates.
"""

import datetime
import re
from dataclasses import replace
from decimal import Decimal
from functools import cache

import jdatetime
from django.core.exceptions import ValidationError

from sources.dates import (
    ENDPOINT_RE,
    MONTHS,
    PART_OF_YEAR,
    SET_RE,
    Precision,
    day_number,
    day_parts,
    edtf_bounds,
    edtf_display,
    edtf_year,
)

# Reading words
#
# Editors type dates the way sources write them; date_to_edtf turns them into EDTF at the
# precision written. Regular expressions read the forms we know (they are exact and fast);
# dateparser is the fallback for other languages, with the language given, never detected, and
# never allowed to fill in a day, a month or a year the text does not state.
#
# Decisions (README, "Editing"):
# - "mid-2015" is one point sometime in the middle half of the year, April to September: EDTF level
#   2 "one of a set", "[2015-04..2015-09]" (an interval, 2015-04/2015-09, would say it lasted six
#   months). "early 2015" is [2015-01..2015-04] and "late 2015" [2015-09..2015-12].
# - Quarters, thirds and halves are EDTF level 2 sub-year groupings: "Q3 2019" is "2019-35" (July to
#   September), "first half of 2019" "2019-40"; seasons are "2015-22" (summer). Never a day.
# - "?" and "~" written after any date are kept: "May 2023?" is "2023-05?", "mid-2015?" "[2015-04?..2015-09?]".
# - A numeric date whose day and month could be swapped ("05/06/2023") is not guessed: the error
#   names both readings (AmbiguousDate). "17/05/2023" can only be day-first; "2023/05/06" is year-month-day.
# - "c. 2007" is "2007~"; "before 2000" is "../1999"; "after 2000" is "2001/.."; "since 2022" is
#   "2022/.."; "between 2011 and 2019", "from 2011 to 2019" and "2011–2019" are "2011/2019".
# - Solar Hijri (Jalali) dates convert exactly to Gregorian days: a Jalali month or year is the
#   interval of the Gregorian days it covers ("خرداد 1397" is "2018-05-22/2018-06-21").

PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
PERSIAN_DIGIT_RE = re.compile("[۰-۹٠-٩]")

MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}
MONTH_NUMBERS.update({name.lower()[:3]: number for number, name in enumerate(MONTHS, start=1)})
MONTH_NUMBERS["sept"] = 9
# Capitalised names only: "may" the verb and "march" the noun are not months.
MONTH_NAME_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
JALALI_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
JALALI_MONTH_RE = "(?:فروردین|اردی\u200c?بهشت|خرداد|تیر|امرداد|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند)"
# "1392 ش", "1392 ه.ش", "1392 هـ.ش." and "1392 SH" all say Solar Hijri.
JALALI_MARK_RE = r"(?:ه\u0640?\.?\s?ش\.?|ش\.?(?!\w)|(?:SH|AP)\b)"
SEASON_NUMBERS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
# Longer text is no date anyone types; refusing it first keeps the recursive reading below shallow.
DATE_TEXT_MAX_LENGTH = 200
ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": None}


def digits_ascii(text):
    """Persian and Arabic-Indic digits as ASCII digits; the length of the text is unchanged."""
    # str.translate visits every character (slowly, in a non-ASCII text); most texts have no such digit.
    return text.translate(PERSIAN_DIGITS) if PERSIAN_DIGIT_RE.search(text) else text


def month_number(name):
    return MONTH_NUMBERS.get(name.lower().rstrip(".")[:4] if name.lower().startswith("sept") else name.lower().rstrip(".")[:3])


def jalali_month_number(name):
    name = name.replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
    return JALALI_MONTHS.index("مرداد" if name == "امرداد" else name) + 1


def jalali_edtf(year, month=None, day=None):
    """The Gregorian EDTF for a Solar Hijri day, or the interval of days of a Solar Hijri month or year."""
    try:
        if day:
            return jdatetime.date(year, month, day).togregorian().isoformat()
        if month:
            first = jdatetime.date(year, month, 1)
            length = 31 if month <= 6 else 30 if month <= 11 or first.isleap() else 29
            last = first + datetime.timedelta(days=length - 1)
        else:
            first = jdatetime.date(year, 1, 1)
            last = jdatetime.date(year + 1, 1, 1) - datetime.timedelta(days=1)
    except ValueError as exc:
        raise ValidationError(
            "%(year)s/%(month)s/%(day)s is not a Solar Hijri date (%(reason)s).",
            code="invalid_jalali",
            params={"year": year, "month": month or "–", "day": day or "–", "reason": exc},
        ) from exc
    return f"{first.togregorian().isoformat()}/{last.togregorian().isoformat()}"


def gregorian_edtf(year, month=None, day=None):
    """YYYY, YYYY-MM or YYYY-MM-DD (-0043-03-15 for 44 BCE), refusing a day its month does not have."""
    year = int(year)
    if day:
        try:
            day_number(year, int(month), int(day))
        except ValueError as exc:
            raise ValidationError(
                "%(year)s-%(month)s-%(day)s is not a day of the calendar.",
                code="invalid_date",
                params={"year": year, "month": month, "day": day},
            ) from exc
        return f"{edtf_year(year)}-{int(month):02d}-{int(day):02d}"
    return f"{edtf_year(year)}-{int(month):02d}" if month else edtf_year(year)


def _shift(edtf, *, steps):
    """The unit before (steps=-1) or after (steps=1) a single EDTF endpoint, at its own precision."""
    match = ENDPOINT_RE.match(edtf)
    if not match or (match["year"] and "X" in match["year"]):
        raise ValueError(edtf)
    year, month, day = int(match["year"] or match["long_year"]), match["month"], match["day"]
    if day:
        return gregorian_edtf(*day_parts(day_number(year, int(month), int(day)) + steps))
    if month and int(month) <= 12:
        index = year * 12 + int(month) - 1 + steps
        return f"{edtf_year(index // 12)}-{index % 12 + 1:02d}"
    return edtf_year(year + steps)


def era_year(number, era=None):
    """The astronomical year of a year as written with its era: ("44", "BC") is -43, ("100", "AD") is 100."""
    number = int(number.replace(",", ""))
    if era and era.replace(".", "").upper().startswith("B"):
        if number < 1:
            raise ValidationError("There is no year 0 BC: 1 BC is followed by AD 1.", code="invalid_date")
        return 1 - number
    return number


def years_ago_edtf(number, unit):
    """ "13.8 billion years ago", "65 Ma": the EDTF year that many years before 1 CE ("Y-13800000000")."""
    unit = unit.lower()
    scale = next(value for prefix, value in YEARS_AGO_UNITS if unit.startswith(prefix))
    return edtf_year(-int(Decimal(number) * scale))


def _first(edtf):
    """The first end of an interval or the first member of a set."""
    if match := SET_RE.match(edtf):
        return match["first"]
    return edtf.split("/")[0]


def _last(edtf):
    if match := SET_RE.match(edtf):
        return match["last"]
    return edtf.split("/")[-1]


# Eras: "44 BC", "44 BCE", "AD 100", "100 CE" (years without an era must have four digits: "2015").
ERA_BC = r"(?:B\.?\s?C\.?(?:\s?E\.?)?)(?!\w)"
ERA_AD = r"(?:A\.?\s?D\.?|C\.?\s?E\.?)(?!\w)"
YEAR_WITH_ERA = rf"(?:(?P<number>\d{{1,3}}(?:,\d{{3}})+|\d+)\s*(?P<era>{ERA_BC}|{ERA_AD})|(?P<pre_era>A\.?\s?D\.?)\s*(?P<pre_number>\d+)|(?P<year>\d{{4}}))"
DAY_MONTH_YEAR_RE = re.compile(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH_NAME_RE}),?\s+{YEAR_WITH_ERA}")
MONTH_DAY_YEAR_RE = re.compile(rf"(?P<month>{MONTH_NAME_RE})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{YEAR_WITH_ERA}")
MONTH_YEAR_RE = re.compile(rf"(?P<month>{MONTH_NAME_RE}),?\s+(?:of\s+)?{YEAR_WITH_ERA}")
YEAR_RE = re.compile(YEAR_WITH_ERA, re.I)
DECADE_RE = re.compile(r"(?:the\s+)?(?P<decade>\d{3})0s", re.I)
CENTURY_RE = re.compile(rf"(?:the\s+)?(?P<century>\d{{1,2}})(?:st|nd|rd|th)\s+century(?:\s+(?P<era>{ERA_BC}|{ERA_AD}))?", re.I)
MILLENNIUM_RE = re.compile(
    rf"(?:the\s+)?(?P<millennium>10|[1-9])(?:st|nd|rd|th)\s+millennium(?:\s+(?P<era>{ERA_BC}|{ERA_AD}))?", re.I
)
YEARS_AGO_UNITS = (
    ("thousand", 10**3),
    ("million", 10**6),
    ("billion", 10**9),
    ("k", 10**3),
    ("m", 10**6),
    ("g", 10**9),
    ("b", 10**9),
)
YEARS_AGO_RE = re.compile(
    r"(?P<number>\d+(?:\.\d+)?)\s*(?:(?P<unit>thousand|million|billion)\s+years\s+ago|(?P<abbr>ka|kya|Ma|mya|Ga|bya|gya))",
    re.I,
)
SEASON_RE = re.compile(r"(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>\d{4})", re.I)
PART_RE = re.compile(r"(?P<part>early|mid|middle of|late)[\s-]+(?P<year>\d{4})", re.I)
QUARTER_RE = re.compile(
    r"(?:Q(?P<q1>[1-4])|(?P<q2>[1-4])Q)[\s/-]*(?P<year1>\d{4})|(?P<year2>\d{4})[\s/-]*Q(?P<q3>[1-4])"
    r"|(?:the\s+)?(?P<word>first|1st|second|2nd|third|3rd|fourth|4th|last)\s+quarter\s+(?:of\s+)?(?P<year3>\d{4})",
    re.I,
)
HALF_RE = re.compile(
    r"(?:H(?P<h1>[12])|(?P<h2>[12])H)[\s/-]*(?P<year1>\d{4})|(?P<year2>\d{4})[\s/-]*H(?P<h3>[12])"
    r"|(?:the\s+)?(?P<word>first|1st|second|2nd|last)\s+half\s+(?:of\s+)?(?P<year3>\d{4})",
    re.I,
)
NUMERIC_DATE_RE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})")
YEAR_FIRST_NUMERIC_RE = re.compile(r"(?P<year>\d{4})(?P<sep>[/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})")
JALALI_DAY_RE = re.compile(rf"(?P<day>\d{{1,2}})\s+(?P<month>{JALALI_MONTH_RE})\s+(?P<year>\d{{3,4}})(?:\s*{JALALI_MARK_RE})?")
JALALI_MONTH_YEAR_RE = re.compile(rf"(?P<month>{JALALI_MONTH_RE})\s+(?:ماه\s+)?(?P<year>\d{{3,4}})(?:\s*{JALALI_MARK_RE})?")
JALALI_YEAR_RE = re.compile(rf"(?:سال\s+)?(?P<year>\d{{3,4}})\s*{JALALI_MARK_RE}")
QUALIFIED_RE = re.compile(
    r"(?P<word>circa|about|around|approximately|approx\.|roughly|probably|perhaps|possibly|ca\.|c\.|ca|c)(?:\s+|(?<=\.))(?P<rest>.+)",
    re.I,
)
BOUNDED_RE = re.compile(r"(?P<word>before|by|until|till|up to|after|since|from)\s+(?P<rest>.+)", re.I)
RANGE_RE = re.compile(
    r"(?:between\s+(?P<a1>.+?)\s+and\s+(?P<b1>.+)|(?:from\s+)?(?P<a2>.+?)\s*(?:–|—|-|\bto\b|\buntil\b|\btill\b)\s*(?P<b2>.+))",
    re.I,
)


class AmbiguousDate(ValidationError):
    """A numeric date whose day and month could be swapped; `choices` holds both readings as (words, EDTF)."""

    def __init__(self, text, choices):
        self.choices = choices
        words = " or ".join(words for words, _ in choices)
        super().__init__(
            "“%(value)s” could be %(words)s: which is it? Write the month in words, e.g. %(example)s.",
            code="ambiguous_date",
            params={"value": text, "words": words, "example": choices[0][0]},
        )


def _day_words(edtf):
    return edtf_display(edtf)


def _numeric_read(match):
    """05/06/2023 is refused with both readings; 17/05/2023 is day-first and 05/17/2023 month-first."""
    a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
    readings = []
    for day, month in ((a, b), (b, a)):
        if 1 <= month <= 12:
            try:
                edtf = gregorian_edtf(year, month, day)
            except ValidationError:
                continue
            if edtf not in (edtf for _, edtf in readings):
                readings.append((_day_words(edtf), edtf))
    if not readings:
        raise ValidationError("“%(value)s” is not a day of the calendar.", code="invalid_date", params={"value": match.group(0)})
    if len(readings) > 1:
        raise AmbiguousDate(match.group(0), readings)
    return readings[0][1], "gregorian", None


def _sub_year_read(match, codes):
    number = next((match[name] for name in match.groupdict() if name[0] in "qh" and match[name]), None)
    year = match["year1"] or match["year2"] or match["year3"]
    if number is None:
        word = match["word"].lower()
        number = ORDINAL_WORDS[word] or len(codes)
    return f"{year}-{codes[int(number) - 1]}", "gregorian", None


def _qualify(edtf, mark):
    """`mark` ("?" or "~") on every closed end of an EDTF date, set or interval; both marks make "%"."""

    def one(end):
        if end in ("", ".."):
            return end
        if end[-1] in "?~%":
            return end[:-1] + ("%" if end[-1] != mark else mark)
        return end + mark

    if match := SET_RE.match(edtf):
        return f"[{one(match['first'])}..{one(match['last'])}]"
    return "/".join(one(end) for end in edtf.split("/"))


def _year(match):
    """The astronomical year of a match of YEAR_WITH_ERA."""
    if match["year"]:
        return int(match["year"])
    if match["pre_number"]:
        return era_year(match["pre_number"])
    return era_year(match["number"], match["era"])


def _is_bc(era):
    return bool(era) and era.replace(".", "").replace(" ", "").upper().startswith("B")


def _century_edtf(number, era):
    """The nth century: 1900–1999 for the 20th (as readers say it), 300–201 BCE (-02XX) for the 3rd BCE."""
    if number < 1:
        raise ValidationError("There is no century 0.", code="invalid_date")
    return f"-{number - 1:02d}XX" if _is_bc(era) else f"{number - 1:02d}XX"


def _millennium_edtf(number, era):
    """The nth millennium: 5000–4001 BCE (-4XXX) for the 5th BCE; 1001–2000 for the 2nd CE."""
    if _is_bc(era):
        return f"-{number - 1}XXX"
    return f"{edtf_year((number - 1) * 1000 + 1)}/{edtf_year(number * 1000)}"


def _endpoint_read(text):
    """(edtf, calendar, precision) for one date without qualifiers, or None."""
    for pattern, build in (
        (
            JALALI_DAY_RE,
            lambda m: (jalali_edtf(int(m["year"]), jalali_month_number(m["month"]), int(m["day"])), "jalali", Precision.DAY),
        ),
        (
            JALALI_MONTH_YEAR_RE,
            lambda m: (jalali_edtf(int(m["year"]), jalali_month_number(m["month"])), "jalali", Precision.MONTH),
        ),
        (JALALI_YEAR_RE, lambda m: (jalali_edtf(int(m["year"])), "jalali", Precision.YEAR)),
        (DAY_MONTH_YEAR_RE, lambda m: (gregorian_edtf(_year(m), month_number(m["month"]), m["day"]), "gregorian", None)),
        (MONTH_DAY_YEAR_RE, lambda m: (gregorian_edtf(_year(m), month_number(m["month"]), m["day"]), "gregorian", None)),
        (MONTH_YEAR_RE, lambda m: (gregorian_edtf(_year(m), month_number(m["month"])), "gregorian", None)),
        (SEASON_RE, lambda m: (f"{m['year']}-{SEASON_NUMBERS[m['season'].lower()]}", "gregorian", None)),
        (QUARTER_RE, lambda m: _sub_year_read(m, (33, 34, 35, 36))),
        (HALF_RE, lambda m: _sub_year_read(m, (40, 41))),
        (NUMERIC_DATE_RE, _numeric_read),
        (YEAR_FIRST_NUMERIC_RE, lambda m: (gregorian_edtf(int(m["year"]), m["month"], m["day"]), "gregorian", None)),
        (
            PART_RE,
            lambda m: (
                f"[{m['year']}-{PART_OF_YEAR[m['part'].lower()][0]}..{m['year']}-{PART_OF_YEAR[m['part'].lower()][1]}]",
                "gregorian",
                None,
            ),
        ),
        (DECADE_RE, lambda m: (f"{m['decade']}X", "gregorian", None)),
        (CENTURY_RE, lambda m: (_century_edtf(int(m["century"]), m["era"]), "gregorian", None)),
        (MILLENNIUM_RE, lambda m: (_millennium_edtf(int(m["millennium"]), m["era"]), "gregorian", None)),
        (YEARS_AGO_RE, lambda m: (years_ago_edtf(m["number"], m["unit"] or m["abbr"]), "gregorian", None)),
        (YEAR_RE, lambda m: (edtf_year(_year(m)), "gregorian", None)),
    ):
        match = pattern.fullmatch(text)
        if match:
            return build(match)
    try:
        return edtf_bounds(text).edtf, "gregorian", None
    except ValidationError:
        return None


def _natural_read(text, languages):
    """(edtf, calendar, precision override) for a whole typed date, or None."""
    text = text.strip().rstrip(",;")
    if not text:
        return None
    if read := _endpoint_read(text):
        return read
    if match := QUALIFIED_RE.fullmatch(text):
        inner = _natural_read(match["rest"], languages)
        if inner is None:
            return None
        mark = "?" if match["word"].lower() in ("probably", "perhaps", "possibly") else "~"
        return _qualify(inner[0], mark), inner[1], inner[2]
    if text[-1] in "?~" and len(text) > 1:
        # "May 2023?", "mid-2015?", "Q3 2019~": the mark written after a date in words is kept.
        inner = _natural_read(text[:-1], languages)
        if inner is None:
            return None
        return _qualify(inner[0], text[-1]), inner[1], inner[2]
    if match := BOUNDED_RE.fullmatch(text):
        word = match["word"].lower()
        inner = _natural_read(match["rest"], languages)
        if inner is None or (word == "from" and RANGE_RE.fullmatch(match["rest"])):
            return _range_read(text, languages) if word == "from" else None
        edtf, calendar, _ = inner
        if word == "before":
            return f"../{_shift(_first(edtf), steps=-1)}", calendar, None
        if word == "after":
            return f"{_shift(_last(edtf), steps=1)}/..", calendar, None
        if word in ("by", "until", "till", "up to"):
            return f"../{_last(edtf)}", calendar, None
        return f"{_first(edtf)}/..", calendar, None  # since, from
    if read := _range_read(text, languages):
        return read
    return _dateparser_read(text, languages)


def _is_open(edtf):
    return not SET_RE.match(edtf) and ".." in edtf


def _range_read(text, languages):
    match = RANGE_RE.fullmatch(text)
    if not match:
        return None
    first_text, last_text = (match["a1"], match["b1"]) if match["a1"] else (match["a2"], match["b2"])
    if re.fullmatch(r"\d{2}", last_text.strip()) and re.fullmatch(r"\d{4}", first_text.strip()):
        last_text = first_text.strip()[:2] + last_text.strip()  # 2011–19
    era = re.search(rf"\s*(?:{ERA_BC}|{ERA_AD})$", last_text.strip())
    if era and re.fullmatch(r"\d[\d,]*", first_text.strip()):
        first_text = first_text.strip() + era.group(0)  # 500–300 BC: the era written once stands for both
    first, last = _natural_read(first_text, languages), _natural_read(last_text, languages)
    if first is None or last is None or "/" in _first(first[0]) or _is_open(first[0]) or _is_open(last[0]):
        return None
    calendar = "jalali" if "jalali" in (first[1], last[1]) else "gregorian"
    return f"{_first(first[0])}/{_last(last[0])}", calendar, None


@cache
def _date_parser(languages):
    from dateparser.date import DateDataParser

    # The language is given, not detected per call: faster, and no surprise readings. Relative
    # dates ("today", "3 days ago") are not dates a source can be cited for.
    return DateDataParser(
        languages=list(languages),
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PARSERS": ["custom-formats", "absolute-time"],
        },
    )


def _dateparser_read(text, languages):
    # dateparser fills what the text leaves out from today's date: without a year in the text it
    # would invent one, so such text is not read at all.
    if not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return None
    data = _date_parser(tuple(languages)).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    day = data.date_obj.date()
    period = data.period
    numbers = re.findall(r"(?<!\d)\d{1,2}(?!\d)", text)
    if period == "day" and not numbers:
        period = "month"  # "juillet 2022" must not become the first (or today's) day of it
    if period == "month" and not re.search(r"[^\W\d_]", text) and not numbers:
        period = "year"
    edtf = {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(period, f"{day:%Y-%m-%d}")
    return edtf, "gregorian", None


def date_to_edtf(text, *, languages=("en",)):
    """
    Bounds of a date as a person or a source writes it: EDTF as is ("2011/2019", "2007~"), English
    ("July 2022", "June 28, 2019", "mid-2015", "c. 2007", "before 2000", "between 2011 and 2019"),
    Solar Hijri ("15 مرداد 1397", "خرداد 1397", "1392 ش"), else dateparser in `languages`.
    Always at the precision written; a ValidationError says what would work.
    """
    text = " ".join(digits_ascii(text or "").split())
    if len(text) > DATE_TEXT_MAX_LENGTH:
        raise ValidationError(
            "This date is %(length)s characters long; a date is at most %(limit)s. Write it shorter, e.g. mid-2015 "
            "or between 2011 and 2019.",
            code="date_too_long",
            params={"length": len(text), "limit": DATE_TEXT_MAX_LENGTH},
        )
    try:
        return edtf_bounds(text)
    except ValidationError as exc:
        edtf_error = exc
    edtf_like = re.fullmatch(r"[\d\-/.~?%X]+", text)
    try:
        read = _natural_read(text, languages) if text else None
    except ValidationError as exc:
        if edtf_like and exc.code == "reversed_interval":
            raise edtf_error from None  # "2015-13": a month that does not exist, not 2015 back to 2013
        raise
    if read is None:
        if edtf_like:
            raise edtf_error  # written as EDTF: say what is wrong with it ("2023-02-29": no such day)
        raise ValidationError(
            "“%(value)s” is not a date Citeline can read. Try a year (2015), a month (July 2022 or 2022-07), a day "
            "(28 June 2019), c. 2007, before 2000, between 2011 and 2019, or a Solar Hijri date (خرداد 1397, 1392 ش).",
            code="unreadable_date",
            params={"value": text},
        )
    edtf, calendar, precision = read
    try:
        bounds = edtf_bounds(edtf)
    except ValidationError as exc:
        if edtf_like and exc.code == "reversed_interval":
            raise edtf_error from None
        raise
    changes = {"calendar": calendar}
    if precision is not None:
        changes["precision"] = precision  # a Jalali month is an interval of Gregorian days, but a month all the same
    return replace(bounds, **changes)

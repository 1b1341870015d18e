"""
Date mentions in a passage: where a date is written, what it means (EDTF and Gregorian bounds at
the precision written), in which calendar, and a guess at what it is for (an event, an author-year
citation, the document's publication date, or boilerplate).

Pure functions, no database and no dateparser: every form we read is a regular expression that
already knows its parts, so a whole corpus takes milliseconds and nothing is guessed per call.
Numbers that are not dates (page ranges, phone and street numbers, counts, "3 min read", report
numbers such as "36/2022") are refused by the guards below.
"""

import datetime
import importlib
import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError

from sources.dates import ENDPOINT_RE, OPEN_LOWER, OPEN_UPPER, Day, Precision, day_number, year_last_day
from sources.models import Calendar, MentionRole, PassageRole
from sources.natural_dates import (
    JALALI_MARK_RE,
    JALALI_MONTH_RE,
    MONTH_NAME_RE,
    PART_OF_YEAR,
    digits_ascii,
    gregorian_edtf,
    jalali_edtf,
    jalali_month_number,
    month_number,
)


@dataclass
class Mention:
    start: int  # offsets in the passage text
    end: int
    text: str
    edtf: str
    lower: int  # day numbers (sources.dates.day_number); OPEN_LOWER/OPEN_UPPER for an open end
    upper: int
    precision: str
    calendar: str
    role: str
    sentence_start: int
    sentence_end: int

    def as_json(self, *, offset=0):
        """The fields `extract_dates --json` prints; open ends are null."""
        return {
            "start": self.start + offset,
            "end": self.end + offset,
            "text": self.text,
            "edtf": self.edtf,
            "lower": Day(self.lower).isoformat() or None,
            "upper": Day(self.upper).isoformat() or None,
            "precision": self.precision,
            "calendar": self.calendar,
            "role": self.role,
        }


YEAR = r"(?:1[5-9]\d\d|20\d\d)"  # Gregorian years Citeline reads on their own: 1500–2099
JALALI_YEAR = r"(?:1[34]\d\d)"  # Solar Hijri 1300–1499 (1921–2121)
# A year is a number of its own: not glued to letters, digits or a slash, not the tail of
# "36/2022" or "1,156" or "269-2771", not the head of "2022-23" (a range) or "2016.5".
BEFORE = r"(?<![\w/.,:\-–—$€£¥#§])"
AFTER = r"(?![\w/]|[.,:]\d|[-–—]\d)"

PATTERNS = [
    # name, regex (on text whose digits are ASCII)
    (
        "jalali_day",
        rf"(?<!\d)(?P<day>\d{{1,2}})\s+(?P<month>{JALALI_MONTH_RE})\s+(?P<year>\d{{4}})(?:\s*{JALALI_MARK_RE})?(?!\d)",
    ),
    ("jalali_month", rf"(?<!\w)(?P<month>{JALALI_MONTH_RE})\s+(?:ماه\s+)?(?P<year>\d{{4}})(?:\s*{JALALI_MARK_RE})?(?!\d)"),
    ("jalali_year", rf"(?<![\d/])(?P<year>\d{{4}})\s*{JALALI_MARK_RE}"),
    (
        "day_month_year",
        rf"(?<![\w])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH_NAME_RE}),?\s+(?P<year>{YEAR}){AFTER}",
    ),
    ("month_day_year", rf"(?<![A-Z])(?P<month>{MONTH_NAME_RE})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>{YEAR}){AFTER}"),
    ("year_month_day", rf"{BEFORE}(?P<year>{YEAR}),\s+(?P<month>{MONTH_NAME_RE})\s+(?P<day>\d{{1,2}})(?!\d)"),
    ("month_year", rf"(?<![A-Z])(?P<month>{MONTH_NAME_RE}),?\s+(?:of\s+)?(?P<year>{YEAR}){AFTER}"),
    ("iso_day", rf"{BEFORE}(?P<year>{YEAR})-(?P<month>0[1-9]|1[0-2])-(?P<day>[0-3]\d)(?![\w-])"),
    # 16.01.2023 is always day.month.year; 16/01/2023 and 01/16/2023 depend on the language (see _read).
    ("dotted_day", rf"(?<![\w.,/$€£¥])(?P<day>\d{{1,2}})\.\s?(?P<month>\d{{1,2}})\.\s?(?P<year>{YEAR})(?![\w/]|[.,]\d)"),
    ("slashed_day", rf"(?<![\w.,/$€£¥-])(?P<a>\d{{1,2}})(?P<sep>[/-])(?P<b>\d{{1,2}})(?P=sep)(?P<year>{YEAR})(?![\w/-]|[.,]\d)"),
    ("range", rf"(?i:between)\s+(?P<first>{YEAR})\s+and\s+(?P<last>{YEAR}){AFTER}"),
    ("range", rf"(?i:from)\s+(?P<first>{YEAR})\s+(?:to|until|till|through)\s+(?P<last>{YEAR}){AFTER}"),
    ("range", rf"{BEFORE}(?P<first>{YEAR})\s?[–—-]\s?(?P<last>{YEAR}|\d\d){AFTER}"),
    ("qualified", rf"(?<!\w)(?P<word>c\.|ca\.|circa|approximately|approx\.)\s?(?P<year>{YEAR}){AFTER}"),
    ("part", rf"(?<!\w)(?P<part>(?i:early|mid|late))[\s-](?P<year>{YEAR}){AFTER}"),
    ("bounded", rf"(?<!\w)(?P<word>(?i:before|after|since))\s+(?P<year>{YEAR}){AFTER}"),
    ("decade", r"(?<![\w'’])(?:(?P<part>early|mid|late)[\s-])?(?P<decade>1[5-9]\d|20\d)0s(?!\w)"),
    ("century", r"(?<!\w)(?P<century>1[5-9]|2[01])(?:st|nd|rd|th)[\s-]century(?!\w)"),
    ("year", rf"{BEFORE}(?P<year>{YEAR}|{JALALI_YEAR}){AFTER}"),
]
PATTERNS = [(name, re.compile(pattern)) for name, pattern in PATTERNS]
DIGIT_RE = re.compile(r"\d")

# What stands just before or after a number that is not a date.
NOT_A_DATE_BEFORE_RE = re.compile(
    r"(?:\bpp?\.|\bpages?|\bNo\.?|\bnos?\.|\bvol\.?|\bnumber|#|\bISBN|\bISSN|\bdoi:?|\bgrant|\breport|\bfollowers|\bfollowing|"
    r"\bviews|\bclaps|\bresponses|\bcomments|\blikes|\bphone|\btel\.?|\bfax|صص|ص\.|شماره|گزارش"
    r"|\bS\.|\bSeiten?|\bpág(?:ina)?s?\.?|\bстр\.|\bс\.|\bRn\.|\bRdnr\.|\bArt\.|\barticle|\bsection|§+|\bpara(?:graph)?\.?"
    r"|\brooms?|\bsuite|\bflat|\bapartment|\bzimmer|\braum|\bsalle|\bbureau|\bgate|\bplatform|\bbus|\broute|\bflight"
    r"|\bhighway|\bmodel|\bzip|\bpostcode|\bbox|\bunit|\bbuilding|\bfloor|\bitem|\bcode|\bUS\$|\bUSD|\bEUR|\bRs\.?"
    r"|\b(?:film|movie|novel|album|song|book|play|game|series|titled|called|Roman|roman|película|filme)\s*[\"“‘'«„]?)\s*:?\s*$",
    re.I,
)
# "NJW 2002, 1700, 1701", "BGHZ 154, 1739–1752": after a law report's abbreviation and its year or
# volume come page numbers, never years.
LEGAL_CITATION_RE = re.compile(
    r"\b(?:[A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z]{2,})\.?\s+\(?\d{1,4}\)?\s*,\s*"
    r"(?P<pages>\d{1,5}(?:\s*[-–]\s*\d{1,5})?(?:\s*(?:,|f\.|ff\.)\s*\d{1,5}(?:\s*[-–]\s*\d{1,5})?)*)"
)
# A number in quotation marks is a title ("1917", the film), not a year.
QUOTED_BEFORE_RE = re.compile(r"[\"“‘'«„»]$")
QUOTED_AFTER_RE = re.compile(r"^[\"”’'»“«]")
NOT_A_DATE_AFTER_RE = re.compile(
    r"^\s*(?:min\b|mins\b|minutes?\b|hours?\b|seconds?\b|followers|views|claps|km\b|kilometres|kilometers|miles|metres|meters|"
    r"people|troops|soldiers|tanks|aircraft|jets|drones|missiles|ships|vehicles|units|words|pages|%|percent|per cent|dollars|euros|rubles|roubles|tons|tonnes|barrels|USD|"
    r"(?:[A-Z][a-z]+\s+){0,3}(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Drive|Way|Branch|Court|Place|Square)\b)"
)
# "Chaput (2022) writes", "Reuters (2023)", "(Reuters, 2023)", "(Walt 1987: 5)", "(Katz et al., 2018a)".
AUTHOR_BEFORE_PAREN_RE = re.compile(r"[A-Z][\w'’.-]+(?:\s+(?:et al\.|and|&)(?:\s+[A-Z][\w'’.-]+)?)?\s*\($")
AUTHOR_IN_PAREN_RE = re.compile(r"\((?:[^()]{0,80}?[;,]\s*)?[A-Z][\w'’.-]+(?:\s+(?:et al\.|and|&)(?:\s+[A-Z][\w'’.-]+)?)?,?\s+$")
CITATION_AFTER_RE = re.compile(r"^[a-z]?(?:\s*[:,]\s*(?:pp?\.\s*)?\d+(?:[-–]\d+)?)?(?:[;,][^()]{0,80})?\)")
PUBLICATION_HINT_RE = re.compile(r"copyright|©|\(c\)|min read|published|posted|updated|issued|last modified", re.I)
# A sentence ends at . ! ? ؟ followed by white space and a capital (or the end of the text):
# "U.S. threat" and "c. 2007" do not end one.
SENTENCE_END_RE = re.compile(r"[.!?؟](?=[\"”’)]?(?:\s+[\"“‘(]?[A-Z\u0600-\u06ff]|\s*$))")
PERSIAN_LANGUAGES = {"fa", "ps", "tg", "ur", "ar", "ku"}
# Arabic script, which Persian is written in: a bare 13xx year there may be Solar Hijri.
ARABIC_SCRIPT_RE = re.compile(r"[\u0600-\u06ff]")


def _numeric_day(a, b, year, language):
    """
    16/01/2023 or 01/16/2023: a number above 12 is the day; otherwise the language decides (day first
    in German, French, Persian…). Where it cannot (English is written both ways, or no language), the
    reading is marked uncertain ("?"), so that an editor checks it.
    """
    language = (language or "").split("-")[0]
    if a > 12 and b > 12:
        return None
    if a > 12 or b > 12 or a == b:
        day, month = (a, b) if a > 12 or a == b else (b, a)
        return gregorian_edtf(year, month, day), Calendar.GREGORIAN, Precision.DAY
    if language in DAY_FIRST_LANGUAGES:
        return gregorian_edtf(year, b, a), Calendar.GREGORIAN, Precision.DAY
    month, day = a, b  # month first, as in the US, but flagged
    return gregorian_edtf(year, month, day) + "?", Calendar.GREGORIAN, Precision.DAY


def _read(name, match, *, persian, language=""):
    """(edtf, calendar, precision) for one pattern match, or None when it is not a date after all."""
    group = match.group
    if name == "jalali_day":
        return (
            jalali_edtf(int(group("year")), jalali_month_number(group("month")), int(group("day"))),
            Calendar.JALALI,
            Precision.DAY,
        )
    if name == "jalali_month":
        return jalali_edtf(int(group("year")), jalali_month_number(group("month"))), Calendar.JALALI, Precision.MONTH
    if name == "jalali_year":
        return jalali_edtf(int(group("year"))), Calendar.JALALI, Precision.YEAR
    if name in ("day_month_year", "month_day_year", "year_month_day", "iso_day"):
        month = int(group("month")) if name == "iso_day" else month_number(group("month"))
        return gregorian_edtf(group("year"), month, group("day")), Calendar.GREGORIAN, Precision.DAY
    if name == "month_year":
        return gregorian_edtf(group("year"), month_number(group("month"))), Calendar.GREGORIAN, Precision.MONTH
    if name == "day_month_year_named":
        month = _month_of(group("month"), language)
        return gregorian_edtf(group("year"), month, group("day")), Calendar.GREGORIAN, Precision.DAY
    if name == "month_year_named":
        return gregorian_edtf(group("year"), _month_of(group("month"), language)), Calendar.GREGORIAN, Precision.MONTH
    if name == "dotted_day":
        return gregorian_edtf(group("year"), group("month"), group("day")), Calendar.GREGORIAN, Precision.DAY
    if name == "slashed_day":
        return _numeric_day(int(group("a")), int(group("b")), group("year"), language)
    if name == "range":
        first, last = group("first"), group("last")
        if len(last) == 2:
            last = first[:2] + last
        if int(last) <= int(first) or int(last) - int(first) > 200:
            return None  # "1990-1985" or "1500-2000" are not how a source writes a period
        return f"{first}/{last}", Calendar.GREGORIAN, Precision.YEAR
    if name == "qualified":
        return f"{group('year')}~", Calendar.GREGORIAN, Precision.YEAR
    if name == "part":
        year, (first, last) = group("year"), PART_OF_YEAR[group("part").lower()]
        return f"[{year}-{first}..{year}-{last}]", Calendar.GREGORIAN, Precision.SEASON  # one point: sources.dates.SET_RE
    if name == "bounded":
        year, word = int(group("year")), group("word").lower()
        edtf = {"before": f"../{year - 1}", "after": f"{year + 1}/..", "since": f"{year}/.."}[word]
        return edtf, Calendar.GREGORIAN, Precision.YEAR
    if name == "decade":
        return f"{group('decade')}X", Calendar.GREGORIAN, Precision.DECADE
    if name == "century":
        return f"{int(group('century')) - 1}XX", Calendar.GREGORIAN, Precision.CENTURY
    year = int(group("year"))
    if year < 1500:  # 13xx/14xx: a Solar Hijri year, in a Persian passage only
        return (jalali_edtf(year), Calendar.JALALI, Precision.YEAR) if persian else None
    return group("year"), Calendar.GREGORIAN, Precision.YEAR


def _endpoint_lower_upper(value):
    match = ENDPOINT_RE.match(value)
    year = match["year"]
    if "X" in year:
        first, last = int(year.replace("X", "0")), int(year.replace("X", "9"))
        return day_number(first), year_last_day(last)
    year, month, day = int(year), match["month"], match["day"]
    if day:
        return (day_number(year, int(month), int(day)),) * 2
    if month:
        first = datetime.date(2000 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 2001, int(month), 1)
        length = ((first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - first).days
        return day_number(year, int(month)), day_number(year, int(month), length)
    return day_number(year), year_last_day(year)


def edtf_lower_upper(edtf):
    """
    Bounds of the EDTF forms the extractor writes (a day, month, year, decade or century, "~", and
    intervals of them, open or not), without a full EDTF parse: the same as sources.dates.edtf_bounds,
    a hundred times faster (tests/sources/test_extract_dates.py compares them).
    """
    if edtf.startswith("[") and edtf.endswith("]"):  # one of a set: "[2015-04..2015-09]"
        first, _, last = edtf[1:-1].partition("..")
        return _endpoint_lower_upper(first)[0], _endpoint_lower_upper(last)[1]
    first, _, last = edtf.partition("/")
    if not last:
        return _endpoint_lower_upper(first)
    lower = OPEN_LOWER if first == ".." else _endpoint_lower_upper(first)[0]
    upper = OPEN_UPPER if last == ".." else _endpoint_lower_upper(last)[1]
    if lower > upper:
        raise ValueError(edtf)
    return lower, upper


def _is_number_not_date(text, start, end):
    before = text[max(0, start - 24) : start]
    if QUOTED_BEFORE_RE.search(before) and QUOTED_AFTER_RE.match(text[end : end + 1]):
        return True
    return bool(NOT_A_DATE_BEFORE_RE.search(before) or NOT_A_DATE_AFTER_RE.match(text[end : end + 40]))


# Month names in more languages, from dateparser's language data (read once, then plain regular
# expressions, so extraction stays as fast as for English). A passage uses the names of its own language.
MONTH_LANGUAGES = ("de", "fr", "es", "it", "pt", "ru", "ar")
MONTH_KEYS = "january february march april may june july august september october november december".split()
# Numeric order: languages that write the month first in 01/16/2023. English is both (US and UK): ambiguous.
MONTH_FIRST_LANGUAGES = {"en"}
DAY_FIRST_LANGUAGES = {"de", "fr", "es", "it", "pt", "ru", "ar", "fa", "nl", "pl", "tr", "uk", "sv", "he", "ur"}


@cache
def month_names(language):
    """{lower-case month name: number} for a language, names of at least four letters (three in Cyrillic and Arabic)."""
    try:
        data = importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
    except ImportError:
        return {}
    names = {}
    for number, key in enumerate(MONTH_KEYS, start=1):
        for name in data.get(key, []):
            name = name.lower()
            if len(name) >= 4 or (len(name) >= 3 and not name.isascii() and not re.search(r"[a-zà-ÿ]", name)):
                names.setdefault(name, number)
    return names


@cache
def language_patterns(language):
    """The day-month-year and month-year patterns for one language's month names ("24. Oktober 2005", "octobre 2007")."""
    names = month_names(language)
    if not names:
        return []
    alternation = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    month = rf"(?P<month>(?i:{alternation}))\.?"
    year = rf"(?P<year>{YEAR})(?:\s?(?:г\.|года|гг\.))?"
    return [
        (
            "day_month_year_named",
            re.compile(rf"(?<![\w.])(?P<day>\d{{1,2}})(?:\.|er|º|ª|°)?\s*(?:de\s+)?{month},?\s+(?:de\s+|del\s+)?{year}{AFTER}"),
        ),
        ("month_year_named", re.compile(rf"(?<!\w){month},?\s+(?:de\s+|del\s+)?{year}{AFTER}")),
    ]


def _month_of(name, language):
    return month_names(language).get(name.lower().rstrip("."))


def role_guess(text, start, end, *, passage_role="body", role_reason=""):
    """event, citation, publication or boilerplate, from the passage's role and the words around the date."""
    if passage_role == PassageRole.REFERENCE:
        return MentionRole.CITATION
    if passage_role == PassageRole.BOILERPLATE:
        return MentionRole.PUBLICATION if PUBLICATION_HINT_RE.search(f"{role_reason} {text}") else MentionRole.BOILERPLATE
    before, after = text[max(0, start - 100) : start], text[end : end + 100]
    if CITATION_AFTER_RE.match(after) and (AUTHOR_BEFORE_PAREN_RE.search(before) or AUTHOR_IN_PAREN_RE.search(before)):
        return MentionRole.CITATION
    return MentionRole.EVENT


def sentence_bounds(text, start, end):
    """Offsets of the sentence around text[start:end]."""
    sentence_start = 0
    for match in SENTENCE_END_RE.finditer(text, 0, start):
        sentence_start = match.end()
    while sentence_start < start and text[sentence_start].isspace():
        sentence_start += 1
    match = SENTENCE_END_RE.search(text, end)
    sentence_end = match.end() if match else len(text.rstrip())
    return sentence_start, max(sentence_end, end)


def mentions_extract(text, *, passage_role=PassageRole.BODY, role_reason="", language="", direction="ltr"):
    """Every date mention in a passage's text, in order, none overlapping another."""
    if not DIGIT_RE.search(text) and not re.search(r"[۰-۹٠-٩]", text):
        return []
    ascii_text = digits_ascii(text)  # same length, so offsets hold
    persian = language in PERSIAN_LANGUAGES or direction == "rtl" or bool(ARABIC_SCRIPT_RE.search(text))
    base_language = (language or "").split("-")[0]
    patterns = PATTERNS + (language_patterns(base_language) if base_language in MONTH_LANGUAGES else [])
    found = [
        (match.end() - match.start(), priority, match.start(), name, match)
        for priority, (name, pattern) in enumerate(patterns)
        for match in pattern.finditer(ascii_text)
    ]
    # Page numbers of law reports ("NJW 2002, 1700, 1701") are taken before any pattern can read them as years.
    legal = list(LEGAL_CITATION_RE.finditer(ascii_text))
    taken = [citation.span("pages") for citation in legal]
    found.sort(key=lambda item: (-item[0], item[1], item[2]))  # the longest reading wins, then the earlier pattern
    mentions = []
    for length, _, start, name, match in found:
        end = start + length
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        if name in ("year", "range", "iso_day", "dotted_day", "slashed_day") and _is_number_not_date(ascii_text, start, end):
            continue
        try:
            read = _read(name, match, persian=persian, language=base_language)
            if read is None:
                continue
            edtf, calendar, precision = read
            lower, upper = edtf_lower_upper(edtf)
        except (ValidationError, ValueError):
            continue  # "31 February 2020": written like a date, but none
        taken.append((start, end))
        sentence_start, sentence_end = sentence_bounds(text, start, end)
        mentions.append(
            Mention(
                start=start,
                end=end,
                text=text[start:end],
                edtf=edtf,
                lower=lower,
                upper=upper,
                precision=str(precision),
                calendar=str(calendar),
                role=str(
                    MentionRole.CITATION
                    if any(citation.start() <= start < citation.start("pages") for citation in legal)
                    else role_guess(ascii_text, start, end, passage_role=passage_role, role_reason=role_reason)
                ),
                sentence_start=sentence_start,
                sentence_end=sentence_end,
            )  # fmt: skip
        )
    mentions.sort(key=lambda mention: mention.start)
    return mentions


def passage_mentions(passage):
    """The date mentions of a passage (a Passage, or a parsed one): mentions_extract with what the passage knows of itself."""
    return mentions_extract(
        passage.text,
        passage_role=passage.role,
        role_reason=passage.role_reason,
        language=passage.language,
        direction=passage.direction,
    )


def document_mentions(parsed):
    """[(passage index, Mention)] for every passage of a parsed document (sources.ingest.ParsedDocument)."""
    return [(index, mention) for index, passage in enumerate(parsed.passages) for mention in passage_mentions(passage)]


def offsets_map(original, normalised):
    """
    For each offset in `normalised` (and one past its end), the offset in `original` it comes from.
    Normalising (sources.ingest.text_normalise) collapses white space, joins wrapped lines, unifies
    line breaks and drops a BOM, so the other characters appear in the same order in both.
    """
    mapping, position, length = [], 0, len(original)
    for char in normalised:
        if char.isspace():
            # One space or line break here stands for a run of white space there.
            mapping.append(position)
            while position < length and (original[position].isspace() or original[position] == "\ufeff"):
                position += 1
            continue
        probe = position
        while probe < length and original[probe] != char and (original[probe].isspace() or original[probe] == "\ufeff"):
            probe += 1
        if probe < length and original[probe] == char:
            position = probe
        mapping.append(position)
        position = min(position + 1, length)
    mapping.append(position)
    return mapping

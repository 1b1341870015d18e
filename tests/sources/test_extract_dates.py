"""`manage.py extract_dates` and sources.extract: date mentions on the demo documents, their bounds and roles, and no false positives."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sources.dates import edtf_bounds
from sources.extract import edtf_lower_upper, mentions_extract
from sources.ingest import bytes_decode
from timeline.management.commands.demo import DEMO_MANIFEST

DEMO = DEMO_MANIFEST.parent


def extract(name):
    """The command's JSON for one demo file."""
    stdout = StringIO()
    call_command("extract_dates", str(DEMO / name), "--json", stdout=stdout)
    return json.loads(stdout.getvalue())


def find(mentions, text, **fields):
    """The mentions whose text is `text` (and whose other fields match)."""
    return [m for m in mentions if m["text"] == text and all(m[k] == v for k, v in fields.items())]


@pytest.mark.parametrize("name", sorted(path.name for path in DEMO.glob("*.txt")))
def test_offsets_point_into_the_decoded_file(name):
    """Every mention's start and end cut its own text out of the file's decoded (not normalised) text."""
    decoded = bytes_decode((DEMO / name).read_bytes(), filename=name, max_bytes=10**7)
    mentions = extract(name)
    assert mentions
    for mention in mentions:
        assert decoded[mention["start"] : mention["end"]] == mention["text"]
        assert set(mention) == {"start", "end", "text", "edtf", "lower", "upper", "precision", "calendar", "role"}


def test_amiri_abstract_years_and_intervals():
    """000: the title's 2002–2023 and "from 2002 to 2023" are intervals; the turning-point years are events; the copyright year is publication."""
    mentions = extract("000_e1ca9683c9145939.txt")
    (title,) = find(mentions, "2002–2023")
    assert (title["edtf"], title["lower"], title["upper"], title["role"]) == ("2002/2023", "2002-01-01", "2023-12-31", "event")
    assert find(mentions, "from 2002 to 2023", edtf="2002/2023", role="event")
    for year in ("2003", "2015", "2018", "2022"):
        assert find(mentions, year, role="event", precision="year", lower=f"{year}-01-01", upper=f"{year}-12-31")
    assert find(mentions, "2026", role="publication")
    # The abstract repeated under "References" is boilerplate (a duplicate), and so are its dates.
    assert find(mentions, "2003", role="boilerplate")


def test_bahrami_author_year_citations_and_event_dates():
    """001: "Ballesteros (2022)" and the reference list are citations; "October 2023" is a month; page numbers are no dates."""
    mentions = extract("001_db7b924081e6081b.txt")
    decoded = (DEMO / "001_db7b924081e6081b.txt").read_text(encoding="utf-8")
    ballesteros = decoded.index("Ballesteros (2022) writes") + len("Ballesteros (")
    assert [m["role"] for m in mentions if m["start"] == ballesteros] == ["citation"]
    assert find(mentions, "October 2023", edtf="2023-10", lower="2023-10-01", upper="2023-10-31", precision="month", role="event")
    assert find(mentions, "2015", role="event")
    assert find(mentions, "July 2022", edtf="2022-07")  # in an image caption
    references = [m for m in mentions if m["start"] > decoded.index("Ballesteros, M. (2022)") - 1]
    assert references and all(m["role"] == "citation" for m in references)
    texts = {m["text"] for m in mentions}
    assert "36" not in texts and "15" not in texts and "36/2022" not in texts  # "IEEE 36/2022, p. 15"
    assert not any(decoded[m["start"] - 1] == "/" for m in mentions)


def test_unattributed_article_dates_and_boilerplate_numbers():
    """002: "June 28, 2019" is a day, "since 2022" an open interval; the fake author's phone, address and follower counts are not dates."""
    mentions = extract("002_e05fd0d68151cb35.txt")
    assert find(
        mentions, "June 28, 2019", edtf="2019-06-28", lower="2019-06-28", upper="2019-06-28", precision="day", role="event"
    )
    assert find(mentions, "since 2022", edtf="2022/..", lower="2022-01-01", upper=None, role="event")
    assert find(mentions, "2025", role="event")
    assert find(mentions, "1996-01-28", role="boilerplate")  # the persona's birthdate
    texts = " ".join(m["text"] for m in mentions)
    for number in ("6363", "2558", "2771", "3273", "24857", "37904", "781"):
        assert number not in texts


def test_persian_references_convert_exactly_from_solar_hijri():
    """003: Solar Hijri days, months and bare years in the Persian reference list convert to exact Gregorian bounds."""
    mentions = extract("003_8446c575aebdc68e.txt")
    (day,) = find(mentions, "15 مرداد 1397")
    assert (day["edtf"], day["lower"], day["upper"], day["precision"], day["calendar"], day["role"]) == (
        "2018-08-06", "2018-08-06", "2018-08-06", "day", "jalali", "citation",
    )  # fmt: skip
    (month,) = find(mentions, "خرداد 1397")
    assert (month["edtf"], month["lower"], month["upper"], month["precision"]) == (
        "2018-05-22/2018-06-21",
        "2018-05-22",
        "2018-06-21",
        "month",
    )
    assert find(mentions, "20 اسفند 1397", edtf="2019-03-11")
    (year,) = find(mentions, "1392")
    assert (year["lower"], year["upper"], year["calendar"], year["precision"]) == ("2013-03-21", "2014-03-20", "jalali", "year")
    assert find(mentions, "2013", calendar="gregorian", role="citation")  # "Asisian, Njdeh. (2013)": an English entry
    texts = {m["text"] for m in mentions}
    assert not texts & {"21", "40", "12", "9504", "146"}  # "صص 21-40", "شماره 12", "گزارش 9504", "No. 146"
    assert "2018, Jul 10" in texts


def test_baghai_blog_post_publication_date_and_events():
    """004: the "3 min readJul 16, 2023" byline is the publication date; the history's years are events."""
    mentions = extract("004_daa38ce72eae267e.txt")
    assert find(mentions, "Jul 16, 2023", edtf="2023-07-16", role="publication")
    for year in ("1979", "1980", "1991", "2000", "2007", "2011", "2019", "2022"):
        assert find(mentions, year, role="event"), year
    assert find(mentions, "20th century", edtf="19XX", precision="century")
    assert not find(mentions, "3")


@pytest.mark.parametrize(
    "text",
    [
        "See pp. 21-40 and p. 15 of the report.",
        "Call (781) 269-2771 or +1 202 555 0143.",
        "They live at 1600 Pennsylvania Avenue.",
        "followers : 6363",
        "3 min read",
        "The second round may begin today.",
        "Opinion Paper IEEE 36/2022, p. 15.",
        "It sent 2000 troops and 1500 tanks.",
    ],
)
def test_numbers_that_are_not_dates_are_not_mentions(text):
    """Page ranges, phone and street numbers, counts, reading times, "second", "may" and "today" give no mention."""
    assert mentions_extract(text) == []


def test_author_year_citations_in_running_text():
    """ "Chaput (2022)" and "(Reuters, 2023)" are citation years; a year in a sentence is an event."""
    roles = {
        m.text: m.role
        for m in mentions_extract("Chaput (2022) argues, as others do (Reuters, 2023), that ties deepened in 2015.")
    }
    assert roles == {"2022": "citation", "2023": "citation", "2015": "event"}


def test_ranges_are_intervals_and_sentences_are_found():
    """ "2002–2023", "from 2011 to 2019" and "between 2011 and 2019" are intervals; each mention knows its sentence."""
    text = "The war lasted from 2011 to 2019. Sanctions grew between 2011 and 2019. See 2002–2023."
    mentions = mentions_extract(text)
    assert [m.edtf for m in mentions] == ["2011/2019", "2011/2019", "2002/2023"]
    assert text[mentions[1].sentence_start : mentions[1].sentence_end] == "Sanctions grew between 2011 and 2019."


def test_a_bare_jalali_year_needs_a_persian_passage():
    """1397 is a Solar Hijri year in a Persian passage, and not a date at all in an English one."""
    (mention,) = mentions_extract("کولایی (1397)", language="fa", direction="rtl")
    assert (mention.calendar, mention.edtf) == ("jalali", "2018-03-21/2019-03-20")
    assert mentions_extract("Case 1397 was closed.", language="en") == []


@pytest.mark.parametrize(
    "edtf",
    [
        "2015",
        "2022-07",
        "2024-02",
        "2019-06-28",
        "199X",
        "19XX",
        "2011/2019",
        "../1999",
        "2022/..",
        "2007~",
        "2015-04/2015-09",
        "[2015-04..2015-09]",
    ],
)
def test_fast_bounds_agree_with_the_edtf_parser(edtf):
    """The extractor's own bounds are the ones sources.dates.edtf_bounds gives."""
    bounds = edtf_bounds(edtf)
    assert edtf_lower_upper(edtf) == (bounds.lower, bounds.upper)


def test_several_files_print_an_object_keyed_by_file_name():
    """With several files, --json prints {file name: [mentions]}."""
    stdout = StringIO()
    names = [str(DEMO / "000_e1ca9683c9145939.txt"), str(DEMO / "004_daa38ce72eae267e.txt")]
    call_command("extract_dates", *names, "--json", stdout=stdout)
    assert list(json.loads(stdout.getvalue())) == names

"""From a file's bytes to passages with roles, language and direction (sources.ingest)."""

import re
import unicodedata

import pytest

from sources.ingest import ImportRefused, bytes_decode, document_parse, text_normalise, text_split
from sources.models import PassageRole, Source

AMIRI = "amiri-us-threat-alignment"
BAHRAMI = "bahrami-counter-russia-iran-ties"
ALLIANCE = "russia-iran-strategic-alliance-reshaping"
NEW_CENTURY = "iran-russia-relations-new-century"
BAGHAI = "baghai-unlikely-alliance"
DEMO_SLUGS = [AMIRI, BAHRAMI, ALLIANCE, NEW_CENTURY, BAGHAI]
PERSIAN_RE = re.compile(r"[\u0600-\u06ff]")


def passages_of(slug):
    return list(Source.objects.get(slug=slug).passages.order_by("ordinal"))


def passages_starting(slug, start):
    found = [passage for passage in passages_of(slug) if passage.text.startswith(start)]
    assert found, f"no passage of {slug} starts with {start!r}"
    return found


def only_passage_starting(slug, start):
    (passage,) = passages_starting(slug, start)
    return passage


# The demo corpus, as imported into the test database.


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_demo_passages_match_source_text_at_their_offsets(slug):
    """Every passage of every demo source is exactly the source text at its offsets, numbered from 1."""
    source = Source.objects.get(slug=slug)
    passages = list(source.passages.order_by("ordinal"))
    assert passages
    assert [passage.ordinal for passage in passages] == list(range(1, len(passages) + 1))
    for passage in passages:
        assert source.text[passage.start : passage.end] == passage.text


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_demo_passages_are_non_empty_lines_in_order(slug):
    """Passages follow each other through the text and none spans a line break or starts with a space."""
    passages = passages_of(slug)
    for before, after in zip(passages, passages[1:], strict=False):
        assert before.end < after.start
    for passage in passages:
        assert passage.text and "\n" not in passage.text and passage.text == passage.text.strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start",
    ["Name : ", "Username : ", "Email : ", "Birthdate : ", "Address : ", "Phone : ", "Company : ", "Job : ", "Bio : ",
     "Detail Author:", "Socials", "linkedin:", "facebook:", "instagram:", "url : ", "username : ", "bio : ",
     "followers : ", "following : ", "tiktok:"],
)  # fmt: skip
def test_alliance_fake_author_block_is_boilerplate(start):
    """The generated author profile and socials at the end of 002 are never offered for citation."""
    for passage in passages_starting(ALLIANCE, start):
        assert passage.role == PassageRole.BOILERPLATE, passage.text


@pytest.mark.django_db
def test_alliance_author_block_lines_lose_their_bullets():
    """The bulleted profile lines of 002 are stored without their bullets, and their offsets still hold."""
    source = Source.objects.get(slug=ALLIANCE)
    passage = only_passage_starting(ALLIANCE, "Name : ")
    assert passage.text == "Name : Humberto Larson"
    assert source.text[passage.start - 2 : passage.start] == "• "


@pytest.mark.django_db
def test_alliance_repeated_map_captions_are_boilerplate():
    """The repeated "Map of Russia - Guide of the World" image captions in 002 are boilerplate."""
    captions = passages_starting(ALLIANCE, "Map of Russia - Guide of the World")
    assert len(captions) == 4
    assert {passage.role for passage in captions} == {PassageRole.BOILERPLATE}


@pytest.mark.django_db
def test_alliance_article_text_is_body():
    """The article's own paragraphs in 002, right up to its conclusion, stay citable body text."""
    for start in ["The strategic partnership between Russia and Iran", "In conclusion, the strategic partnership"]:
        assert only_passage_starting(ALLIANCE, start).role == PassageRole.BODY
    assert only_passage_starting(ALLIANCE, "Historical Underpinnings").role == PassageRole.HEADING


@pytest.mark.django_db
def test_amiri_repeated_abstract_is_a_duplicate():
    """In 000 the abstract is body where it first appears and boilerplate, pointing back to it, where it is repeated."""
    first, second = passages_starting(AMIRI, "This article analyses the evolution of Russia–Iran relations")
    assert first.text == second.text
    assert (first.role, first.ordinal) == (PassageRole.BODY, 3)
    assert (second.role, second.role_reason) == (PassageRole.BOILERPLATE, "duplicate of ¶3")


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Abstract", "References"])
def test_amiri_section_titles_are_headings(text):
    """The one-word section titles of 000 are headings."""
    assert only_passage_starting(AMIRI, text).role == PassageRole.HEADING


@pytest.mark.django_db
def test_amiri_licence_lines_are_boilerplate():
    """The copyright and licence lines at the end of 000 are boilerplate."""
    for start in ["Copyright (c) 2026", "This work is licensed under"]:
        assert only_passage_starting(AMIRI, start).role == PassageRole.BOILERPLATE


@pytest.mark.django_db
def test_new_century_references_have_their_script_direction_and_language():
    """In 003 the Persian reference entries read right to left in Persian, the English ones left to right in English."""
    passages = passages_of(NEW_CENTURY)
    heading = next(passage for passage in passages if passage.text == "منابع")
    assert (heading.role, heading.direction, heading.language) == (PassageRole.HEADING, "rtl", "fa")
    entries = [passage for passage in passages if passage.ordinal > heading.ordinal]
    persian = [passage for passage in entries if PERSIAN_RE.search(passage.text)]
    english = [passage for passage in entries if not PERSIAN_RE.search(passage.text)]
    assert len(persian) >= 10 and len(english) >= 20
    for passage in persian:
        assert (passage.role, passage.direction, passage.language) == ("reference", "rtl", "fa"), passage.text
    for passage in english:
        assert (passage.role, passage.direction) == ("reference", "ltr"), passage.text
    assert {passage.language for passage in english[:-2]} == {"en"}  # the last two are bare "http//…" stubs


@pytest.mark.django_db
def test_new_century_abstract_is_english_body():
    """The English abstract of 003 is body text, left to right, in English."""
    abstract = only_passage_starting(NEW_CENTURY, "Over the past three decades")
    assert (abstract.role, abstract.direction, abstract.language) == ("body", "ltr", "en")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start",
    ["Hamid Bahrami", "Russian President visited Iran July 2022. Photo from", "About the Author",
     "Independent Middle East analyst", "Related Posts"],
)  # fmt: skip
def test_bahrami_site_furniture_is_boilerplate(start):
    """In 001 the byline, photo caption, author blurb and related-posts box are boilerplate."""
    assert only_passage_starting(BAHRAMI, start).role == PassageRole.BOILERPLATE


@pytest.mark.django_db
def test_bahrami_reference_list_is_references():
    """In 001 the Harvard-style entries from "Ballesteros, M. (2022)" on are reference entries, and the text before them is not."""
    passages = passages_of(BAHRAMI)
    first = only_passage_starting(BAHRAMI, "Ballesteros, M. (2022)")
    last = only_passage_starting(BAHRAMI, "Therme, C. (2022)")
    entries = passages[first.ordinal - 1 : last.ordinal]
    assert len(entries) == 9
    assert {passage.role for passage in entries} == {PassageRole.REFERENCE}
    assert PassageRole.REFERENCE not in {passage.role for passage in passages[: first.ordinal - 1]}


@pytest.mark.django_db
def test_bahrami_title_and_section_headings():
    """In 001 the title and the section titles are headings and the paragraphs under them body."""
    assert only_passage_starting(BAHRAMI, "How to counter Russia-Iran deepening ties?").role == PassageRole.HEADING
    assert only_passage_starting(BAHRAMI, "Pushing Iran away from Russia").role == PassageRole.HEADING
    assert only_passage_starting(BAHRAMI, "Russia-Iran close ties help Moscow").role == PassageRole.BODY


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["3 min readJul 16, 2023", "--", "Responses (1)", "Christian Baghai"])
def test_baghai_medium_furniture_is_boilerplate(text):
    """In 004 Medium's reading time, separators, response count and byline are boilerplate."""
    matches = [passage for passage in passages_of(BAGHAI) if passage.text == text]
    assert matches
    assert {passage.role for passage in matches} == {PassageRole.BOILERPLATE}


@pytest.mark.django_db
def test_baghai_article_paragraphs_are_body():
    """Every paragraph of the 004 article between its header and its footer is body text."""
    body = [passage for passage in passages_of(BAGHAI) if passage.role == PassageRole.BODY]
    assert len(body) == 8
    assert body[0].text.startswith("Alliances often form out of necessity")
    assert body[-1].text.startswith("The invasion of Ukraine by Russia in 2022")


# Normalisation.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301 in Tehran", "Café in Tehran"),
        ("First line\r\nSecond line\r\n", "First line\nSecond line"),
        ("Old Mac line\rNext line", "Old Mac line\nNext line"),
        ("Russia\t\tand\u00a0\u00a0Iran\u2003signed", "Russia and Iran signed"),
        ("Trailing spaces   \n  Leading spaces", "Trailing spaces\nLeading spaces"),
        ("One\n\n\n\n\nTwo", "One\n\nTwo"),
        ("\n\n  \nOnly paragraph\n \n\n", "Only paragraph"),
        ("One\n \t \nTwo", "One\n\nTwo"),
        ("\ufeffTitle", "Title"),
        ("Paragraph\u2029Next paragraph", "Paragraph\n\nNext paragraph"),
        ("می\u200cشود", "می\u200cشود"),
    ],
    ids=["NFC", "CRLF", "CR", "tabs and NBSP", "edge spaces", "blank-line run", "blank edges",
         "blank line of spaces", "BOM", "paragraph separator", "ZWNJ kept"],
)  # fmt: skip
def test_text_normalise(raw, expected):
    """Text is stored in one canonical form, so the same words always have the same offsets."""
    assert text_normalise(raw) == expected


def test_text_normalise_composes_accents_as_nfc():
    """A decomposed accent becomes one precomposed character, so a quote typed either way matches."""
    normalised = text_normalise("Re\u0301sume\u0301")
    assert normalised == "Résumé" and len(normalised) == 6
    assert unicodedata.is_normalized("NFC", normalised)


WRAPPED = (
    "The strategic convergence between Russia and Iran is not a sudden\n"
    "phenomenon but rather the result of decades of shared interests and\n"
    "mutual suspicion of Western power, sharpened by sanctions on both of\n"
    "them."
)


def test_text_normalise_unwraps_hard_wrapped_paragraph():
    """A paragraph hard-wrapped at a fixed width becomes one line, so it becomes one passage."""
    assert text_normalise(WRAPPED) == WRAPPED.replace("\n", " ")


@pytest.mark.parametrize(
    "block",
    [
        "Name : Humberto Larson\nUsername : qsatterfield\nEmail : heloise@example.net",
        "Ministry of Foreign Affairs\nSmolenskaya-Sennaya Square 32/34\nMoscow 119200\nRussia",
        "• payments in national currencies outside the dollar system\n"
        "• joint work on the North–South transport corridor, from Russia\n"
        "• exchanges between the two countries' security services here",
        "Two lines of a paragraph that is long enough to look wrapped at all\nbut only two of them.",
    ],
    ids=["profile fields", "address", "bullets", "two lines"],
)
def test_text_normalise_keeps_short_and_listed_lines(block):
    """Lines that are not a wrapped paragraph (short fields, addresses, list items) stay separate lines."""
    assert text_normalise(block) == block


def test_document_parse_makes_one_passage_of_a_wrapped_paragraph():
    """A hard-wrapped e-mail style document gives one passage per paragraph, not per line."""
    raw = f"A wrapped document\n\n{WRAPPED}\n\nA last short line.".encode()
    parsed = document_parse(raw, filename="wrapped.txt", max_bytes=10_000)
    assert [passage.text for passage in parsed.passages] == [
        "A wrapped document",
        WRAPPED.replace("\n", " "),
        "A last short line.",
    ]


# Splitting.


def test_text_split_excludes_bullets_but_keeps_offsets():
    """List items become passages without their bullets, each still the exact text at its offsets."""
    text = "Fields of cooperation:\n• payments in roubles and rials\n- the transport corridor\n* security services\n–  energy"
    spans = text_split(text)
    assert [passage for _, _, passage in spans] == [
        "Fields of cooperation:", "payments in roubles and rials", "the transport corridor", "security services", "energy",
    ]  # fmt: skip
    for start, end, passage in spans:
        assert text[start:end] == passage


def test_text_split_keeps_leading_minus_and_dash_without_space():
    """A line starting with a number sign or a word-dash is text, not a bullet."""
    spans = text_split("-5% growth in trade\n--\n2022–2023 saw more")
    assert [passage for _, _, passage in spans] == ["-5% growth in trade", "--", "2022–2023 saw more"]


def test_text_split_skips_blank_lines_and_bare_bullets():
    """Blank lines and a bullet with nothing after it make no passage."""
    text = "One\n\n• \nTwo"
    assert [passage for _, _, passage in text_split(text)] == ["One", "Two"]


# Decoding.


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b" \n\t\r\n ", "empty"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary"),
        ("Café à Téhéran".encode("latin-1"), "not valid UTF-8"),
        ("Text with\x01 many\x02 control\x03 chars\x04 in\x05 it\x06 all\x07 over\x08 it\x0e".encode(), "control characters"),
        (b"x" * 101, "too large"),
    ],
    ids=["empty", "white space", "binary", "latin-1", "control characters", "too large"],
)
def test_bytes_decode_refuses_non_text(raw, reason):
    """A file that is not a UTF-8 text document is refused with a message naming the file and the reason."""
    with pytest.raises(ImportRefused) as excinfo:
        bytes_decode(raw, filename="notes.txt", max_bytes=100)
    message = str(excinfo.value)
    assert message.startswith("notes.txt: ") and reason in message


def test_bytes_decode_names_the_line_of_bad_utf8():
    """An encoding error says on which line the bad byte is, and how to convert the file."""
    raw = "First line\nSecond line\nCafé".encode("cp1252")
    with pytest.raises(ImportRefused, match=r"byte 0xe9 at line 3.*iconv"):
        bytes_decode(raw, filename="notes.txt", max_bytes=1000)


def test_bytes_decode_accepts_utf8_with_bom_and_persian():
    """UTF-8 with a byte-order mark and non-Latin scripts decode unchanged."""
    assert bytes_decode("\ufeffمنابع and sources".encode("utf-8"), filename="notes.txt", max_bytes=1000) == "منابع and sources"


# HTML.

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Tehran and Moscow sign a treaty | The Eurasia Review</title>
  <meta name="author" content="Jane Doe">
  <meta property="og:title" content="Tehran and Moscow sign a treaty">
  <meta property="og:site_name" content="The Eurasia Review">
  <meta name="date" content="2025-01-17">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/subscribe">Subscribe to our newsletter</a></nav>
  <article>
    <h1>Tehran and Moscow sign a treaty</h1>
    <p>Iran and Russia signed a comprehensive strategic partnership treaty in Moscow on 17 January 2025, committing
       the two governments to closer cooperation in trade, energy and security for the next twenty years.</p>
    <p>The treaty stops short of a mutual defence clause. Officials on both sides stressed that neither country
       would help an aggressor that attacked the other, a weaker promise than an alliance.</p>
    <h2>What the treaty says about trade and security</h2>
    <p>It names three fields:</p>
    <ul>
      <li>payments in national currencies outside the dollar system;</li>
      <li>joint work on the North&#8211;South transport corridor;</li>
      <li>exchanges between the two countries' security services.</li>
    </ul>
    <p>Analysts in Tehran described the agreement as the culmination of a decade of convergence that began with
       the war in Syria and deepened after Russia's invasion of Ukraine in 2022.</p>
  </article>
  <footer><p>Copyright 2025 The Eurasia Review. Cookie settings. Contact the newsroom.</p></footer>
</body>
</html>
"""


@pytest.fixture(scope="module")
def html_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "treaty.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    return document_parse(path.read_bytes(), filename=str(path), max_bytes=100_000)


def test_html_headings_come_from_h1_and_h2(html_document):
    """An HTML page's <h1> and <h2> are its headings, even a heading followed by a shorter line."""
    headings = [passage.text for passage in html_document.passages if passage.role == PassageRole.HEADING]
    assert headings == ["Tehran and Moscow sign a treaty", "What the treaty says about trade and security"]


def test_html_paragraphs_and_list_items_are_body(html_document):
    """Each paragraph and list item of the article is one body passage, with its white space collapsed."""
    body = [passage.text for passage in html_document.passages if passage.role == PassageRole.BODY]
    assert body[0] == (
        "Iran and Russia signed a comprehensive strategic partnership treaty in Moscow on 17 January 2025, committing "
        "the two governments to closer cooperation in trade, energy and security for the next twenty years."
    )
    assert "It names three fields:" in body
    assert "joint work on the North–South transport corridor;" in body
    assert body[-1].startswith("Analysts in Tehran described the agreement")
    assert len(body) == 7


def test_html_leaves_out_navigation_and_footer(html_document):
    """Menus and footers around the article are not part of the source text."""
    for furniture in ["World news", "Subscribe to our newsletter", "Cookie settings", "Contact the newsroom"]:
        assert furniture not in html_document.text


def test_html_passages_match_text_at_their_offsets(html_document):
    """Passages of an HTML page are exact spans of the stored text, like those of a text file."""
    assert html_document.media_type == "text/html"
    for passage in html_document.passages:
        assert html_document.text[passage.start : passage.end] == passage.text


def test_html_metadata_gives_title_and_authors(html_document):
    """The page's own metadata supplies the title, authors, site name and date."""
    metadata = html_document.metadata
    assert metadata["title"] == "Tehran and Moscow sign a treaty"
    assert metadata["authors"] == ["Jane Doe"]
    assert metadata["container"] == "The Eurasia Review"
    assert metadata["issued"] == "2025-01-17"
    assert html_document.language == "en"


def test_html_without_main_text_is_refused(tmp_path):
    """A page with no article text in it (a bare menu) is refused, saying what to save instead."""
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(ImportRefused, match="no main text found"):
        document_parse(path.read_bytes(), filename=str(path), max_bytes=100_000)


# Whole documents.


def test_document_parse_is_stable():
    """Parsing the same bytes twice gives the same text, hash and passages, so re-imports are no-ops."""
    raw = "Title\r\n\r\nA paragraph that is long enough to be body text, with a full stop.\r\n".encode()
    first, second = document_parse(raw, filename="a.txt", max_bytes=1000), document_parse(raw, filename="a.txt", max_bytes=1000)
    assert (first.text, first.content_hash, first.passages) == (second.text, second.content_hash, second.passages)


def test_document_parse_detects_a_persian_document():
    """A document written in Persian is marked Persian, its passages right to left."""
    raw = (
        "روابط ایران و روسیه\n\n"
        "روابط ایران و روسیه در سه دهه گذشته فراز و نشیب‌های زیادی داشته است و دو کشور در سوریه با یکدیگر همکاری کرده‌اند."
    ).encode()
    parsed = document_parse(raw, filename="fa.txt", max_bytes=10_000)
    assert parsed.language == "fa"
    assert {passage.direction for passage in parsed.passages} == {"rtl"}

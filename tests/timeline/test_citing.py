"""Citation formats for sources and events, and text-fragment links."""

import datetime

from tests.factories import SourceFactory
from timeline.citing import source_apa, source_bibtex, source_chicago, source_csl_json, text_fragment_url


def make_source(**fields):
    defaults = {
        "slug": "baghai", "title": "The Unlikely Alliance: Russia and Iran’s Strategic Partnership",
        "authors": ["Christian Baghai"], "container": "Medium", "source_type": "blog-post", "issued": "2023-07-16",
        "language": "en", "url": "https://example.org/alliance",
    }  # fmt: skip
    return SourceFactory.build(**(defaults | fields))


def test_chicago():
    """Chicago: Family, Given. “Title.” Container, Month Day, Year. URL."""
    assert source_chicago(make_source()) == (
        "Baghai, Christian. “The Unlikely Alliance: Russia and Iran’s Strategic Partnership.” Medium, July 16, 2023. https://example.org/alliance."
    )


def test_chicago_without_authors_or_date():
    """No author starts with the title; no date says n.d.; approximate years say c."""
    assert source_chicago(make_source(authors=[], issued="", container="", url="")) == (
        "“The Unlikely Alliance: Russia and Iran’s Strategic Partnership.” n.d."
    )
    assert "c. 2019" in source_chicago(make_source(issued="2019~"))


def test_apa():
    """APA: Family, I. (Year, Month Day). Title. Container. URL"""
    assert source_apa(make_source()) == (
        "Baghai, C. (2023, July 16). The Unlikely Alliance: Russia and Iran’s Strategic Partnership. Medium. https://example.org/alliance"
    )
    assert source_apa(make_source(authors=["Ada Lovelace", "Charles Babbage"])).startswith("Lovelace, A., & Babbage, C. (2023")


def test_bibtex():
    """BibTeX: a keyed entry with braced fields, escaped specials and a bare month macro."""
    entry = source_bibtex(make_source(title="Oil & Gas: 100% {news}"))
    assert entry.startswith("@misc{baghai2023news,") or entry.startswith("@misc{baghai2023")
    assert "  author = {Baghai, Christian}," in entry
    assert r"title = {{Oil \& Gas: 100\% \{news\}}}" in entry
    assert "  month = jul," in entry and "  year = {2023}," in entry and entry.endswith("}")
    assert source_bibtex(make_source(source_type="peer-reviewed-article")).startswith("@article{")


def test_csl_json():
    """CSL-JSON: type, names split into family/given, date parts, URL, accessed."""
    item = source_csl_json(make_source(accessed=datetime.date(2024, 1, 2)))
    assert item["type"] == "post-weblog"
    assert item["author"] == [{"family": "Baghai", "given": "Christian"}]
    assert item["issued"] == {"date-parts": [[2023, 7, 16]]}
    assert item["accessed"] == {"date-parts": [[2024, 1, 2]]}
    assert item["container-title"] == "Medium" and item["URL"] == "https://example.org/alliance"
    assert source_csl_json(make_source(issued="2019~"))["issued"] == {"date-parts": [[2019]], "circa": True}


def test_text_fragment_encodes_reserved_characters():
    """-, , and & are percent-encoded inside a text directive; an existing fragment is replaced."""
    assert (
        text_fragment_url("https://example.org/a#top", "S-300, air & sea")
        == "https://example.org/a#:~:text=S%2D300%2C%20air%20%26%20sea"
    )


def test_text_fragment_long_quotes_use_start_and_end():
    """A long quote is linked by its first and last four words (textStart,textEnd)."""
    url = text_fragment_url("https://example.org/", "one two three four five six seven eight nine ten")
    assert url == "https://example.org/#:~:text=one%20two%20three%20four,seven%20eight%20nine%20ten"


def test_bibtex_escapes_backslashes_and_braces_and_keeps_urls_inside_their_field():
    """A backslash or an unbalanced brace cannot start a command or close a field; a URL cannot end its field early."""
    entry = source_bibtex(make_source(
        title=r"\input{/etc/passwd} a}b{", container="C\\D", url="https://example.org/a}b{c\\d e?q=1%20#f",
    ))  # fmt: skip
    assert r"title = {{\textbackslash{}input\{/etc/passwd\} a\}b\{}}," in entry
    assert r"howpublished = {C\textbackslash{}D}," in entry
    assert "  url = {https://example.org/a%7Db%7Bc%5Cd%20e?q=1%20#f}," in entry
    for line in entry.splitlines()[1:-1]:  # every field's braces balance once escapes are set aside
        value = line.replace(r"\{", "").replace(r"\}", "").replace(r"\textbackslash{}", "")
        assert value.count("{") == value.count("}"), line

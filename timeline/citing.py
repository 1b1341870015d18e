"""
How to cite a source or an event: Chicago, APA, BibTeX and CSL-JSON, and links to a quote in the
original web page (text fragments). Pure functions of their arguments: the reader pages and the
exports both use them, so a source is cited the same way everywhere.
"""

import re
import unicodedata
from urllib.parse import quote as percent_quote

from sources.dates import ENDPOINT_RE, MONTHS

# CSL 1.0.2 item types for Citeline's source types.
CSL_TYPES = {
    "peer-reviewed-article": "article-journal",
    "book": "book",
    "report": "report",
    "op-ed": "article-newspaper",
    "news": "article-newspaper",
    "blog-post": "post-weblog",
    "web-article": "webpage",
    "web-page": "webpage",
    "primary": "document",
    "other": "document",
}
BIBTEX_TYPES = {"peer-reviewed-article": "article", "book": "book", "report": "techreport"}
BIBTEX_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# Quotes longer than this many words are linked by their first and last words (textStart,textEnd).
TEXT_FRAGMENT_MAX_WORDS = 8


def _name_parts(name):
    """("Baghai", "Christian") from "Christian Baghai" or "Baghai, Christian"; (name, "") for one word."""
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return family, given
    if " " not in name:
        return name, ""
    given, family = name.rsplit(" ", 1)
    return family, given


def _initials(given):
    return " ".join(f"{part[0]}." for part in re.split(r"[\s]+", given) if part)


def _issued_parts(issued):
    """(year, month, day, approximate) of the first endpoint of an EDTF date; Nones when absent."""
    start = (issued or "").split("/")[0]
    match = ENDPOINT_RE.match(start)
    if not match or match["year"] is None or "X" in match["year"]:
        return None, None, None, False
    month = int(match["month"]) if match["month"] and int(match["month"]) <= 12 else None
    day = int(match["day"]) if match["day"] else None
    return int(match["year"]), month, day, match["qualifier"] in ("~", "%")


def _sentence(text):
    """Text that ends with exactly one full stop (or its own ?/!)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def page_locator(page):
    """ "p. 12" for one page, "pp. 3, 12" for several (a list of the pages cited); "" when there is none."""
    pages = [str(p) for p in ([page] if isinstance(page, (str, int)) else page or []) if p not in (None, "")]
    pages = list(dict.fromkeys(pages))
    if not pages:
        return ""
    return ("p. " if len(pages) == 1 else "pp. ") + ", ".join(pages)


def _pages(page):
    return ", ".join(
        dict.fromkeys(str(p) for p in ([page] if isinstance(page, (str, int)) else page or []) if p not in (None, ""))
    )


def source_csl_json(source, page=None):
    """
    The source as a CSL-JSON item (a dict, ready for json.dumps). `page` (a page label, or a list of
    them) is the page cited, as "page" with "locator"/"label" for processors that cite a locator.
    """
    item = {"id": source.slug, "type": CSL_TYPES.get(source.source_type, "document"), "title": source.title}
    authors = []
    for name in source.authors or []:
        family, given = _name_parts(name)
        authors.append({"family": family, "given": given} if given else {"literal": family})
    if authors:
        item["author"] = authors
    if source.container:
        item["container-title"] = source.container
    year, month, day, approximate = _issued_parts(source.issued)
    if year is not None:
        item["issued"] = {"date-parts": [[part for part in (year, month, day) if part is not None]]}
        if approximate:
            item["issued"]["circa"] = True
    if source.url:
        item["URL"] = source.url
    if source.accessed:
        item["accessed"] = {"date-parts": [[source.accessed.year, source.accessed.month, source.accessed.day]]}
    if source.language:
        item["language"] = source.language
    if source.license:
        item["license"] = source.license
    if pages := _pages(page):
        item["page"] = pages
        item["locator"], item["label"] = pages, "page"
    return item


def _bibtex_escape(text):
    # One pass, so that the braces of \textbackslash{} are not escaped again: a stray \ or brace can
    # neither start a command nor close the field early.
    return re.sub(r"[&%$#_{}\\]", lambda match: r"\textbackslash{}" if match.group() == "\\" else "\\" + match.group(), text)


def _bibtex_url(url):
    """A URL fit for a braced BibTeX field: braces, backslashes and white space percent-encoded (the same address)."""
    return re.sub(r"[{}\\\s]", lambda match: "%{:02X}".format(ord(match.group())), url)


def _bibtex_key(source):
    family = _name_parts(source.authors[0])[0] if source.authors else source.slug.split("-")[0]
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode().lower()
    year = _issued_parts(source.issued)[0]
    word = next((w for w in re.findall(r"[a-z]+", source.title.lower()) if len(w) > 3), "")
    return re.sub(r"[^a-z0-9]", "", ascii_family) + (str(year) if year else "") + word or source.slug


def source_bibtex(source, page=None):
    """The source as one BibTeX entry; `page` (a label or a list) as its `pages` field."""
    entry_type = BIBTEX_TYPES.get(source.source_type, "misc")
    fields = []
    if source.authors:
        fields.append(
            ("author", " and ".join(_bibtex_escape(", ".join(filter(None, _name_parts(name)))) for name in source.authors))
        )
    fields.append(("title", "{" + _bibtex_escape(source.title) + "}"))
    if source.container:
        fields.append(("journal" if entry_type == "article" else "howpublished", _bibtex_escape(source.container)))
    year, month, day, _ = _issued_parts(source.issued)
    if year is not None:
        fields.append(("year", str(year)))
    if month:
        fields.append(("month", BIBTEX_MONTHS[month - 1]))
    if source.url:
        fields.append(("url", _bibtex_url(source.url)))
    if source.accessed:
        fields.append(("urldate", source.accessed.isoformat()))
    if source.language:
        fields.append(("langid", _bibtex_escape(source.language)))
    if pages := _pages(page):
        fields.append(("pages", _bibtex_escape(pages)))
    lines = [f"@{entry_type}{{{_bibtex_key(source)},"]
    for name, value in fields:
        # Months are BibTeX macros (jan, feb…), written bare; everything else is braced.
        lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def _date_words(year, month, day):
    if month and day:
        return f"{MONTHS[month - 1]} {day}, {year}"
    if month:
        return f"{MONTHS[month - 1]} {year}"
    return str(year)


def _chicago_authors(names):
    people = [_name_parts(name) for name in names]
    first = ", ".join(filter(None, people[0]))
    rest = [" ".join(filter(None, (given, family))) for family, given in people[1:]]
    if not rest:
        return first
    if len(rest) == 1:
        return f"{first}, and {rest[0]}"
    return f"{first}, " + ", ".join(rest[:-1]) + f", and {rest[-1]}"


def source_chicago(source, page=None):
    """A Chicago (17th ed., notes and bibliography) bibliography entry, as plain text; with `page`, ending "…, 12." as a note does."""
    parts = []
    if source.authors:
        parts.append(_sentence(_chicago_authors(source.authors)))
    title = source.title.strip()
    parts.append(f"“{title}{'' if title.endswith(('?', '!')) else '.'}”")
    year, month, day, approximate = _issued_parts(source.issued)
    date = (("c. " if approximate else "") + _date_words(year, month, day)) if year is not None else "n.d."
    pages = _pages(page)
    where = f"{source.container}, {date}" if source.container else date
    parts.append(_sentence(f"{where}, {pages}" if pages else where))
    if source.url:
        parts.append(_sentence(source.url))
    return " ".join(parts)


def _apa_authors(names):
    people = []
    for name in names:
        family, given = _name_parts(name)
        people.append(f"{family}, {_initials(given)}" if given else family)
    if len(people) == 1:
        return people[0]
    return ", ".join(people[:-1]) + ", & " + people[-1]


def source_apa(source, page=None):
    """An APA (7th ed.) reference, as plain text; with `page`, followed by the locator "(p. 12)"."""
    year, month, day, approximate = _issued_parts(source.issued)
    if year is None:
        date = "n.d."
    else:
        date = ("ca. " if approximate else "") + str(year)
        if month:
            date += f", {MONTHS[month - 1]}" + (f" {day}" if day else "")
    title = _sentence(source.title)
    if source.authors:
        parts = [_sentence(_apa_authors(source.authors)), f"({date}).", title]
    else:
        parts = [title, f"({date})."]
    if source.container:
        parts.append(_sentence(source.container))
    if source.url:
        parts.append(source.url)
    if locator := page_locator(page):
        parts.append(f"({locator})")
    return " ".join(parts)


def event_citation_text(event, url, *, site_name="Citeline"):
    """How to cite one event of the timeline: its title, its date in words, and its permalink."""
    return f"“{_sentence(event.title)}” {site_name}, {event.date_display}. {url}"


def _fragment_quote(text):
    # Text directives reserve "-", "," and "&": they must be percent-encoded inside a term.
    return percent_quote(text, safe="").replace("-", "%2D")


def text_fragment_url(url, quote):
    """`url` with a text fragment (#:~:text=) that makes the browser scroll to and highlight `quote`."""
    words = quote.split()
    if not url or not words:
        return url
    base = url.split("#", 1)[0]
    if len(words) <= TEXT_FRAGMENT_MAX_WORDS:
        directive = _fragment_quote(" ".join(words))
    else:
        directive = _fragment_quote(" ".join(words[:4])) + "," + _fragment_quote(" ".join(words[-4:]))
    return f"{base}#:~:text={directive}"

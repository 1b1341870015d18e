"""
From a file's bytes to a normalised text split into passages with roles, language and direction.

Pure functions, no database: the import service (sources.importing) stores what they return.
The role rules are tuned on real scraped articles: headings, body, reference-list entries, and
boilerplate that is kept (offsets must hold) but never cited by default.
"""

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sources.models import Direction, PassageRole


class ImportRefused(Exception):
    """A file that cannot be imported; the message names the reason and the fix."""


@dataclass
class ParsedPassage:
    start: int
    end: int
    text: str
    role: str = PassageRole.BODY
    role_reason: str = ""
    language: str = ""
    direction: str = Direction.LTR


@dataclass
class ParsedDocument:
    text: str
    passages: list
    media_type: str
    content_hash: str
    metadata: dict = field(default_factory=dict)
    language: str = ""


HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}

# Horizontal white space of every kind collapses to one space. Zero-width (non-)joiners are
# letters' business in Persian and stay.
HORIZONTAL_SPACE_RE = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
BULLET_RE = re.compile(r"^[•◦▪‣∙●○■□*\-–]\s+")
RTL_RE = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")

BOILERPLATE_PATTERNS = [
    (re.compile(r"\bmin read", re.I), "reading time (“N min read”)"),
    (re.compile(r"^(?:-{2,}|—+|_{3,}|\*{3,}|={3,}|·{3,})$"), "separator"),
    (
        re.compile(
            r"^(?:related (?:posts|topics|articles|stories|reading)|read more|read next|share(?: this)?(?: article| post| story)?"
            r"|share on \w+|responses? \(\d+\)|comments? \(\d+\)|\d+ comments?|leave a (?:comment|reply)|subscribe\b.*"
            r"|sign up\b.*|advertisement|table of contents:?|follow us\b.*|tags?:.*|categories:.*|skip to (?:main )?content)$",
            re.I,
        ),
        "site furniture",
    ),
    (re.compile(r"^(?:copyright\b|©|\(c\)\s)", re.I), "copyright notice"),
    (re.compile(r"licensed under|creative commons|all rights reserved|open-access article distributed", re.I), "licence notice"),
    (
        re.compile(
            r"^(?:photo|image|picture|figure|credit|illustration)\s*(?:\d+\s*)?[:：]|\b(?:photo|image|picture)\s+(?:from|by|courtesy|credit|via)\b",
            re.I,
        ),
        "image caption",
    ),
    (
        re.compile(
            r"^(?:linkedin|facebook|instagram|twitter|x|tiktok|youtube|telegram|mastodon|threads|bluesky|whatsapp|pinterest|reddit)\s*:?$",
            re.I,
        ),
        "social links",
    ),
    (
        re.compile(
            r"^(?:name|username|e-?mail|birthdate|address|phone|company|job|bio|url|followers|following|website)\s*:", re.I
        ),
        "author profile field",
    ),
    (re.compile(r"^(?:document type|article type|doi|received|accepted|published online)\s*:", re.I), "publication metadata"),
    (
        re.compile(
            r"^\d{1,2}\s+.*\b(?:university|institute|college|faculty|department|professor|lecturer|phd|researcher)\b", re.I
        ),
        "author affiliation",
    ),
]
# Blocks about the author or the site, to the end of the block: every passage in them is boilerplate.
BLOCK_START_RE = re.compile(
    r"^(?:about the authors?|detail author:?|author(?:'s)? bio(?:graphy)?|socials|related (?:posts|topics|articles)|more from .*)$",
    re.I,
)
REFERENCE_HEADING_RE = re.compile(
    r"^(?:references|bibliography|works cited|sources|literature|notes|endnotes|footnotes|"
    r"منابع|فهرست منابع|منابع و مآخذ|کتابنامه|المراجع|Список литературы|Литература)\s*:?$",
    re.I,
)
# "Ballesteros, M. (2022) ‘Title’ …", "Reuters (2023) ‘…’. Available at:", "Walt, S. (1987). Title, pp. 1–2"
REFERENCE_ENTRY_RE = re.compile(
    r"^[^\W\d][^()]{0,160}?\(\d{4}[a-z]?\)[.,]?\s*(?:[‘'\"“«]|.*\b(?:available (?:at|in|from)|pp?\.\s*\d|vol\.|no\.|doi|https?://))",
    re.I,
)
BYLINE_RE = re.compile(r"^(?:by\s+)?[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}$")


def content_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bytes_decode(raw, *, filename, max_bytes):
    """Check a file's bytes and decode them, or refuse with the reason and the fix."""
    if len(raw) > max_bytes:
        raise ImportRefused(
            f"{filename}: too large ({len(raw):,} bytes; the limit is {max_bytes:,}). "
            "Split the document, or raise CITELINE_IMPORT_MAX_BYTES."
        )
    if not raw.strip():
        raise ImportRefused(f"{filename}: the file is empty. Export the document's text again.")
    if b"\x00" in raw[:8192]:
        raise ImportRefused(f"{filename}: a binary file, not text or HTML. Export the document as plain text (UTF-8) or HTML.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"{filename}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}). "
            "Convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8."
        ) from exc
    controls = sum(1 for char in text[:8192] if unicodedata.category(char) == "Cc" and char not in "\n\r\t\f\v")
    if controls > 8:
        raise ImportRefused(
            f"{filename}: contains control characters, so it is not a text document. Export it as plain text (UTF-8) or HTML."
        )
    return text


def looks_like_html(text, filename):
    suffix = Path(filename).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    head = text.lstrip()[:500].lower()
    return suffix not in TEXT_SUFFIXES - {""} and (head.startswith("<!doctype html") or head.startswith("<html"))


def text_normalise(text):
    """NFC, one kind of line break, single spaces, no blank-line runs; hard-wrapped paragraphs joined."""
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines = [HORIZONTAL_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    blocks, block = [], []
    for line in lines + [""]:
        if line:
            block.append(line)
        elif block:
            blocks.append(_unwrap(block))
            block = []
    return "\n\n".join(blocks)


def _unwrap(lines):
    """Join a block's lines when they are a paragraph wrapped at a fixed width (e-mail, RFC, Gutenberg)."""
    if len(lines) < 3 or any(BULLET_RE.match(line) for line in lines):
        return "\n".join(lines)
    widths = [len(line) for line in lines[:-1]]
    if min(widths) >= 45 and max(widths) <= 100 and max(widths) - min(widths) <= 25 and len(lines[-1]) <= max(widths):
        return " ".join(lines)
    return "\n".join(lines)


def text_split(text):
    """One passage per line, a list bullet excluded from the passage: [(start, end, text)]."""
    spans, offset = [], 0
    for line in text.split("\n"):
        if line:
            bullet = BULLET_RE.match(line)
            skip = bullet.end() if bullet else 0
            if line[skip:]:
                spans.append((offset + skip, offset + len(line), line[skip:]))
        offset += len(line) + 1
    return spans


def text_direction(text):
    rtl = len(RTL_RE.findall(text))
    letters = sum(1 for char in text if char.isalpha())
    return Direction.RTL if rtl and rtl * 2 > letters else Direction.LTR


@cache
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages("ar de en es fa fr he hi hy it ja ka kk ko ku nl pl ps pt ru sv tg tr uk ur uz zh".split())
    return identifier


def text_language(text, default=""):
    """ISO 639-1 code of the text's language; `default` when it is too short to tell."""
    if sum(1 for char in text if char.isalpha()) < 4:
        return default
    language, probability = _language_identifier().classify(text)
    return language if probability >= 0.5 else default


def _looks_like_heading(text, next_text):
    if len(text) > 120 or len(text.split()) > 16 or text[-1] in ".,;:…" or text[0].islower():
        return False
    return next_text is None or len(next_text) > len(text)


def passages_classify(spans, *, authors=(), headings=frozenset(), language=""):
    """Give each (start, end, text) span a role, a reason for it, a language and a direction."""
    author_names = {name.casefold() for name in authors if name}
    texts = [text for _, _, text in spans]
    first_seen = {}
    passages, section = [], None
    document_direction = text_direction(language_sample(texts))
    for index, (start, end, text) in enumerate(spans):
        passage = ParsedPassage(start=start, end=end, text=text, direction=text_direction(text))
        next_text = texts[index + 1] if index + 1 < len(texts) else None
        neighbours = texts[max(0, index - 2) : index] + texts[index + 1 : index + 3]
        key = text.casefold()
        if len(text) < 100 and key in {other.casefold() for other in neighbours}:
            passage.role, passage.role_reason = PassageRole.BOILERPLATE, "repeated line (caption or navigation)"
        elif key in first_seen and len(text) >= 40:
            passage.role, passage.role_reason = PassageRole.BOILERPLATE, f"duplicate of ¶{first_seen[key]}"
        elif key.removeprefix("by ").strip() in author_names or (
            index < 4
            and index
            and BYLINE_RE.match(text)
            and next_text
            and len(text) < 40
            and not _looks_like_heading(text, next_text)
        ):
            passage.role, passage.role_reason = PassageRole.BOILERPLATE, "byline"
        elif reason := next((reason for pattern, reason in BOILERPLATE_PATTERNS if pattern.search(text)), None):
            passage.role, passage.role_reason = PassageRole.BOILERPLATE, reason
        elif BLOCK_START_RE.match(text):
            passage.role, passage.role_reason = PassageRole.BOILERPLATE, "author or site block"
            section = "block"
        elif REFERENCE_HEADING_RE.match(text):
            passage.role, passage.role_reason = PassageRole.HEADING, "reference list heading"
            section = "references"
        elif section == "block":
            if index in headings or (_looks_like_heading(text, next_text) and next_text and len(next_text) > 200):
                passage.role, section = PassageRole.HEADING, None
            else:
                passage.role, passage.role_reason = PassageRole.BOILERPLATE, "author or site block"
        elif section == "references" or REFERENCE_ENTRY_RE.match(text):
            passage.role, passage.role_reason = PassageRole.REFERENCE, "reference list entry"
            section = "references"
        elif index in headings or index == 0 and len(text) <= 200 or _looks_like_heading(text, next_text):
            passage.role = PassageRole.HEADING
        first_seen.setdefault(key, index + 1)
        if passage.direction != document_direction:
            passage.language = text_language(text, default="")
        else:
            passage.language = language
        passages.append(passage)
    # A passage in the other script too short to identify (a one-word heading such as "منابع")
    # takes the language most passages in that script have.
    foreign = Counter(p.language for p in passages if p.direction != document_direction and p.language)
    for passage in passages:
        if not passage.language:
            passage.language = foreign.most_common(1)[0][0] if foreign else language
    return passages


def language_sample(texts):
    return " ".join(texts[:20])[:2000]


HTML_BLOCK_RE = re.compile(r"<(?:p|li|h[1-6]|blockquote|tr|pre|dd|dt)[\s>/]", re.IGNORECASE)


def html_to_lines(html):
    """Main text of an HTML page as lines, the indexes of its headings, and its metadata (trafilatura)."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html, output_format="xml", include_comments=False, include_tables=True, include_formatting=False, favor_recall=True
    )
    metadata = trafilatura.extract_metadata(html)
    lines, headings = [], set()
    if xml:
        root = etree.fromstring(xml.encode("utf-8"))
        blocks = {"head", "p", "item", "quote", "row", "code"}
        for element in root.iter(*blocks):
            if any(ancestor.tag in blocks for ancestor in element.iterancestors()):
                continue
            if element.tag == "row":
                text = " | ".join(" ".join(cell.itertext()).strip() for cell in element)
            else:
                text = " ".join("".join(element.itertext()).split())
            if not text:
                continue
            if element.tag == "head":
                headings.add(len(lines))
            lines.append(text)
    meta = {}
    if metadata is not None:
        data = metadata.as_dict()
        meta = {
            "title": data.get("title") or "",
            "authors": [name.strip() for name in (data.get("author") or "").split(";") if name.strip()],
            "container": data.get("sitename") or "",
            "issued": data.get("date") or "",
            "url": data.get("url") or "",
            "language": data.get("language") or "",
            "license": data.get("license") or "",
        }
    return lines, headings, meta


def document_parse(raw, *, filename, max_bytes, max_passages=None, authors=(), language=""):
    """Decode, extract (HTML), normalise, split and classify one document; refuse one of more than `max_passages` passages."""
    text = bytes_decode(raw, filename=filename, max_bytes=max_bytes)
    metadata, headings = {}, set()
    media_type = "text/plain"
    if looks_like_html(text, filename):
        media_type = "text/html"
        # Extracting the main text costs minutes on a page of 200,000 paragraphs: count its blocks first.
        blocks = len(HTML_BLOCK_RE.findall(text))
        if max_passages is not None and blocks > max_passages:
            raise ImportRefused(
                f"{filename}: about {blocks:,} blocks (paragraphs, headings, list items, table rows); the limit is "
                f"{max_passages:,} passages. Split the document into several files, or raise CITELINE_IMPORT_MAX_PASSAGES."
            )
        lines, headings, metadata = html_to_lines(text)
        if not lines:
            raise ImportRefused(
                f"{filename}: no main text found in this HTML page. Save the article's own page, or paste its text into a .txt file."
            )
        # One line per block; the heading indexes then name passages.
        text = "\n\n".join(text_normalise(line).replace("\n", " ") for line in lines)
    else:
        text = text_normalise(text)
    if not text:
        raise ImportRefused(f"{filename}: no text left after removing white space. Export the document's text again.")
    spans = text_split(text)
    if max_passages is not None and len(spans) > max_passages:
        raise ImportRefused(
            f"{filename}: {len(spans):,} passages (paragraphs, headings, list items); the limit is {max_passages:,}. "
            "Split the document into several files, or raise CITELINE_IMPORT_MAX_PASSAGES."
        )
    language = language or metadata.get("language") or text_language(language_sample([t for _, _, t in spans]), default="und")
    passages = passages_classify(
        spans, authors=list(authors) or metadata.get("authors", []), headings=headings, language=language
    )
    return ParsedDocument(
        text=text, passages=passages, media_type=media_type, content_hash=content_hash(text), metadata=metadata, language=language
    )

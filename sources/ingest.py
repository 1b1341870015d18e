"""
From a file's bytes to a normalised text split into passages with roles, language and direction.

Pure functions, no database: the import service (sources.importing) stores what they return.
The role rules are tuned on real scraped articles: headings, body, reference-list entries, and
boilerplate that is kept (offsets must hold) but never cited by default.
"""

import hashlib
import io
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
    page: str | None = None  # the PDF page label ("12", "iv"); None for documents without pages


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

# "Read more: …", "Auch interessant: …", "A lire aussi : …": a link to another article, in the languages we import.
FURNITURE_PREFIX = (
    r"read more|read next|read also|also read|see also|related|more on this(?: story)?|more from \w+|recommended(?: for you)?"
    r"|you may also like|our standards|editor'?s picks?|watch|listen"
    r"|lesen sie (?:auch|mehr)|auch interessant|mehr zum thema|mehr dazu|das könnte sie auch interessieren|weiterlesen|zum thema"
    r"|[àa] lire (?:aussi|également)|lire aussi|voir aussi|sur le même sujet|[àa] voir aussi|notre sélection"
    r"|le[ae] (?:más|también)|ver también|te puede interesar|más información|también te puede interesar"
    r"|leggi anche|potrebbe interessarti|vedi anche|leia (?:também|mais)|veja também|saiba mais"
    r"|читайте также|смотрите также|по теме|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|بیشتر بخوانید|بیشتر بدانید|مطالب مرتبط"
    r"|相关阅读|延伸阅读|推荐阅读|相关新闻|阅读更多"
)
FURNITURE_PREFIX_RE = re.compile(rf"^(?:{FURNITURE_PREFIX})\s*(?:[:：»›>|–—-]|…|\.\.\.|$)", re.I)
# Lines made of nothing but these words ("Print | Permalink", "Drucken · Teilen") are a toolbar, not text.
TOOLBAR_WORDS = set(
    "print permalink e-mail email mail share tweet facebook twitter linkedin whatsapp telegram copy link url save bookmark "
    "comment comments pdf top back to drucken teilen merken kommentare imprimer partager envoyer commenter imprimir compartir "
    "enviar stampa condividi invia поделиться печать طباعة مشاركة چاپ اشتراک 打印 分享".split()
)
NEWSLETTER_RE = re.compile(r"newsletter|inbox|e-?mail address|bulletin|рассылк|خبرنامه|النشرة", re.I)
NEWSLETTER_CALL_RE = re.compile(
    r"sign up|subscribe|abonn|anmeld|inscri|suscr|iscriv|assin|deliver|enter your|straight to|get (?:our|the)|подпис|عضو|اشترك",
    re.I,
)
LICENCE_RE = re.compile(
    r"^(?:(?:this|the) (?:work|article|page|content|story|post|text|image|photo|site)s? (?:is|are|was) "
    r"(?:licensed|published|available|distributed|shared|released) under|(?:text |content )?(?:is )?(?:licensed|available|"
    r"published|distributed|released) under|creative commons\b|cc[- ]by\b|all rights reserved|alle rechte vorbehalten"
    r"|tous droits réservés|todos los derechos reservados|open-access article distributed)",
    re.I,
)

BOILERPLATE_PATTERNS = [
    (
        re.compile(
            r"\bmin read|\bmin\.? (?:de )?lecture|\bminutes? de lecture|\bmin(?:uten)?\.? lesezeit|^lesezeit|\bminutos? de lectura"
            r"|\bmin(?:uti)? di lettura|\bмин(?:ут)?\.? чтения",
            re.I,
        ),
        "reading time (“N min read”)",
        80,
    ),
    (re.compile(r"^(?:-{2,}|—+|_{3,}|\*{3,}|={3,}|·{3,})$"), "separator", None),
    (
        re.compile(
            r"^(?:related (?:posts|topics|articles|stories|reading)|read more|read next|share(?: this)?(?: article| post| story)?"
            r"|share on \w+|responses? \(\d+\)|comments? \(\d+\)|\d+ comments?|leave a (?:comment|reply)|subscribe\b.*"
            r"|sign up\b.*|advertisement|anzeige|publicité|publicidad|table of contents:?|follow us\b.*|tags?:.*|categories:.*"
            r"|schlagworte:.*|mots-clés:.*|skip to (?:main )?content)$",
            re.I,
        ),
        "site furniture",
        None,
    ),
    (FURNITURE_PREFIX_RE, "link to another article (“Read more: …”)", 250),
    (re.compile(r"^(?:copyright\b|©|\(c\)\s)", re.I), "copyright notice", 300),
    (LICENCE_RE, "licence notice", 400),
    (
        re.compile(
            r"^(?:photo|image|picture|figure|credit|illustration|foto|bild|abbildung|quelle|crédit|fotografía|imagen)s?\s*(?:\d+\s*)?[:：]"
            r"|^(?:photo|image|picture|foto|bild)s?\s+(?:from|by|courtesy|credit|via|von|de)\b"
            r"|(?:photo|image|picture|foto|bild|credit)s?\s*(?::|by|via|courtesy of|©)\s*[^.!?]{1,60}\)?$"
            r"|\b(?:photo|image|picture|foto|bild)s?\s+(?:from|by|courtesy|credit|via|von)\b[^.!?]{1,60}$",
            re.I,
        ),
        "image caption",
        200,
    ),
    (
        re.compile(
            r"^(?:linkedin|facebook|instagram|twitter|x|tiktok|youtube|telegram|mastodon|threads|bluesky|whatsapp|pinterest|reddit)\s*:?$",
            re.I,
        ),
        "social links",
        None,
    ),
    (
        re.compile(
            r"^(?:name|username|e-?mail|birthdate|address|phone|company|job|bio|url|followers|following|website)\s*:", re.I
        ),
        "author profile field",
        200,
    ),
    (
        re.compile(r"^(?:document type|article type|doi|received|accepted|published online)\s*:", re.I),
        "publication metadata",
        200,
    ),
    (
        re.compile(
            r"^\d{1,2}\s+.*\b(?:university|institute|college|faculty|department|professor|lecturer|phd|researcher)\b", re.I
        ),
        "author affiliation",
        300,
    ),
]


def boilerplate_reason(text):
    """Why a passage is site furniture rather than the document's text, or None."""
    for pattern, reason, max_length in BOILERPLATE_PATTERNS:
        if (max_length is None or len(text) <= max_length) and pattern.search(text):
            return reason
    if len(text) <= 300 and NEWSLETTER_RE.search(text) and NEWSLETTER_CALL_RE.search(text):
        return "newsletter box"
    words = re.findall(r"[^\W\d_][\w-]*", text.casefold())
    if words and len(text) <= 80 and all(word in TOOLBAR_WORDS for word in words):
        return "toolbar (print, permalink, share)"
    return None


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


BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]
# <meta charset="…">, <meta http-equiv="Content-Type" content="text/html; charset=…">, <?xml encoding="…"?>
DECLARED_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE
)
HTML_SNIFF_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.IGNORECASE | re.DOTALL)


def _charset_known(name):
    import codecs

    try:
        return codecs.lookup(name.decode("ascii") if isinstance(name, bytes) else name).name
    except (LookupError, UnicodeDecodeError):
        return None


def _size_check(raw, filename, max_bytes):
    if len(raw) > max_bytes:
        raise ImportRefused(
            f"{filename}: too large ({len(raw):,} bytes; the limit is {max_bytes:,}). "
            "Split the document, or raise CITELINE_IMPORT_MAX_BYTES."
        )
    if not raw.strip():
        raise ImportRefused(f"{filename}: the file is empty. Export the document's text again.")


def bytes_decode(raw, *, filename, max_bytes, charset=None):
    """
    Check a file's bytes and decode them, or refuse with the reason and the fix. The encoding comes
    from a byte-order mark, then `charset` (an HTTP Content-Type), then an HTML page's own declaration
    (<meta charset>, http-equiv, <?xml encoding?>); otherwise UTF-8, and for an HTML page that is not
    UTF-8, charset-normalizer's detection. A plain-text file must be UTF-8 (or carry a BOM): a guess
    about a bare text file would be wrong too often to store silently.
    """
    _size_check(raw, filename, max_bytes)
    encoding, how = None, ""
    for bom, name in BOMS:
        if raw.startswith(bom):
            encoding, how = name, "byte-order mark"
            break
    is_html = Path(filename).suffix.lower() in HTML_SUFFIXES or bool(HTML_SNIFF_RE.match(raw[:2048]))
    if encoding is None and b"\x00" in raw:
        where = raw.index(b"\x00")
        sample = raw[:2048]
        halves = sample[0::2], sample[1::2]
        if len(sample) >= 8 and any(h.count(0) >= 0.8 * len(h) and not other.count(0) for h, other in (halves, halves[::-1])):
            raise ImportRefused(
                f"{filename}: looks like UTF-16 without a byte-order mark. Save it as UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)."
            )
        if where < 8192:
            raise ImportRefused(
                f"{filename}: a binary file, not text or HTML. Export the document as plain text (UTF-8), HTML or PDF."
            )
        line = raw[:where].count(b"\n") + 1
        raise ImportRefused(
            f"{filename}: contains a NUL byte at line {line} (byte {where:,}), which no text document holds. "
            "Remove it (e.g. tr -d '\\000' < in > out) or export the document again."
        )
    if encoding is None and charset:
        encoding, how = _charset_known(charset), "the server's Content-Type"
    if encoding is None and is_html:
        declared = DECLARED_CHARSET_RE.search(raw[:4096])
        if declared:
            encoding, how = _charset_known(declared.group(1) or declared.group(2)), "the page's own declaration"
    if encoding in ("utf-16", "utf-32") or encoding and encoding.startswith(("utf-16", "utf-32")) and how != "byte-order mark":
        encoding = None  # a page saved as UTF-8 that still says "UTF-16" in its <meta>
    if encoding == "iso8859-1":
        encoding = "cp1252"  # what browsers do: ISO-8859-1 pages are read as Windows-1252 (WHATWG Encoding)
    text = None
    if encoding and how == "the page's own declaration" and not encoding.startswith("utf"):
        # A page saved by a browser is re-encoded as UTF-8 but keeps its old <meta charset>: valid UTF-8
        # with non-ASCII letters is never an accident of a single-byte encoding.
        try:
            text = raw.decode("utf-8")
            encoding = None if not text.isascii() else encoding
            text = None if encoding else text
        except UnicodeDecodeError:
            text = None
    if encoding:
        failure = None
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            failure = exc
            if encoding == "cp1252":
                text = raw.decode("iso8859-1")  # the five bytes Windows-1252 leaves undefined
        if text is None:
            line = raw[: failure.start].count(b"\n") + 1
            raise ImportRefused(
                f"{filename}: not valid {encoding} as {how} says (byte 0x{raw[failure.start]:02x} at line {line}). "
                "Fix the declaration or convert the file to UTF-8."
            )
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if is_html:
                from charset_normalizer import from_bytes

                best = from_bytes(raw).best()
                if best is not None:
                    text = str(best)
            if text is None:
                line = raw[: exc.start].count(b"\n") + 1
                raise ImportRefused(
                    f"{filename}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}). "
                    "Convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8."
                ) from exc
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRefused(
            f"{filename}: contains a NUL character at line {line}, which no text document holds. "
            "Remove it or export the document again."
        )
    controls = len(CONTROL_CHARACTER_RE.findall(text, 0, 8192))
    if controls > 8:
        raise ImportRefused(
            f"{filename}: contains control characters, so it is not a text document. Export it as plain text (UTF-8) or HTML."
        )
    return text


# Unicode's control characters (category Cc: U+0000–U+001F, U+007F–U+009F) but the white space of text files.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


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
    letters = sum(map(str.isalpha, text))
    return Direction.RTL if rtl and rtl * 2 > letters else Direction.LTR


@cache
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages("ar de en es fa fr he hi hy it ja ka kk ko ku nl pl ps pt ru sv tg tr uk ur uz zh".split())
    return identifier


def text_language(text, default=""):
    """ISO 639-1 code of the text's language; `default` when it is too short to tell."""
    if sum(map(str.isalpha, text)) < 4:
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
        elif reason := boilerplate_reason(text):
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
# trafilatura's XML: blocks whose text is one passage (a line break in them starts another), and the
# inline elements whose text belongs to the line around them.
XML_BLOCKS = {"head", "p", "item", "quote", "row", "code"}
XML_INLINE = {"hi", "ref", "del", "span", "b", "i", "em", "strong", "sub", "sup"}
# Invisible characters that are letters' business (ZWNJ and ZWJ in Persian, Urdu, Indic scripts and
# emoji; word joiner; direction marks): trafilatura drops them, the page keeps them.
FORMAT_CHARS_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]")


def _xml_lines(element):
    """The text of one block as lines: each <lb/> ends one."""
    segments = [""]

    def walk(node):
        if node.tag == "lb":
            segments.append("")
        else:
            segments[-1] += node.text or ""
            for child in node:
                spaced = child.tag not in XML_INLINE and child.tag != "lb"
                segments[-1] += " " if spaced else ""  # nested blocks (a <p> in an <item>) never glue
                walk(child)
                segments[-1] += (" " if spaced else "") + (child.tail or "")

    if element.tag == "row":
        cells = []
        for cell in element:
            cells.append(" ".join(" ".join(_xml_lines(cell)).split()))
        return [" | ".join(cell for cell in cells if cell)] if any(cells) else []
    walk(element)
    return [" ".join(segment.split()) for segment in segments if segment.strip()]


def _xml_walk(container, lines, headings):
    """Every line of text under `container`, in order: its blocks, and text standing directly in it (under <main>, say)."""
    loose = [""]

    def flush():
        for segment in loose:
            if segment.strip():
                lines.append(" ".join(segment.split()))
        loose[:] = [""]

    loose[-1] += container.text or ""
    for child in container:
        if child.tag in XML_BLOCKS:
            flush()
            found = _xml_lines(child)
            if child.tag == "head":
                headings.update(range(len(lines), len(lines) + len(found)))
            lines.extend(found)
        elif child.tag == "lb":
            loose.append("")
        elif child.tag in XML_INLINE:
            loose[-1] += " ".join(child.itertext())
        elif child.tag != "comments":
            flush()
            _xml_walk(child, lines, headings)
        loose[-1] += child.tail or ""
    flush()


def page_visible_text(html):
    """The text a reader sees on the page (script, style and template text left out), white space collapsed."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except Exception:  # lxml refuses some broken pages; the page text is then unavailable, not fatal
        return ""
    for node in root.iter("script", "style", "noscript", "template"):
        node.drop_tree() if node.getparent() is not None else None
    return " ".join(root.text_content().split())


def format_chars_restore(lines, page_text):
    """
    Each line as the page writes it, with the zero-width (non-)joiners and other format characters
    trafilatura removed put back: the line is found in the page's own text with those characters
    ignored, and that stretch of the page is taken instead. A line not found stays as it is.
    """
    if not page_text or not FORMAT_CHARS_RE.search(page_text):
        return lines
    stripped, positions = [], []
    for index, char in enumerate(page_text):
        if not FORMAT_CHARS_RE.match(char):
            stripped.append(char)
            positions.append(index)
    stripped = "".join(stripped)
    result, cursor = [], 0
    for line in lines:
        found = stripped.find(line, cursor)
        if found < 0:
            found = stripped.find(line)
        if found < 0 or not line:
            result.append(line)
            continue
        first, last = positions[found], positions[found + len(line) - 1]
        restored = page_text[first : last + 1]
        result.append(restored if FORMAT_CHARS_RE.sub("", restored) == line else line)
        cursor = found + len(line)
    return result


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
        main = root.find("main")
        _xml_walk(main if main is not None else root, lines, headings)
        lines = format_chars_restore(lines, page_visible_text(html) if FORMAT_CHARS_RE.search(html) else "")
    meta = {}
    if metadata is not None:
        data = metadata.as_dict()
        meta = {
            "title": data.get("title") or "",
            "authors": [name.strip() for name in (data.get("author") or "").split(";") if name.strip()],
            "container": data.get("sitename") or "",
            "issued": issued_as_written(data.get("date") or "", html),
            "url": data.get("url") or "",
            "language": data.get("language") or "",
            "license": data.get("license") or "",
        }
    return lines, headings, meta


def issued_as_written(date, html):
    """
    trafilatura's publication date (YYYY-MM-DD), no more precise than the page writes it: a bare
    "© 2016" comes back as 2016-01-01, which is a year, not a day. The day stays when the page gives
    it (an ISO date or datetime, "2016/03/15", "15.03.2016", or any day the date extractor reads in
    the page); the month when the page gives "2016-03"; otherwise the year.
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date or "")
    if not match:
        return date or ""
    year, month, day = match.groups()
    m, d = int(month), int(day)
    day_forms = [
        f"{year}-{month}-{day}", f"{year}/{month}/{day}", f"{year}{month}{day}", f"{d}.{m}.{year}", f"{day}.{month}.{year}",
        f"{m}/{d}/{year}", f"{d}/{m}/{year}", f"{month}/{day}/{year}", f"{day}/{month}/{year}",
    ]  # fmt: skip
    if any(form in html for form in day_forms):
        return date
    from sources.extract import mentions_extract

    text = page_visible_text(html)
    for mention in mentions_extract(text):
        if mention.edtf == date:
            return date
    if f"{year}-{month}" in html or any(m.edtf == f"{year}-{month}" for m in mentions_extract(text)):
        return f"{year}-{month}"
    return year


PDF_JUNK_TITLE_RE = re.compile(
    r"^(?:microsoft (?:word|powerpoint) - |untitled\b|document\d*$)|\.(?:docx?|pptx?|odt|tex|indd|qxd)$", re.I
)
PDF_DATE_RE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
XMP_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _pdf_date(value, pattern):
    """EDTF at the precision the PDF writes: "D:2016" is 2016, "D:20160315…" is 2016-03-15."""
    match = pattern.match(str(value or "").strip())
    if not match or match.group(1) == "0000":
        return ""
    return "-".join(part for part in match.groups() if part)


def pdf_metadata(reader):
    """Title, authors and date from the XMP packet where present, else the document information dictionary; never invented."""
    meta = {}
    try:
        info = reader.metadata or {}
    except Exception:  # a damaged info dictionary: the text is still worth importing
        info = {}
    xmp = None
    try:
        xmp = reader.xmp_metadata
    except Exception:
        xmp = None
    title = authors = issued = None
    if xmp is not None:
        try:
            titles = xmp.dc_title or {}
            title = titles.get("x-default") or next(iter(titles.values()), None)
            authors = [name for name in (xmp.dc_creator or []) if isinstance(name, str) and name.strip()]
            raw = xmp.stream.get_data().decode("utf-8", "replace")
            found = re.search(r"<dc:date>.*?<rdf:li[^>]*>([^<]+)</rdf:li>", raw, re.S) or re.search(
                r"xmp:CreateDate(?:=\"|>)([^\"<]+)", raw
            )
            issued = _pdf_date(found.group(1), XMP_DATE_RE) if found else None
        except Exception:
            pass
    title = title or str(info.get("/Title") or "")
    if not authors and info.get("/Author"):
        authors = [name.strip() for name in re.split(r";|\s+&\s+|\s+and\s+", str(info["/Author"])) if name.strip()]
    issued = issued or _pdf_date(info.get("/CreationDate"), PDF_DATE_RE)
    title = " ".join(title.split())
    if title and not PDF_JUNK_TITLE_RE.search(title):
        meta["title"] = title
    if authors:
        meta["authors"] = authors
    if issued:
        meta["issued"] = issued
    return meta


def _pdf_paragraphs(page_text):
    """A page's lines joined into paragraphs: a line that fills the measure runs on into the next."""
    lines = [HORIZONTAL_SPACE_RE.sub(" ", line).strip() for line in unicodedata.normalize("NFC", page_text).splitlines()]
    width = max((len(line) for line in lines), default=0)
    paragraphs, current = [], ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current and not BULLET_RE.match(line) and not PAGE_NUMBER_LINE_RE.match(line):
            previous_full = len(current.rsplit("\n", 1)[-1]) >= 0.7 * width and not current.endswith(":")
            if previous_full:
                current += line if current.endswith("-") and line[:1].islower() else " " + line
                continue
        if current:
            paragraphs.append(current)
        current = line
    if current:
        paragraphs.append(current)
    return paragraphs


def pdf_to_text(raw, *, filename):
    """
    The text of a PDF with the page of each paragraph: (text, [(start, end, text, page label)], metadata).
    pypdf reads it (pure Python, no system libraries; it also says whether a file is encrypted and
    reads the info dictionary and XMP). Encrypted, image-only and damaged files are refused with the fix.
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about sloppy but readable files are not the editor's
    damaged = (
        f"{filename}: a damaged PDF that cannot be read (%s). Open it and save or print it again as PDF, "
        "or repair it (e.g. qpdf in.pdf out.pdf)."
    )
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # AES without the optional cryptography package, or a wrong key
                opened = 0
            if not opened:
                raise ImportRefused(
                    f"{filename}: an encrypted (password-protected) PDF. Remove the password "
                    "(e.g. qpdf --decrypt --password=… in.pdf out.pdf) and import the copy."
                )
        pages = list(reader.pages)
        labels = []
        try:
            labels = list(reader.page_labels)
        except Exception:
            labels = []
        texts = []
        for page in pages:
            try:
                texts.append(page.extract_text() or "")
            except (FileNotDecryptedError, ImportRefused):
                raise
            except Exception as exc:
                raise ImportRefused(damaged % f"page {len(texts) + 1}: {type(exc).__name__}") from None
    except ImportRefused:
        raise
    except FileNotDecryptedError:
        raise ImportRefused(
            f"{filename}: an encrypted (password-protected) PDF. Remove the password (e.g. qpdf --decrypt) and import the copy."
        ) from None
    except (PdfReadError, Exception) as exc:
        raise ImportRefused(damaged % (str(exc)[:120] or type(exc).__name__)) from None
    if not pages:
        raise ImportRefused(damaged % "no pages")
    spans, parts, offset = [], [], 0
    for index, page_text in enumerate(texts):
        label = labels[index] if index < len(labels) and labels[index] else str(index + 1)
        for paragraph in _pdf_paragraphs(page_text):
            paragraph = text_normalise(paragraph).replace("\n", " ")
            if not paragraph:
                continue
            if parts:
                offset += 2  # the "\n\n" between paragraphs
            spans.append((offset, offset + len(paragraph), paragraph, label[:20]))
            parts.append(paragraph)
            offset += len(paragraph)
    if not spans:
        raise ImportRefused(
            f"{filename}: a PDF of {len(pages)} page(s) with no text layer (scanned images only). "
            "Run OCR first (e.g. ocrmypdf in.pdf out.pdf) and import the result."
        )
    return "\n\n".join(parts), spans, pdf_metadata(reader)


def document_parse(raw, *, filename, max_bytes, max_passages=None, authors=(), language="", charset=None):
    """
    Decode, extract (HTML, PDF), normalise, split and classify one document; refuse one of more than
    `max_passages` passages. `charset` is what a server's Content-Type said, for a fetched page.
    """
    metadata, headings, pages = {}, set(), None
    media_type = "text/plain"
    if raw.lstrip()[:5] == b"%PDF-" or Path(filename).suffix.lower() == ".pdf":
        _size_check(raw, filename, max_bytes)
        if raw.lstrip()[:5] != b"%PDF-":
            raise ImportRefused(f"{filename}: named .pdf but not a PDF file. Check that it downloaded completely, or rename it.")
        media_type = "application/pdf"
        text, page_spans, metadata = pdf_to_text(raw, filename=filename)
        spans = [(start, end, span_text) for start, end, span_text, _ in page_spans]
        pages = [page for *_, page in page_spans]
    else:
        text = bytes_decode(raw, filename=filename, max_bytes=max_bytes, charset=charset)
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
                raise ImportRefused(NO_MAIN_TEXT.format(filename=filename))
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
    if pages is not None:
        for passage, page in zip(passages, pages, strict=True):
            passage.page = page
            if PAGE_NUMBER_LINE_RE.match(passage.text):
                passage.role, passage.role_reason = PassageRole.BOILERPLATE, "page number"
    if media_type == "text/html" and not any(
        p.role in (PassageRole.BODY, PassageRole.REFERENCE) or (p.role == PassageRole.HEADING and len(p.text.split()) >= 8)
        for p in passages
    ):
        # Menus and link lists only (a home or section page): nothing there to quote.
        raise ImportRefused(NO_MAIN_TEXT.format(filename=filename))
    return ParsedDocument(
        text=text, passages=passages, media_type=media_type, content_hash=content_hash(text), metadata=metadata, language=language
    )


NO_MAIN_TEXT = (
    "{filename}: no main text found in this HTML page (only navigation, headings or site furniture). "
    "Save the article's own page, or paste its text into a .txt file."
)
PAGE_NUMBER_LINE_RE = re.compile(r"^(?:page\s+|p\.\s*|-\s*)?\d{1,4}(?:\s+of\s+\d{1,4}|\s*-)?$", re.I)

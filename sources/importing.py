"""
Importing documents: manifests, checks before anything is written, and the atomic write of a source
with its versions, passages and date mentions. On a re-import, whatever cites the old passages is
moved by the layer above, which listens to sources.signals.passages_replaced.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.text import slugify

from sources.extract import passage_mentions
from sources.ingest import ImportRefused, document_parse
from sources.models import DateMention, Passage, Source, SourceType, SourceVersion
from sources.signals import passages_replaced
from sources.storage import stored_files_removed_on_error
from sources.validation import validation_error_text

MANIFEST_FIELDS = {
    "file", "slug", "title", "authors", "container", "type", "issued", "language",
    "url", "license", "license_url", "accessed", "notes",
}  # fmt: skip


def slug_for(name, *, max_length=120):
    """
    A slug for any name: transliterated to ASCII (anyascii: "گزارش" → "gzrsh", "报告" → "baogao"), then
    Django's slugify; a hash of the name when nothing is left (a name of emoji or punctuation).
    """
    slug = slugify(anyascii(name))[:max_length].strip("-")
    return slug or "source-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


@dataclass
class ManifestEntry:
    path: Path
    metadata: dict = field(default_factory=dict)
    fetched: object = None  # sources.fetching.Fetched, for a page imported by URL

    @property
    def slug(self):
        if self.metadata.get("slug"):
            return self.metadata["slug"]
        if self.fetched is not None:
            return self.fetched.slug
        return slug_for(self.path.stem)

    @property
    def slug_given(self):
        return bool(self.metadata.get("slug"))

    @property
    def label(self):
        return self.fetched.url if self.fetched is not None else str(self.path)


def entries_check_slugs(entries):
    """
    Refuse a batch in which two different files would become one source: only a manifest that gives
    them the same slug on purpose may do that. The message names both files and the fix.
    """
    by_slug, problems = {}, []
    for entry in entries:
        other = by_slug.setdefault(entry.slug, entry)
        if other is entry or other.label == entry.label:
            continue
        if other.slug_given and entry.slug_given:
            continue
        problems.append(
            f"{other.label} and {entry.label} would both become the source “{entry.slug}”. Rename one, or give them "
            "different slugs in a manifest (slug: …); the same slug in the manifest makes the later one a new version."
        )
    if problems:
        raise ImportRefused("\n".join(problems))


@dataclass
class ImportResult:
    source: Source
    status: str  # "created", "updated" or "unchanged"
    roles: Counter = field(default_factory=Counter)
    citations: Counter = field(default_factory=Counter)  # kept, moved, updated, orphaned
    mentions: int = 0

    def citations_summary(self):
        return ", ".join(f"{self.citations[outcome]} {outcome}" for outcome in ("kept", "moved", "updated", "orphaned"))

    def summary(self):
        counts = ", ".join(f"{self.roles[role]} {role}" for role in ("heading", "body", "reference", "boilerplate"))
        line = (
            f"{self.status} {self.source.slug} ({self.source.original_filename}): {sum(self.roles.values())} passages ({counts})"
        )
        if self.citations.total():
            line += f"; citations: {self.citations_summary()}"
            if self.citations["updated"] or self.citations["orphaned"]:
                line += " (review the updated and orphaned ones in the admin: Citations › needs review)"
        return line


def manifest_load(path):
    """Read a YAML (or JSON) manifest listing files and their metadata; refuse it whole if any entry is wrong."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportRefused(f"{path}: manifest not found. Check the --manifest path.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise ImportRefused(f"{path}: not a readable YAML or JSON manifest{line}. Fix the syntax and try again.") from None
    entries = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ImportRefused(f"{path}: the manifest must hold a list of sources under the key “sources”.")
    result, errors = [], []
    valid_types = {choice.value for choice in SourceType}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("file"):
            errors.append(f"{path}: entry {number} has no “file”. Give each source the path of its document.")
            continue
        unknown = set(entry) - MANIFEST_FIELDS
        file_path = (path.parent / str(entry["file"])).resolve()
        if unknown:
            errors.append(
                f"{path}: entry {number} ({entry['file']}) has unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(MANIFEST_FIELDS))}."
            )
        elif entry.get("type") and entry["type"] not in valid_types:
            errors.append(
                f"{path}: entry {number} ({entry['file']}) has type “{entry['type']}”; use one of {', '.join(sorted(valid_types))}."
            )
        elif not file_path.is_file():
            errors.append(f"{file_path}: named in {path.name} (entry {number}) but not found. Fix the path or add the file.")
        else:
            result.append(ManifestEntry(path=file_path, metadata={key: value for key, value in entry.items() if key != "file"}))
    if errors:
        raise ImportRefused("\n".join(errors))
    return result


def url_entry(url, metadata=None):
    """Fetch a page for import (sources.fetching): a ManifestEntry holding the fetched bytes and their archived copy."""
    from sources.fetching import url_fetch

    fetched = url_fetch(
        url,
        max_bytes=settings.CITELINE_IMPORT_MAX_BYTES,
        timeout=settings.CITELINE_FETCH_TIMEOUT,
        max_redirects=settings.CITELINE_FETCH_MAX_REDIRECTS,
    )
    return ManifestEntry(path=Path(fetched.filename), metadata=dict(metadata or {}), fetched=fetched)


def fetched_parse(entry):
    fetched = entry.fetched
    try:
        return document_parse(
            fetched.body,
            filename=fetched.filename,
            max_bytes=settings.CITELINE_IMPORT_MAX_BYTES,
            max_passages=settings.CITELINE_IMPORT_MAX_PASSAGES,
            authors=entry.metadata.get("authors") or (),
            language=entry.metadata.get("language") or "",
            charset=fetched.charset,
        )
    except ImportRefused as exc:
        message = str(exc)
        if message.startswith(fetched.filename + ":"):
            message = fetched.url + message[len(fetched.filename) :]
        raise ImportRefused(message) from None


def document_read(entry):
    """Read and parse one manifest entry's file (or fetched page); ImportRefused names the file and the problem."""
    if entry.fetched is not None:
        return fetched_parse(entry)
    max_bytes = settings.CITELINE_IMPORT_MAX_BYTES
    try:
        size = entry.path.stat().st_size
        if size > max_bytes:
            raise ImportRefused(
                f"{entry.path}: too large ({size:,} bytes; the limit is {max_bytes:,}). Split the document, or raise CITELINE_IMPORT_MAX_BYTES."
            )
        raw = entry.path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ImportRefused(
            f"{entry.path}: cannot be read ({exc.strerror.lower()}). Check the path and its permissions."
        ) from None
    return document_parse(
        raw,
        filename=str(entry.path),
        max_bytes=max_bytes,
        max_passages=settings.CITELINE_IMPORT_MAX_PASSAGES,
        authors=entry.metadata.get("authors") or (),
        language=entry.metadata.get("language") or "",
    )


def source_validate(*, entry, parsed):
    """
    Check the metadata a source would get, and find its passages' date mentions, before anything is
    written: the import's transaction (and SQLite's write lock) then holds the writes only.
    ImportRefused names the problem.
    """
    source = Source(slug=entry.slug, text=parsed.text, content_hash=parsed.content_hash, **_source_fields(entry, parsed))
    _full_clean(source, entry)  # the slug too: a bad one is refused before anything is written
    parsed.mentions = [passage_mentions(passage) for passage in parsed.passages]


def _source_fields(entry, parsed):
    meta, found = entry.metadata, parsed.metadata
    first_heading = next((p.text for p in parsed.passages if p.role == "heading"), "")
    fetched = entry.fetched
    if fetched is not None:
        found = {**found, "url": fetched.url}
        meta = {"accessed": fetched.fetched_at.date(), **meta}
    return {
        "title": (meta.get("title") or found.get("title") or first_heading or entry.path.stem)[:500],
        "authors": list(meta.get("authors") if "authors" in meta else found.get("authors", [])),
        "container": meta.get("container") or found.get("container") or "",
        "source_type": meta.get("type") or (SourceType.WEB_PAGE if parsed.media_type == "text/html" else SourceType.OTHER),
        # (a fetched page's own URL wins over the canonical link it declares: it is where the archived copy came from)
        "issued": str(meta.get("issued") or found.get("issued") or ""),
        "language": parsed.language,
        "url": meta.get("url") or (fetched.url if fetched is not None else found.get("url")) or "",
        "license": meta.get("license") or found.get("license") or "",
        "license_url": meta.get("license_url") or "",
        "accessed": meta.get("accessed") or None,
        "notes": meta.get("notes") or "",
        "original_filename": fetched.filename if fetched is not None else entry.path.name,
        "media_type": parsed.media_type,
    }


def source_import(*, entry, parsed):
    """
    Store a parsed document under its slug. The same text again changes nothing but metadata; a
    changed text is kept as a new version, the passages and date mentions are rebuilt, and every
    citation is carried over: kept, moved, updated (quote changed, flagged for review) or orphaned.
    No citation is ever deleted. A page's archived copy is stored with its version, and deleted
    again if the import is rolled back (sources.storage).
    """
    with stored_files_removed_on_error(), transaction.atomic():
        return _source_import(entry=entry, parsed=parsed)


def _source_import(*, entry, parsed):
    fields = _source_fields(entry, parsed)
    source = Source.objects.filter(slug=entry.slug).first()
    roles = Counter(passage.role for passage in parsed.passages)
    if source is not None and source.content_hash == parsed.content_hash:
        changed = {name: value for name, value in fields.items() if getattr(source, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(source, name, value)
            _full_clean(source, entry)
            source.save()
        mentions = 0
        if not DateMention.objects.filter(passage__source=source).exists():  # imported before date extraction existed
            mentions = len(date_mentions_create(passages=list(source.passages.all())))
        return ImportResult(source=source, status="updated" if changed else "unchanged", roles=roles, mentions=mentions)

    status = "created" if source is None else "updated"
    source = source or Source(slug=entry.slug)
    for name, value in fields.items():
        setattr(source, name, value)
    source.text, source.content_hash = parsed.text, parsed.content_hash
    _full_clean(source, entry)
    source.save()
    number = (source.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = SourceVersion(
        source=source,
        number=number,
        text=source.text,
        content_hash=source.content_hash,
        original_filename=source.original_filename,
    )
    if entry.fetched is not None:
        entry.fetched.version_fill(version)
    version.full_clean()
    version.save()
    new_passages = [
        Passage(source=source, ordinal=ordinal, **vars(parsed_passage))
        for ordinal, parsed_passage in enumerate(parsed.passages, start=1)
    ]
    for passage in new_passages:
        if source.text[passage.start : passage.end] != passage.text:  # an importer bug, never an editor's
            raise ImportRefused(f"{entry.label}: passage {passage.ordinal} does not match its offsets; please report this file.")
    dismissed = _dismissed_mentions(source) if status == "updated" else {}
    # Old passages step aside (ordinals out of the way) until their citations have moved.
    source.passages.update(ordinal=F("ordinal") + 1_000_000)
    stale = list(source.passages.values_list("pk", flat=True))
    Passage.objects.bulk_create(new_passages)
    outcomes = Counter()
    if status == "updated":
        for _, moved in passages_replaced.send(sender=Source, source=source, new_passages=new_passages):
            outcomes += moved
    DateMention.objects.filter(passage_id__in=stale).delete()
    Passage.objects.filter(pk__in=stale).delete()
    mentions = date_mentions_create(passages=new_passages, dismissed=dismissed, extracted=getattr(parsed, "mentions", None))
    return ImportResult(source=source, status=status, roles=roles, citations=outcomes, mentions=len(mentions))


def document_import(*, raw, filename, metadata=None):
    """
    Import one document from its bytes (an upload in the admin), as `import_sources` does for a
    file: check, parse, validate, store. ImportRefused names the problem and the fix.
    """
    metadata = {name: value for name, value in (metadata or {}).items() if value not in (None, "", [], ())}
    unknown = set(metadata) - MANIFEST_FIELDS
    if unknown:
        raise ImportRefused(f"{filename}: unknown field(s) {', '.join(sorted(unknown))}.")
    entry = ManifestEntry(path=Path(filename), metadata=metadata)
    parsed = document_parse(
        raw,
        filename=filename,
        max_bytes=settings.CITELINE_IMPORT_MAX_BYTES,
        max_passages=settings.CITELINE_IMPORT_MAX_PASSAGES,
        authors=metadata.get("authors") or (),
        language=metadata.get("language") or "",
    )
    source_validate(entry=entry, parsed=parsed)
    return source_import(entry=entry, parsed=parsed)


def url_import(*, url, metadata=None):
    """Import one page by its URL (the admin's "Add from URL"), as `import_sources https://…` does."""
    metadata = {name: value for name, value in (metadata or {}).items() if value not in (None, "", [], ())}
    entry = url_entry(url, metadata)
    parsed = fetched_parse(entry)
    source_validate(entry=entry, parsed=parsed)
    return source_import(entry=entry, parsed=parsed)


def date_mentions_create(*, passages, dismissed=None, extracted=None):
    """
    Store the date mentions of saved passages (`extracted`, one list per passage, when source_validate
    extracted them already); a mention an editor dismissed before stays dismissed.
    """
    dismissed = dismissed or {}
    mentions = []
    for index, passage in enumerate(passages):
        for found in extracted[index] if extracted is not None else passage_mentions(passage):
            mention = DateMention(passage=passage, **{name: getattr(found, name) for name in _MENTION_FIELDS})
            key = (passage.text, found.start, found.text)
            if key in dismissed:
                mention.dismissed = True
                mention.dismissed_by_id, mention.dismissed_at = dismissed[key]
            mentions.append(mention)
    return DateMention.objects.bulk_create(mentions)


_MENTION_FIELDS = [
    "start",
    "end",
    "sentence_start",
    "sentence_end",
    "text",
    "edtf",
    "lower",
    "upper",
    "precision",
    "calendar",
    "role",
]


def _dismissed_mentions(source):
    return {
        (text, start, mention_text): (by, at)
        for text, start, mention_text, by, at in DateMention.objects.filter(passage__source=source, dismissed=True).values_list(
            "passage__text", "start", "text", "dismissed_by_id", "dismissed_at"
        )
    }


def _full_clean(source, entry, exclude=None):
    try:
        source.full_clean(exclude=exclude or (["slug"] if source.pk else None), validate_unique=False)
    except ValidationError as exc:
        problems = validation_error_text(exc)
        raise ImportRefused(f"{entry.label}: invalid metadata ({problems}). Fix the manifest entry.") from None

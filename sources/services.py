"""Writes that span Source, Passage and Citation: importing documents and keeping citations anchored."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import Truncator, slugify

from sources.anchoring import CONTEXT_CHARS
from sources.ingest import ImportRefused, document_parse
from sources.models import Passage, Source, SourceType

MANIFEST_FIELDS = {
    "file", "slug", "title", "authors", "container", "type", "issued", "language",
    "url", "license", "license_url", "accessed", "notes",
}  # fmt: skip


@dataclass
class ManifestEntry:
    path: Path
    metadata: dict = field(default_factory=dict)

    @property
    def slug(self):
        return self.metadata.get("slug") or slugify(self.path.stem)


@dataclass
class ImportResult:
    source: Source
    status: str  # "created", "updated" or "unchanged"
    roles: Counter = field(default_factory=Counter)
    citations_kept: int = 0
    citations_moved: int = 0

    def summary(self):
        counts = ", ".join(f"{self.roles[role]} {role}" for role in ("heading", "body", "reference", "boilerplate"))
        line = f"{self.status} {self.source.slug} ({self.source.original_filename}): {sum(self.roles.values())} passages ({counts})"
        if self.citations_kept or self.citations_moved:
            line += f"; citations: {self.citations_kept} kept, {self.citations_moved} moved"
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
            errors.append(f"{path}: entry {number} ({entry['file']}) has unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(MANIFEST_FIELDS))}.")
        elif entry.get("type") and entry["type"] not in valid_types:
            errors.append(f"{path}: entry {number} ({entry['file']}) has type “{entry['type']}”; use one of {', '.join(sorted(valid_types))}.")
        elif not file_path.is_file():
            errors.append(f"{file_path}: named in {path.name} (entry {number}) but not found. Fix the path or add the file.")
        else:
            result.append(ManifestEntry(path=file_path, metadata={key: value for key, value in entry.items() if key != "file"}))
    if errors:
        raise ImportRefused("\n".join(errors))
    return result


def document_read(entry):
    """Read and parse one manifest entry's file; ImportRefused names the file and the problem."""
    max_bytes = settings.CITELINE_IMPORT_MAX_BYTES
    try:
        size = entry.path.stat().st_size
        if size > max_bytes:
            raise ImportRefused(
                f"{entry.path}: too large ({size:,} bytes; the limit is {max_bytes:,}). Split the document, or raise CITELINE_IMPORT_MAX_BYTES."
            )
        raw = entry.path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ImportRefused(f"{entry.path}: cannot be read ({exc.strerror.lower()}). Check the path and its permissions.") from None
    return document_parse(
        raw,
        filename=str(entry.path),
        max_bytes=max_bytes,
        authors=entry.metadata.get("authors") or (),
        language=entry.metadata.get("language") or "",
    )


def source_validate(*, entry, parsed):
    """Check the metadata a source would get, before anything is written; ImportRefused names the problem."""
    source = Source(slug=entry.slug, text=parsed.text, content_hash=parsed.content_hash, **_source_fields(entry, parsed))
    _full_clean(source, entry, exclude=["slug"])


def _source_fields(entry, parsed):
    meta, found = entry.metadata, parsed.metadata
    first_heading = next((p.text for p in parsed.passages if p.role == "heading"), "")
    return {
        "title": (meta.get("title") or found.get("title") or first_heading or entry.path.stem)[:500],
        "authors": list(meta.get("authors") if "authors" in meta else found.get("authors", [])),
        "container": meta.get("container") or found.get("container") or "",
        "source_type": meta.get("type") or (SourceType.WEB_PAGE if parsed.media_type == "text/html" else SourceType.OTHER),
        "issued": str(meta.get("issued") or found.get("issued") or ""),
        "language": parsed.language,
        "url": meta.get("url") or found.get("url") or "",
        "license": meta.get("license") or found.get("license") or "",
        "license_url": meta.get("license_url") or "",
        "accessed": meta.get("accessed") or None,
        "notes": meta.get("notes") or "",
        "original_filename": entry.path.name,
        "media_type": parsed.media_type,
    }


@transaction.atomic
def source_import(*, entry, parsed):
    """
    Store a parsed document under its slug. The same text again changes nothing but metadata; a
    changed text rebuilds the passages and carries every citation over to its quote's new place.
    """
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
        return ImportResult(source=source, status="updated" if changed else "unchanged", roles=roles)

    status = "created" if source is None else "updated"
    source = source or Source(slug=entry.slug)
    for name, value in fields.items():
        setattr(source, name, value)
    source.text, source.content_hash = parsed.text, parsed.content_hash
    _full_clean(source, entry)
    source.save()
    new_passages = [
        Passage(source=source, ordinal=ordinal, **vars(parsed_passage))
        for ordinal, parsed_passage in enumerate(parsed.passages, start=1)
    ]
    for passage in new_passages:
        if source.text[passage.start : passage.end] != passage.text:  # an importer bug, never an editor's
            raise ImportRefused(f"{entry.path}: passage {passage.ordinal} does not match its offsets; please report this file.")
    moves = _citations_reanchor(source, new_passages, entry) if status == "updated" else []
    # Old passages step aside (ordinals out of the way) until their citations have moved.
    source.passages.update(ordinal=F("ordinal") + 1_000_000)
    stale = list(source.passages.values_list("pk", flat=True))
    Passage.objects.bulk_create(new_passages)
    kept = moved = 0
    for citation, passage_index, anchor in moves:
        unchanged = citation.passage.start + citation.start == new_passages[passage_index].start + anchor[0]
        kept, moved = kept + unchanged, moved + (not unchanged)
        citation.passage = new_passages[passage_index]
        citation.start, citation.end, citation.prefix, citation.suffix = anchor
        citation.save(update_fields=["passage", "start", "end", "prefix", "suffix", "updated_at"])
    Passage.objects.filter(pk__in=stale).delete()
    return ImportResult(source=source, status=status, roles=roles, citations_kept=kept, citations_moved=moved)


def _full_clean(source, entry, exclude=None):
    try:
        source.full_clean(exclude=exclude or (["slug"] if source.pk else None), validate_unique=False)
    except ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise ImportRefused(f"{entry.path}: invalid metadata ({problems}). Fix the manifest entry.") from None


def _citations_reanchor(source, new_passages, entry):
    """
    Find every citation of the source again in the new text, by its exact quote; prefer the
    occurrence whose prefix and suffix still match, then the one nearest its old place.
    Refuses the import (nothing written) if any quote has gone: no citation is ever dropped.
    """
    from timeline.models import Citation

    text = source.text
    moves, lost = [], []
    citations = Citation.objects.filter(passage__source=source).select_related("passage", "event")
    for citation in citations:
        old_offset = citation.passage.start + citation.start
        candidates = []
        index = text.find(citation.quote)
        while index != -1:
            end = index + len(citation.quote)
            context_score = (text[max(0, index - len(citation.prefix)) : index] == citation.prefix) + (
                text[end : end + len(citation.suffix)] == citation.suffix
            )
            passage_index = next((i for i, p in enumerate(new_passages) if p.start <= index and end <= p.end), None)
            if passage_index is not None:
                candidates.append((-context_score, abs(index - old_offset), index, passage_index))
            index = text.find(citation.quote, index + 1)
        if not candidates:
            lost.append(citation)
            continue
        _, _, index, passage_index = min(candidates)
        passage = new_passages[passage_index]
        start = index - passage.start
        end = start + len(citation.quote)
        anchor = (start, end, text[max(0, index - CONTEXT_CHARS) : index], text[index + len(citation.quote) : index + len(citation.quote) + CONTEXT_CHARS])
        moves.append((citation, passage_index, anchor))
    if lost:
        names = "; ".join(f"“{Truncator(c.quote).chars(60)}” (event {c.event.slug})" for c in lost[:5])
        raise ImportRefused(
            f"{entry.path}: the new text no longer contains {len(lost)} cited quote(s): {names}. "
            "Nothing was imported; fix those citations first, or restore the quoted words."
        )
    return moves

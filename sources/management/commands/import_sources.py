"""`manage.py import_sources FILE… [--manifest M]`: check every file, then import them all or none."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from sources.importing import (
    ManifestEntry,
    document_read,
    entries_check_slugs,
    manifest_load,
    source_import,
    source_validate,
    url_entry,
)
from sources.ingest import HTML_SUFFIXES, TEXT_SUFFIXES, ImportRefused
from sources.storage import stored_files_removed_on_error

SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES - {""} | {".pdf"}


class Command(BaseCommand):
    help = (
        "Import plain-text, HTML and PDF documents, or web pages by URL (https://…, kept as an archived WARC copy), "
        "as sources. Every file is checked before anything is "
        "written: one bad file refuses the whole import. Re-importing an unchanged file changes nothing; an edited "
        "one keeps its old text as a version and carries every citation over (kept, moved, updated or orphaned)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", metavar="PATH", help="Files, folders of .txt/.html/.pdf files, or http(s):// addresses to fetch."
        )
        parser.add_argument(
            "--manifest", metavar="FILE", help="YAML/JSON list of files with their metadata (title, authors, type, issued…)."
        )

    def handle(self, *args, paths, manifest, **options):
        try:
            entries = self._entries(paths, manifest)
            entries_check_slugs([entry for entry in entries if "fetch" not in entry.metadata])
            entries = self._fetch(entries)
            entries_check_slugs(entries)
        except ImportRefused as exc:
            for line in str(exc).splitlines():
                self.stderr.write(line)
            raise CommandError("Nothing was imported.") from None
        if not entries:
            raise CommandError("No documents to import: give file or folder paths, or a --manifest.")

        parsed, errors = [], []
        for entry in tqdm(entries, desc="reading", unit="file", disable=len(entries) < 5 or None):
            try:
                document = document_read(entry)
                source_validate(entry=entry, parsed=document)
                parsed.append((entry, document))
            except ImportRefused as exc:
                errors.append(str(exc))
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} of {len(entries)} file(s) refused; nothing was imported.")

        try:
            # All or nothing, archived copies included: a rollback deletes those already stored.
            with stored_files_removed_on_error(), transaction.atomic():
                results = [source_import(entry=entry, parsed=document) for entry, document in parsed]
        except ImportRefused as exc:
            raise CommandError(f"{exc}") from None
        for result in results:
            self.stdout.write(result.summary())
        changed = sum(result.status != "unchanged" for result in results)
        self.stdout.write(self.style.SUCCESS(f"{len(results)} source(s) read, {changed} created or updated."))
        citations = sum((result.citations for result in results), Counter())
        if citations.total():
            totals = ", ".join(f"{citations[outcome]} {outcome}" for outcome in ("kept", "moved", "updated", "orphaned"))
            self.stdout.write(f"citations: {totals}; none deleted.")
            if citations["updated"] or citations["orphaned"]:
                self.stdout.write(
                    self.style.WARNING(
                        "Review the updated and orphaned citations in the admin (Citations, filter “needs review”)."
                    )
                )

    def _entries(self, paths, manifest):
        listed = manifest_load(manifest) if manifest else []
        if not paths:
            return listed
        by_path = {entry.path: entry for entry in listed}
        entries, missing = [], []
        for raw_path in paths:
            if raw_path.lower().startswith(("http://", "https://")):
                entries.append(ManifestEntry(path=Path(raw_path), metadata={"fetch": raw_path}))
                continue
            path = Path(raw_path).resolve()
            if path.is_dir():
                files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
                entries.extend(by_path.get(file, ManifestEntry(path=file)) for file in files)
            elif path.is_file():
                entries.append(by_path.get(path, ManifestEntry(path=path)))
            else:
                missing.append(f"{raw_path}: no such file or folder. Check the path.")
        if missing:
            raise ImportRefused("\n".join(missing))
        return entries

    def _fetch(self, entries):
        """Fetch the pages given by URL (every refusal named, nothing imported if any is refused)."""
        result, errors = [], []
        for entry in entries:
            url = entry.metadata.get("fetch")
            if not url:
                result.append(entry)
                continue
            try:
                result.append(url_entry(url))
            except ImportRefused as exc:
                errors.append(str(exc))
        if errors:
            raise ImportRefused("\n".join(errors))
        return result

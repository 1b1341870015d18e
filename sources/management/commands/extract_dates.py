"""`manage.py extract_dates FILE…`: the date mentions of files, printed, without touching the database."""

import json as json_lib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.extract import document_mentions, offsets_map
from sources.ingest import ImportRefused, bytes_decode, document_parse


def file_mentions(path):
    """
    The date mentions of one file as JSON-ready dicts, without touching the database. For a text
    file, start and end are offsets into its decoded text (before normalisation); for an HTML
    file, into the main text extracted from it (the text Citeline stores).
    """
    raw = Path(path).read_bytes()
    max_bytes = settings.CITELINE_IMPORT_MAX_BYTES
    parsed = document_parse(raw, filename=str(path), max_bytes=max_bytes)
    mapping = None
    if parsed.media_type == "text/plain":
        mapping = offsets_map(bytes_decode(raw, filename=str(path), max_bytes=max_bytes), parsed.text)
    result = []
    for index, mention in document_mentions(parsed):
        item = mention.as_json(offset=parsed.passages[index].start)
        if mapping is not None:
            item["start"], item["end"] = mapping[item["start"]], mapping[item["end"] - 1] + 1
        result.append(item)
    return result


class Command(BaseCommand):
    help = (
        "Print the date mentions found in text or HTML files, without touching the database. With one "
        "file, --json prints a list of mentions; with several, an object keyed by the file names as given."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="Machine-readable output (otherwise one line per mention).")

    def handle(self, *args, files, json: bool, **options):
        results, errors = {}, []
        for name in tqdm(files, desc="extracting", unit="file", disable=len(files) < 5 or None):
            try:
                results[name] = file_mentions(name)
            except FileNotFoundError:
                errors.append(f"{name}: no such file. Check the path.")
            except (IsADirectoryError, PermissionError) as exc:
                errors.append(f"{name}: cannot be read ({exc.strerror.lower()}). Check the path and its permissions.")
            except ImportRefused as exc:
                errors.append(str(exc))
        for error in errors:
            self.stderr.write(error)
        if errors and not results:
            raise CommandError(f"{len(errors)} file(s) could not be read.")
        if json:
            payload = next(iter(results.values())) if len(files) == 1 else results
            self.stdout.write(json_lib.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self._print(results)
        if errors:  # the others were printed, but a script must know that not every file was read
            raise CommandError(f"{len(errors)} of {len(files)} file(s) could not be read; the others are printed above.")

    def _print(self, results):
        for name, mentions in results.items():
            self.stdout.write(f"{name}: {len(mentions)} date mention(s)")
            for item in mentions:
                self.stdout.write(
                    f"  {item['start']:>6}–{item['end']:<6} {item['text']!r:32} {item['edtf']:<24} {item['role']:<11} {item['calendar']}"
                )

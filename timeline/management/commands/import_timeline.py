"""`manage.py import_timeline FILE [--replace]`: restore a JSON backup, all or nothing (timeline.backup)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.backup import BackupError, timeline_import


class Command(BaseCommand):
    help = (
        "Restore a backup made by export_timeline. All or nothing: a file that is not a Citeline backup, comes "
        "from a newer Citeline or refers to unknown slugs is refused and nothing is written. A database that "
        "already holds any of the backup's slugs is refused too, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup (JSON) to import.")
        parser.add_argument(
            "--replace", action="store_true",
            help="Delete the whole timeline in this database first, then restore the backup (in one transaction).",
        )  # fmt: skip

    def handle(self, *args, file, replace, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot be read ({getattr(exc, 'strerror', None) or exc}).") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file}: not a Citeline backup: not JSON (line {exc.lineno}: {exc.msg}).") from None
        try:
            created = timeline_import(data=data, replace=replace)
        except BackupError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from None
        summary = ", ".join(f"{count} {name}" for name, count in created.items() if count)
        self.stdout.write(self.style.SUCCESS(f"{file}: imported {summary or 'nothing'}."))

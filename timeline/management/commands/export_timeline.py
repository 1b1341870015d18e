"""`manage.py export_timeline FILE`: the whole timeline as one JSON backup (timeline.backup)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.backup import archives_missing, timeline_export


class Command(BaseCommand):
    help = (
        "Write the whole timeline (sources with their text and passages, events of every status, citations, "
        "actors, themes, periods) to a JSON backup that import_timeline restores. FILE - writes to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup (JSON); - for standard output.")

    def handle(self, *args, file, **options):
        data = timeline_export()
        for name in archives_missing(data):
            self.stderr.write(
                f"{name}: this archived copy is missing from the media storage; the backup names it without its bytes. "
                "Restore the file from another copy of MEDIA_ROOT, or re-import its page by URL."
            )
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if file == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{file}: cannot be written ({exc.strerror}).") from None
        counts = ", ".join(f"{len(data[key])} {key}" for key in ("sources", "events", "actors", "themes", "periods"))
        self.stdout.write(self.style.SUCCESS(f"{file}: {counts}."))

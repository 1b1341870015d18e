"""`manage.py demo [ADDRPORT]`: migrate, import the demo corpus and timeline when absent, and serve."""

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sources.importing import manifest_load
from sources.models import Source
from timeline.models import Event
from timeline.services import TimelineDataError, timeline_load

BASE_DIR = Path(__file__).resolve().parents[3]
DEMO_MANIFEST = BASE_DIR / "sources" / "demo" / "manifest.yaml"
DEMO_TIMELINE = BASE_DIR / "timeline" / "demo" / "timeline.yaml"


class Command(BaseCommand):
    help = (
        "Set up and serve the demo: migrate, import the demo corpus and the Russia–Iran timeline "
        "when they are absent (existing data is kept), then run the development server."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Address and port to serve on.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data, then exit without serving.")

    def handle(self, *args, addrport, no_serve, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        demo_slugs = {entry.slug for entry in manifest_load(DEMO_MANIFEST)}
        if Source.objects.filter(slug__in=demo_slugs).count() < len(demo_slugs):
            self.stdout.write("Importing the demo corpus…")
            call_command("import_sources", manifest=str(DEMO_MANIFEST), stdout=self.stdout, stderr=self.stderr)
        if not Event.objects.exists():
            self.stdout.write("Loading the demo timeline…")
            try:
                created = timeline_load(path=DEMO_TIMELINE)
            except TimelineDataError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(", ".join(f"{count} {name}" for name, count in created.items()))
        published = Event.objects.published().count()
        self.stdout.write(f"Ready in {time.monotonic() - started:.1f} s: {published} published events.")
        if no_serve:
            return
        host_port = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(self.style.SUCCESS(f"Citeline demo: http://{host_port}/  (editors: /admin/; stop with Ctrl-C)"))
        call_command("runserver", addrport, use_reloader=False, skip_checks=True)

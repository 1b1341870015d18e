"""`manage.py import_timelinejs FILE [--timeline SLUG]`: a TimelineJS timeline (JSON, or its sheet as CSV) as a draft timeline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from tqdm import tqdm

from timeline.services import timeline_timelinejs_import
from timeline.timelinejs import TimelineJSRefused, timelinejs_read

PROGRESS_FROM = 50  # events; shorter files import too fast for a bar to help


class Command(BaseCommand):
    help = (
        "Import a TimelineJS 3 timeline: its JSON file, or its Google Sheet template downloaded as CSV (.csv). "
        "Creates the timeline (a draft) or, when its slug exists, updates it; new events are drafts until an editor "
        "attaches citations and publishes them. Every problem is listed, one line each, and nothing is written. "
        "Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="TimelineJS JSON (.json) or the TimelineJS sheet as CSV (.csv).")
        parser.add_argument(
            "--timeline",
            metavar="SLUG",
            help="Slug of the timeline to create or update (default: from the title slide, or the file name).",
        )

    def handle(self, *args, path, timeline, **options):
        try:
            plan = timelinejs_read(path)
        except TimelineJSRefused as exc:
            self._refuse(exc)
        slug = timeline or slugify(plan.title)[:120] or slugify(Path(path).stem)[:120]
        if not slug:
            raise CommandError("Give the timeline a slug with --timeline SLUG (the file has no title to make one from).")
        if slugify(slug) != slug:
            raise CommandError(
                f"--timeline “{slug}” is not a slug: use lowercase letters, digits and hyphens, e.g. {slugify(slug)}."
            )

        def progress(items):
            return tqdm(items, desc="importing", unit="event", disable=len(items) < PROGRESS_FROM or None)

        try:
            counts = timeline_timelinejs_import(plan=plan, slug=slug, progress=progress)
        except TimelineJSRefused as exc:
            self._refuse(exc)
        changes = ", ".join(f"{counts[key]} {key}" for key in sorted(counts) if key != "events" and counts[key])
        self.stdout.write(
            self.style.SUCCESS(f"Timeline “{slug}”: {counts['events']} event(s) read; {changes or 'nothing changed'}.")
        )
        if counts["events created"]:
            self.stdout.write("New events are drafts: attach their citations in the admin, then publish them (and the timeline).")

    def _refuse(self, exc):
        for line in exc.problems:
            self.stderr.write(line)
        raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.")

"""`manage.py tallies_rebuild [--timeline SLUG] [--check]`: recount the kept tallies and say what had drifted."""

from django.core.management.base import BaseCommand, CommandError

from timeline.models import Timeline
from timeline.tallies import tallies_rebuild


class Command(BaseCommand):
    help = (
        "Recount the kept tallies (events per timeline, actor, theme, source and year) from the link tables and "
        "report every count that had drifted. With --check nothing is written and drift exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeline", metavar="SLUG", help="Only this timeline's tallies (default: every timeline).")
        parser.add_argument("--check", action="store_true", help="Report drift without fixing it; exit 1 when there is some.")

    def handle(self, *args, timeline=None, check=False, **options):
        if timeline is not None:
            slug, timeline = timeline, Timeline.objects.filter(slug=timeline).first()
            if timeline is None:
                raise CommandError(
                    f"There is no timeline “{slug}”: `manage.py tallies_rebuild` without --timeline recounts them all."
                )
        verbose = options["verbosity"] > 1

        def progress(done, total):
            if verbose:
                self.stdout.write(f"\r{done:,}/{total:,} events counted", ending="")
                self.stdout.flush()

        drift = tallies_rebuild(timeline=timeline, check=check, progress=progress)
        if verbose:
            self.stdout.write("")
        slugs = dict(Timeline.objects.values_list("pk", "slug"))
        for item in drift[:50]:
            self.stdout.write(
                f"drift: {slugs.get(item.timeline_id, item.timeline_id)} {item.kind} {item.key}: "
                f"kept {item.kept}, actual {item.actual}"
            )
        if len(drift) > 50:
            self.stdout.write(f"… and {len(drift) - 50:,} more")
        if check:
            if drift:
                raise CommandError(f"{len(drift):,} tallies drifted; run `manage.py tallies_rebuild` to fix them.", returncode=1)
            self.stdout.write(self.style.SUCCESS("The tallies are exact."))
        else:
            done = f"fixed {len(drift):,} that had drifted" if drift else "none had drifted"
            self.stdout.write(self.style.SUCCESS(f"Tallies recounted: {done}."))

"""`manage.py seed_synthetic --events N`: a realistic synthetic timeline for benchmarks (timeline.synthetic)."""

from django.core.management.base import BaseCommand, CommandError

from timeline.synthetic import SeedError, seed_synthetic


class Command(BaseCommand):
    help = (
        "Write a synthetic, published timeline of N events for benchmarks: mixed-precision dates of every era, "
        "long-tail actors and themes, periods, sources with passages and 1–4 cited quotes per event. "
        "Refuses when the timeline already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="How many events (e.g. 100000).")
        parser.add_argument("--sources", type=int, default=200, help="How many source documents (default 200).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: the same seed gives the same timeline.")
        parser.add_argument("--timeline", default="synthetic", help="Slug of the timeline to create (default “synthetic”).")

    def handle(self, *args, events, sources, seed, timeline, **options):
        log = (lambda message: self.stdout.write(message)) if options["verbosity"] > 1 else (lambda message: None)
        try:
            result = seed_synthetic(events=events, sources=sources, seed=seed, timeline=timeline, log=log)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{count:,} {name}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded “{timeline}” in {result.seconds:.1f} s: {counts}."))

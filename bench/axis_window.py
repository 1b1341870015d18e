"""
The axis's server time for one window at 1,000 and 100,000 events: the three queries and the
geometry behind /?window=… (timeline.axis.axis_build), whole span, a decade and a month.

    DATABASE_URL=sqlite:////tmp/axis-bench.sqlite3 uv run python bench/axis_window.py

It needs a database of its own (it migrates it and adds events in bulk); with `manage.py
seed_synthetic` present (the scale issue) it seeds with that instead, emptying the database
(`flush`) before each size unless it holds exactly that many events. With `--as-is` it measures the
database as it is (one size, nothing seeded or flushed: run it on a 1,000 and a 100,000 database and
compare). The axis is built as the synthetic timeline's page builds it for a reader: that timeline's
published events, its kept tallies for the buckets of wide windows. Results go in bench/RESULTS.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sources.dates import edtf_bounds  # noqa: E402
from timeline.axis import axis_build  # noqa: E402
from timeline.filters import EventFilter  # noqa: E402
from timeline.models import Event, Timeline  # noqa: E402
from timeline.selectors import timeline_events  # noqa: E402
from timeline.tallies import tallies_rebuild  # noqa: E402

WINDOWS = ["", "window=1900/2025", "window=2010/2019", "window=2015-03/2015-03"]


def seed(total):
    """Events spread over 1900–2025 (a tenth of them turning points) until there are `total`."""
    have = Event.objects.count()
    if "seed_synthetic" in get_commands():
        # seed_synthetic writes a whole new timeline (its actors and themes too): each size starts empty.
        if have != total:
            if have:
                call_command("flush", interactive=False, verbosity=0)
            call_command("seed_synthetic", events=total)
            if connection.vendor == "postgresql":  # fresh statistics, or the planner misjudges the range index
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        return
    if have >= total:
        return
    timeline = Timeline.objects.get_or_create(
        slug="bench", defaults={"title": "Bench", "status": "published", "is_default": True}
    )[0]
    batch = []
    for n in range(have, total):
        date = f"{1900 + n % 126}-{1 + n % 12:02d}" if n % 3 else f"{1900 + n % 126}"
        bounds = edtf_bounds(date)
        batch.append(Event(slug=f"bench-{n}", title=f"Bench event {n}", date=date, date_lower=bounds.lower, date_upper=bounds.upper,
                           date_precision=bounds.precision, status="published", is_turning_point=n % 10 == 0))  # fmt: skip
    created = Event.objects.bulk_create(batch, batch_size=2000)
    Event.timelines.through.objects.bulk_create(
        (Event.timelines.through(event=e, timeline=timeline) for e in created), batch_size=5000
    )
    tallies_rebuild()  # bulk writes send no signals: the wide windows' buckets read the tallies


def measure(query):
    times = []
    timeline = Timeline.objects.filter(slug="synthetic").first()
    events = timeline_events(timeline) if timeline is not None else Event.objects.published()
    for _ in range(7):
        query_dict = QueryDict(query)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            axis = axis_build(
                EventFilter(query_dict, queryset=events), query_dict=query_dict, timeline=timeline, tallies_of=timeline
            )
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(queries), len(axis.marks), len(axis.clusters)


def main():
    call_command("migrate", verbosity=0)
    results = {}
    if "--as-is" in sys.argv:
        total = Event.objects.count()
        for query in WINDOWS:
            results[(total, query)] = measure(query)
        print(f"{connection.vendor}; median of 7 runs")
        for (total, query), (seconds, queries, marks, clusters) in results.items():
            print(f"{query or '(whole span)':28} {total:8,} {seconds * 1000:8.1f} {queries:8} {marks:6} {clusters:8}")
        return
    # The size the database already holds first: it is measured without seeding again.
    for total in sorted((1_000, 100_000), key=lambda total: total != Event.objects.count()):
        seed(total)
        for query in WINDOWS:
            results[(total, query)] = measure(query)
    print(f"{connection.vendor}; median of 7 runs")
    print(f"{'window':28} {'events':>8} {'ms':>8} {'queries':>8} {'marks':>6} {'clusters':>8}")
    for (total, query), (seconds, queries, marks, clusters) in results.items():
        print(f"{query or '(whole span)':28} {total:8,} {seconds * 1000:8.1f} {queries:8} {marks:6} {clusters:8}")
    for query in WINDOWS:
        ratio = results[(100_000, query)][0] / results[(1_000, query)][0]
        print(f"{query or '(whole span)':28} 100,000 / 1,000 events: {ratio:.1f}×")


if __name__ == "__main__":
    main()

"""
How the reader, the API and the widget scale with the size of a timeline: time and queries per
request with the demo timeline alone, then with thousands of extra cited events (vis-timeline
slows down past a few thousand items; a Citeline page shows 25 at a time whatever the total).

    uv run python bench/timeline_scaling.py            # 2,000 and 10,000 extra events
    uv run python bench/timeline_scaling.py 500 5000

Runs on a temporary SQLite database (or DATABASE_URL, which it then fills: use a scratch one).
Timings are medians of several requests in one run; compare the ratios, not the milliseconds.
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

PATHS = [
    "/",
    "/?actor=russia&theme=military",
    "/?q=sanctions",
    "/?date_from=2010&date_to=July 2022&turning_point=on",
    "/api/events/",
    "/embed/timeline/?limit=20",
]
REPEAT = 7


def setup():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    scratch = tempfile.mkdtemp(prefix="citeline-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # static files from the tree, no collectstatic
    warnings.filterwarnings("ignore", "No directory at")  # whitenoise looks for collectstatic's output
    import django

    django.setup()
    from django.core.management import call_command

    call_command("demo", no_serve=True, stdout=open(os.devnull, "w"))


def add_events(count):
    """`count` published events, each with an actor, a theme and a citation of a demo passage."""
    from sources.dates import day_number, year_last_day
    from sources.models import Passage
    from timeline.models import Actor, Citation, Event, Theme

    passage = Passage.objects.get(source__slug="baghai-unlikely-alliance", text__contains="S-300")
    quote = "S-300 missile defense system"
    start = passage.text.index(quote)
    actor, theme = Actor.objects.get(slug="russia"), Theme.objects.get(slug="military")
    first = Event.objects.count()
    events = []
    for number in range(first, first + count):
        year = 1980 + number % 45
        events.append(Event(
            title=f"Synthetic event {number} on sanctions", slug=f"synthetic-{number}", date=str(year),
            date_lower=day_number(year), date_upper=year_last_day(year), date_precision="year",
            annotation="A generated event for the scaling benchmark.", status=Event.Status.PUBLISHED,
        ))  # fmt: skip
    events = Event.objects.bulk_create(events, batch_size=500)
    Event.actors.through.objects.bulk_create([Event.actors.through(event=e, actor=actor) for e in events], batch_size=500)
    Event.themes.through.objects.bulk_create([Event.themes.through(event=e, theme=theme) for e in events], batch_size=500)
    Citation.objects.bulk_create(
        [Citation(event=e, passage=passage, quote=quote, start=start, end=start + len(quote)) for e in events], batch_size=500
    )
    Event.objects.filter(pk__in=[e.pk for e in events]).search_vector_refresh()  # bulk writes skip save()


def measure():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    results = {}
    for path in PATHS:
        client.get(path)  # warm caches (templates, dateparser)
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        results[path] = (statistics.median(timings) * 1000, len(queries))
    return results


def main():
    sizes = [int(argument) for argument in sys.argv[1:]] or [2000, 10000]
    setup()
    from timeline.models import Event

    runs = [(Event.objects.count(), measure())]
    for size in sizes:
        add_events(size - (Event.objects.count() - runs[0][0]))
        runs.append((Event.objects.count(), measure()))
    base = runs[0][1]
    header = "".join(f"{total:>8,} ev ms/q" for total, _ in runs)
    print(f"{'request':52}{header}   ratio (largest / demo)")
    for path in PATHS:
        cells = "".join(f"{results[path][0]:>9.1f}/{results[path][1]:<3}" for _, results in runs)
        ratio = runs[-1][1][path][0] / base[path][0]
        print(f"{path:52}{cells}   {ratio:.1f}×")


if __name__ == "__main__":
    main()

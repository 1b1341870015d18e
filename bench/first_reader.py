"""
What the first reader after an edit pays: each URL fetched with the Django test client and nothing
cached (CACHE_URL=dummy://, so every request recomputes what an edit made unreachable), median of
`--runs`, in-process, against an existing database (seeded with `manage.py seed_synthetic`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/citeline_bench_100k uv run python bench/first_reader.py

CITELINE_ROOT=/path/to/another/checkout measures that checkout's code against the same database (the
"before" of a change). Results go in bench/RESULTS.md ("First reader after an edit").
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("CITELINE_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "tests.settings", "DEBUG": "0", "SECRET_KEY": "bench-only-not-a-secret",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0", "CACHE_URL": "dummy://", "PYTHONWARNINGS": "ignore",
})  # fmt: skip

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

URLS = [
    "/timelines/synthetic/",
    "/timelines/synthetic/?window=1900/2025",
    "/timelines/synthetic/?window=2010/2019",
    "/embed/timeline/?timeline=synthetic",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("urls", nargs="*", default=URLS)
    args = parser.parse_args()
    client = Client()
    for url in args.urls:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{url}\tmedian {statistics.median(times) * 1000:.0f} ms\t({', '.join(f'{t * 1000:.0f}' for t in times)})", flush=True
        )


if __name__ == "__main__":
    main()

"""
The soak test: mixed reader traffic from locust (reading, filtering, searching, zooming the axis,
embeds, exports, the sitemap) against gunicorn while an editor creates, cites, publishes, edits and
unpublishes events through the API, and checker threads read as anonymous readers. It fails (exit
status 1) on any error, any lost or duplicated edit, or any reader response that shows an event
after its unpublish returned.

    DATABASE_URL=postgres://…/citeline_bench uv run python bench/soak.py --seconds 60 --users 50 --wipe
    DATABASE_URL=… CACHE_URL=redis://127.0.0.1:6379/0 uv run python bench/soak.py --processes 3 --workers 1 --wipe

The database is emptied and seeded (--events, 5,000 by default), as bench/run.py does. With
--processes N, N gunicorns run behind nginx configured from docker-compose.yml (tests/proxy.py),
and every request goes through nginx; give them a shared CACHE_URL, as production does. At the end
the whole CSV export is read through the server and must hold every published event.
"""

import argparse
import csv
import io
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: seeding, gunicorn, locust)

MARKER = "soakmarker"  # a word only the editor's events carry, so that readers can search for them


class Http:
    """Small JSON-over-HTTP helper that records every status and latency."""

    def __init__(self, base, token=None):
        self.base, self.token = base, token
        self.latencies, self.errors = [], []

    def call(self, method, path, body=None, *, expect=(200,)):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError as exc:
            status, payload = 0, str(exc).encode()
        self.latencies.append(time.monotonic() - started)
        if status not in expect:
            self.errors.append(f"{method} {path}: HTTP {status} {payload[:200]!r}")
        return status, payload


class Editor(threading.Thread):
    """Creates, cites, publishes, edits and unpublishes events through the API until `deadline`."""

    def __init__(self, base, token, passage, deadline):
        super().__init__(daemon=True)
        self.http = Http(base, token)
        self.passage, self.deadline = passage, deadline
        self.created, self.final_titles = [], {}
        self.unpublished = {}  # slug -> monotonic time its unpublish returned
        self.lock = threading.Lock()

    def run(self):
        number = 0
        while time.monotonic() < self.deadline:
            number += 1
            slug = f"soak-{os.getpid()}-{number}"
            title = f"Soak {MARKER} event {number}"
            status, _ = self.http.call(
                "POST", "/api/events/", {"slug": slug, "title": title, "date": "2020-05", "status": "draft"}, expect=(201,)
            )
            if status != 201:
                continue
            self.created.append(slug)
            self.final_titles[slug] = title
            self.http.call(
                "POST",
                "/api/citations/",
                {"event": slug, "passage": self.passage["id"], "quote": self.passage["quote"]},
                expect=(201,),
            )
            self.http.call("PATCH", f"/api/events/{slug}/", {"status": "published"})
            for edit in range(2):
                title = f"Soak {MARKER} event {number} edit {edit + 1}"
                status, _ = self.http.call("PATCH", f"/api/events/{slug}/", {"title": title})
                if status == 200:
                    self.final_titles[slug] = title
            status, _ = self.http.call("PATCH", f"/api/events/{slug}/", {"status": "draft"})
            if status == 200:
                with self.lock:
                    self.unpublished[slug] = time.monotonic()


class Checker(threading.Thread):
    """An anonymous reader searching for the editor's events: none may show after its unpublish returned."""

    PATHS = [f"/api/events/?q={MARKER}&page_size=100", f"/?q={MARKER}", "/feed/", f"/embed/timeline/?q={MARKER}"]

    def __init__(self, base, editor, deadline):
        super().__init__(daemon=True)
        self.http, self.editor, self.deadline = Http(base), editor, deadline
        self.violations, self.seen = [], set()

    def run(self):
        index = 0
        while time.monotonic() < self.deadline:
            path = self.PATHS[index % len(self.PATHS)]
            index += 1
            started = time.monotonic()
            with self.editor.lock:
                gone = dict(self.editor.unpublished)
            status, payload = self.http.call("GET", path)
            if status != 200:
                continue
            for slug in set(re.findall(r"soak-\d+-\d+", payload.decode("utf-8", "replace"))):
                self.seen.add(slug)
                if slug in gone and gone[slug] < started:
                    self.violations.append(f"{path} showed {slug} {started - gone[slug]:.3f} s after its unpublish returned")


def export_shortfall(base):
    """What is wrong with the whole CSV export read through `base` (a row per published event), or "" when nothing."""
    try:
        with urllib.request.urlopen(base + "/api/events/?format=csv", timeout=300) as response:
            rows = len(list(csv.DictReader(io.StringIO(response.read().decode("utf-8")))))
    except OSError as exc:  # HTTPError among them
        return f"the export failed: {exc}"
    status, listing = Http(base).call("GET", "/api/events/?page_size=1")
    expected = json.loads(listing)["count"] if status == 200 else None
    return "" if rows == expected else f"{rows:,} rows where the API counts {expected} published events"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=50, help="Concurrent readers in total (locust's, plus 2 checkers).")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each process.")
    parser.add_argument("--processes", type=int, default=1, help="gunicorn processes; more than one run behind nginx.")
    parser.add_argument("--wipe", action="store_true", help="Empty the DATABASE_URL database even when it holds events.")
    options = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="citeline-soak-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/soak.sqlite3"
    env = bench.environment(database_url)
    bench.database_reset(env, database_url, options.wipe)
    seconds, seeded = bench.seed(env, database_url, options.events)
    print(f"   {seeded}", flush=True)
    env["CITELINE_EDITOR_PASSWORD"] = "soak-editor-password-1"
    bench.manage(env, "createeditor", "soak-editor", "--email", "soak@example.org", "--no-input")
    passage_json = bench.manage(env, "shell", "-c", (
        "import json\nfrom sources.models import Passage\np = Passage.objects.order_by('pk').first()\n"
        "print(json.dumps({'id': p.pk, 'quote': ' '.join(p.text.split()[:6])}))"
    ), capture=True).strip().splitlines()[-1]  # fmt: skip
    passage = json.loads(passage_json)
    paths = bench.requests_for(options.events) + [
        ("export csv (filtered)", "/api/events/?format=csv&theme=synthetic-theme-9"),
        ("export timelinejs (filtered)", "/api/events/?format=timelinejs&actor=synthetic-actor-40"),
        ("sitemap", "/sitemap.xml"),
    ]
    if options.processes > 1 and not env.get("CACHE_URL", "").startswith("redis"):
        print("   note: no redis CACHE_URL: each process keeps its own cache (production shares one)", flush=True)
    load_before = os.getloadavg()
    with bench.Server(env, options.workers, options.processes) as server:
        status, payload = Http(server.url).call(
            "POST", "/api/token/", {"username": "soak-editor", "password": env["CITELINE_EDITOR_PASSWORD"]}
        )
        if status != 200:
            sys.exit(f"Could not get the editor's API token: HTTP {status} {payload[:200]!r}")
        token = json.loads(payload)["token"]
        bench.warm_up(server.url, paths)
        deadline = time.monotonic() + options.seconds + 5  # locust needs a few seconds to start its users
        editor = Editor(server.url, token, passage, deadline)
        checkers = [Checker(server.url, editor, deadline) for _ in range(2)]
        for thread in (editor, *checkers):
            thread.start()
        readers = bench.drive(env, server.url, paths, users=max(1, options.users - 2), seconds=options.seconds, scratch=scratch)
        for thread in (editor, *checkers):
            thread.join(timeout=120)
        # Lost or duplicated edits: every event the editor created exists once, as a draft, with its last title.
        reader = Http(server.url, token)
        lost = []
        for slug in editor.created:
            status, payload = reader.call("GET", f"/api/events/{slug}/")
            if status != 200:
                lost.append(f"{slug}: HTTP {status}")
                continue
            data = json.loads(payload)
            expected_status = "draft" if slug in editor.unpublished else data["status"]
            if data["title"] != editor.final_titles[slug] or data["status"] != expected_status:
                lost.append(
                    f"{slug}: {data['title']!r}/{data['status']} where the editor last wrote {editor.final_titles[slug]!r}"
                )
        export_missing = export_shortfall(server.url)
        per_process = server.requests_per_process()
    load_after = os.getloadavg()
    count = int(bench.manage(env, "shell", "-c", (
        "from timeline.models import Event\nprint(Event.objects.filter(slug__startswith='soak-').count())"
    ), capture=True).strip().splitlines()[-1])  # fmt: skip
    duplicated = count - len(editor.created)
    errors = editor.http.errors + [error for checker in checkers for error in checker.http.errors]
    reader_failures = sum(result["failures"] for result in readers.values())
    violations = [violation for checker in checkers for violation in checker.violations]
    editor_p95 = statistics.quantiles(editor.http.latencies, n=20)[-1] * 1000 if len(editor.http.latencies) > 1 else 0
    requests = sum(result["requests"] for result in readers.values())
    print(
        f"\n{options.seconds} s, {options.users} readers, 1 editor, {options.events:,} events, "
        f"{options.processes} gunicorn process(es) of {options.workers} worker(s)"
        + (" behind nginx" if options.processes > 1 else "")
    )
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.1f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.1f}' for x in load_after)}; {os.cpu_count()} cores")  # fmt: skip
    print("| request | requests | failures | median ms | p95 ms |\n|---|---|---|---|---|")
    for name, result in readers.items():
        print(f"| {name} | {result['requests']} | {result['failures']} | {result['median_ms']:.0f} | {result['p95_ms']:.0f} |")
    print(f"\nreaders: {requests:,} requests, {reader_failures} failed")
    print(f"editor: {len(editor.created)} events created, {len(editor.unpublished)} unpublished, "
          f"{len(editor.http.latencies)} API calls, p95 {editor_p95:.0f} ms")  # fmt: skip
    print(
        f"checkers: {sum(len(c.http.latencies) for c in checkers)} reads, {len(set().union(*(c.seen for c in checkers)))} of the editor's events seen while published"
    )
    if per_process:
        print(
            "requests per process (nginx's log): "
            + ", ".join(f"{address} {count:,}" for address, count in sorted(per_process.items()))
        )
    print(f"whole CSV export through the server: {export_missing or 'complete'}")
    print(f"errors: {len(errors) + reader_failures}; lost edits: {len(lost)}; duplicated events: {duplicated}; "
          f"unpublished events seen after their unpublish returned: {len(violations)}")  # fmt: skip
    for line in (errors + lost + violations)[:20]:
        print("  ", line)
    if errors or reader_failures or lost or duplicated or violations or export_missing:
        sys.exit(1)
    print("Soak clean.")


if __name__ == "__main__":
    main()

"""
The scaling benchmark: for each size, seed a synthetic timeline (manage.py seed_synthetic), serve it
with gunicorn and drive it from a separate process (locust, headless), then report the median and
p95 latency, requests per second and response size of each kind of request, with the trivial
/healthz view as the baseline in the same run.

    DATABASE_URL=postgres://…/citeline_bench uv run python bench/run.py --events 1000,100000
    uv run python bench/run.py --smoke          # a few hundred events on a scratch SQLite database, seconds

The DATABASE_URL database is emptied before each size (--wipe is needed when it holds events).
Without DATABASE_URL a temporary SQLite database is used. It prints a table and the targets of issue
15, and writes JSON (--json). Latencies are per request at low concurrency (as many readers as
gunicorn workers, by default), so they measure the work of a request rather than a queue.
"""

import argparse
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]


def requests_for(events):
    """(name, path) of every request the benchmark makes, for a timeline of `events` synthetic events."""
    middle = f"synthetic-{events // 2}"
    return [
        ("healthz", "/healthz"),
        ("timeline", "/"),
        ("timeline actor+theme", "/?actor=synthetic-actor-3&theme=synthetic-theme-2"),
        ("timeline dates 1500-1600", "/?date_from=1500&date_to=1600"),
        ("timeline search", "/?q=war"),
        ("timeline deep page", "/?page=20"),
        ("axis zoom centuries", "/?window=1200/2025"),
        ("axis zoom decades", "/?window=1900/1950"),
        ("axis zoom months", "/?window=2020-01/2020-12"),
        ("event page", f"/events/{middle}/"),
        ("source page", "/sources/synthetic-source-0/"),
        ("sources list", "/sources/"),
        ("api events", "/api/events/"),
        ("api events filtered", "/api/events/?theme=synthetic-theme-2&date_from=1800"),
        ("embed", "/embed/timeline/"),
        ("feed", "/feed/"),
    ]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # static files from the tree: no collectstatic needed
        "DEBUG": "0", "SECRET_KEY": "bench-only-not-a-secret", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "PYTHONWARNINGS": "ignore",
    })  # fmt: skip
    return env


def manage(env, *args, capture=False):
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    result = subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, capture_output=capture)
    return result.stdout if capture else None


def database_reset(env, database_url, wipe):
    """An empty, migrated database: the SQLite file removed, or PostgreSQL's public schema dropped and recreated."""
    if database_url.startswith("sqlite"):
        path = Path(urlsplit(database_url).path)
        path.unlink(missing_ok=True)
    else:
        check = (
            "from django.db import connection\n"
            "tables = connection.introspection.table_names()\n"
            "from timeline.models import Event\n"
            "print(Event.objects.count() if 'timeline_event' in tables else 0)"
        )
        existing = int(manage(env, "shell", "-c", check, capture=True).strip().splitlines()[-1] or 0)
        if existing and not wipe:
            sys.exit(
                f"The database at DATABASE_URL holds {existing:,} events. The benchmark empties it: "
                "point DATABASE_URL at a scratch database, or pass --wipe."
            )
        drop = "from django.db import connection\nwith connection.cursor() as c: c.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')"
        manage(env, "shell", "-c", drop)
    manage(env, "migrate", "--no-input", "-v0")


def seed(env, database_url, events):
    started = time.monotonic()
    output = manage(env, "seed_synthetic", "--events", str(events), "--seed", "1", capture=True)
    if not database_url.startswith("sqlite"):
        manage(env, "shell", "-c", "from django.db import connection\nconnection.cursor().execute('VACUUM ANALYZE')")
    return time.monotonic() - started, output.strip()


def seeded_size(env):
    """How many events the synthetic timeline of the database holds (0 without one)."""
    script = (
        "from timeline.models import Event, Timeline\n"
        "t = Timeline.objects.filter(slug='synthetic').first()\n"
        "print(Event.objects.in_timeline(t).count() if t and Event.objects.count() == Event.objects.in_timeline(t).count() else 0)"
    )
    try:
        return int(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return 0


class Server:
    """
    gunicorn on a free port; with `processes` > 1, that many gunicorns behind nginx configured from
    docker-compose.yml's own server block (tests/proxy.py), as `docker compose up --scale web=N` runs
    them. Every process is stopped (by its process id) on exit.
    """

    def __init__(self, env, workers, processes=1):
        ports = [free_port() for _ in range(processes)]
        self.backends = [f"http://127.0.0.1:{port}" for port in ports]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "timeline.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(workers), "--timeout", "120", "--log-level", "warning"],
                env=env, cwd=ROOT,
            )
            for port in ports
        ]  # fmt: skip
        self.url, self.proxy_directory = self.backends[0], None
        if processes > 1:
            sys.path.insert(0, str(ROOT))
            from tests.proxy import nginx_start

            self.proxy_directory = Path(tempfile.mkdtemp(prefix="citeline-nginx-"))
            proxy_port = free_port()
            self.processes.append(nginx_start(backend_ports=ports, listen_port=proxy_port, directory=self.proxy_directory))
            self.url = f"http://127.0.0.1:{proxy_port}"

    def __enter__(self):
        for url in [*self.backends, self.url]:
            for _ in range(150):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2)
                    break
                except OSError:
                    if any(process.poll() is not None for process in self.processes):
                        self.__exit__()
                        sys.exit("gunicorn or nginx stopped during start-up; see its output above.")
                    time.sleep(0.2)
            else:
                self.__exit__()
                sys.exit(f"{url}/healthz did not answer within 30 s.")
        return self

    def requests_per_process(self):
        """{backend address: requests nginx sent it} from nginx's access log; empty without nginx."""
        if self.proxy_directory is None:
            return {}
        from tests.proxy import nginx_upstreams

        counts = {}
        for _, _, _, upstreams in nginx_upstreams(self.proxy_directory):
            address = upstreams.split(", ")[-1]  # the one that answered, after any that refused
            counts[address] = counts.get(address, 0) + 1
        return counts

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def warm_up(url, paths):
    """Each request once before measuring (imports, template compilation, caches), failing loudly on an error."""
    for name, path in paths:
        try:
            with urllib.request.urlopen(url + path, timeout=120) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            sys.exit(f"{name} ({path}) answered HTTP {exc.code} before the measurement.")


def drive(env, url, paths, *, users, seconds, scratch):
    """Run locust headless against `url` for `seconds`; per request name: count, failures, median, p95, rps, bytes."""
    prefix = Path(scratch) / f"locust-{time.monotonic_ns()}"
    locust_env = dict(env, CITELINE_BENCH_PATHS=json.dumps(paths))
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", url,
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary",
         "--loglevel", "ERROR", "--stop-timeout", "30"],
        env=locust_env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated" or not int(row["Request Count"]):
                continue
            results[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "rps": float(row["Requests/s"]),
                "bytes": float(row["Average Content Size"]),
            }  # fmt: skip
    return results


def machine():
    memory = ""
    try:
        memory = next(line.split(":")[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except OSError:
        pass
    cpu = platform.processor()
    try:
        cpu = next(line.split(":")[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def targets(runs):
    """Issue 15's targets, from the smallest and the largest size of this run: (description, value, limit, met)."""
    sizes = sorted(runs, key=int)
    if not sizes:
        return []
    small, large = runs[sizes[0]]["results"], runs[sizes[-1]]["results"]
    checks = []
    if len(sizes) > 1:
        for name, result in large.items():
            if name == "healthz" or name not in small or not small[name]["median_ms"]:
                continue
            ratio = result["median_ms"] / small[name]["median_ms"]
            checks.append((f"{name}: median at {int(sizes[-1]):,} / at {int(sizes[0]):,}", ratio, 1.5, ratio <= 1.5))
    base = max(large.get("healthz", {}).get("median_ms", 0), 1)
    for name, result in large.items():
        if name.startswith(("timeline", "axis")):
            limit = 10 if name == "timeline" else 25
            ratio = result["median_ms"] / base
            checks.append((f"{name}: median / healthz", ratio, limit, ratio <= limit))
    if "timeline search" in large and "timeline" in large:
        ratio = large["timeline search"]["median_ms"] / max(large["timeline"]["median_ms"], 1)
        checks.append(("search / unfiltered timeline", ratio, 2, ratio <= 2))
    for name, result in large.items():
        if not name.startswith("api"):
            kb = result["bytes"] / 1024
            checks.append((f"{name}: KB of HTML", kb, 100, kb <= 100))
    return checks


def report(runs, checks):
    sizes = sorted(runs, key=int)
    names = [name for name, _ in requests_for(1)]
    header = "| request | " + " | ".join(f"{int(size):,}: median / p95 ms, req/s, KB" for size in sizes)
    header += " | ratio |" if len(sizes) > 1 else " |"
    lines = [header, "|" + "---|" * (len(sizes) + 1 + (len(sizes) > 1))]
    for name in names:
        cells = []
        for size in sizes:
            result = runs[size]["results"].get(name)
            cells.append(
                f"{result['median_ms']:.0f} / {result['p95_ms']:.0f}, {result['rps']:.1f}, {result['bytes'] / 1024:.0f}"
                + (f" ({result['failures']} failed)" if result["failures"] else "")
                if result else "—"
            )  # fmt: skip
        row = f"| {name} | " + " | ".join(cells)
        if len(sizes) > 1:
            first, last = runs[sizes[0]]["results"].get(name), runs[sizes[-1]]["results"].get(name)
            ratio = last["median_ms"] / first["median_ms"] if first and last and first["median_ms"] else float("nan")
            row += f" | {ratio:.2f}×"
        lines.append(row + " |")
    lines.append("")
    for description, value, limit, met in checks:
        lines.append(f"- {'met ' if met else 'MISS'} {description}: {value:.2f} (target ≤ {limit})")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1000,10000,100000", help="Comma-separated sizes (default 1000,10000,100000).")
    parser.add_argument("--seconds", type=int, default=30, help="Seconds of load per size (default 30).")
    parser.add_argument("--users", type=int, default=2, help="Concurrent readers (default 2: one per gunicorn worker).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument("--json", default=None, help="Write the results here (default bench/results-<database>.json).")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep a database that already holds exactly the synthetic timeline of a size."
    )
    parser.add_argument("--wipe", action="store_true", help="Empty the DATABASE_URL database even when it holds events.")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="300 events, 5 s of load, fails on any error (the warm-up requests every URL once): for CI.",
    )
    options = parser.parse_args()
    if options.smoke:
        options.events, options.seconds = "300", 5
    sizes = [int(size.replace("_", "")) for size in options.events.split(",") if size.strip()]
    scratch = tempfile.mkdtemp(prefix="citeline-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    vendor = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    env = environment(database_url)
    runs = {}
    try:
        for size in sizes:
            print(f"== {size:,} events on {vendor}", flush=True)
            if options.reuse and seeded_size(env) == size:
                seconds, seeded = 0.0, f"reusing the {size:,} events already seeded"
            else:
                database_reset(env, database_url, options.wipe or options.smoke)
                seconds, seeded = seed(env, database_url, size)
            print(f"   {seeded}", flush=True)
            paths = requests_for(size)
            with Server(env, options.workers) as server:
                warm_up(server.url, paths)
                results = drive(env, server.url, paths, users=options.users, seconds=options.seconds, scratch=scratch)
            runs[str(size)] = {"seed_seconds": round(seconds, 1), "results": results}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    checks = targets(runs)
    print(report(runs, checks))
    data = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "database": vendor, "machine": machine(),
        "users": options.users, "workers": options.workers, "seconds": options.seconds, "runs": runs,
        "targets": [{"check": d, "value": round(v, 3), "limit": limit, "met": met} for d, v, limit, met in checks],
    }  # fmt: skip
    path = Path(options.json or ROOT / "bench" / f"results-{vendor}.json")
    if not options.smoke or options.json:
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"Results written to {path}")
    failures = sum(result["failures"] for run in runs.values() for result in run["results"].values())
    if failures:
        sys.exit(f"{failures} request(s) failed.")


if __name__ == "__main__":
    main()

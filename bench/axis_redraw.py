"""
The axis's zoom-to-redraw time in headless Chromium (issue 14): for each size, seed a synthetic
timeline (manage.py seed_synthetic), serve it with gunicorn as bench/run.py does, open the timeline
page and time zoom and pan steps (+ and − on a focused mark, the zoom buttons, Page Down/Up and the
Earlier/Later buttons) from the key press or click to the new axis being in the DOM, measured in the page
with performance.now(). It reports the median and p95 per size and their ratio, prints a table and
writes JSON (--json). The sizes are served side by side and measured step by step in turn (a step
at 1,000, the same step at 100,000), so that a busy machine weighs on both alike.

    uv run python bench/axis_redraw.py                        # 1,000 and 100,000 events, scratch SQLite
    uv run python bench/axis_redraw.py --events 1000,20000 --keep /tmp/axis-dbs
    DATABASE_URL=postgres://…/citeline_bench uv run python bench/axis_redraw.py --wipe
    uv run python bench/axis_redraw.py --smoke                # 300 events, 3 steps, well under a minute

"in the DOM" is when a MutationObserver sees the new [data-axis] section: axis.js has fetched the
axis alone (HX-Target: axis), swapped it in and laid out its labels (the observer runs once that
script has finished). "next frame" adds the wait for the following animation frame.
Without DATABASE_URL each size gets its own SQLite file, in a temporary directory or in --keep DIR,
where a file that already holds exactly that size's synthetic timeline is reused (seeding 100,000
events takes minutes). A DATABASE_URL database is emptied before each size (--wipe when it holds events).
"""

import argparse
import contextlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, Server, database_reset, environment, machine, seed, seeded_size  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Down six levels (each a key + and a button zoom in, a quarter of the width, with a pan later and
# back: from a synthetic timeline's ~3,000 years to under a year), then up again the same way: 48 steps
# that stay where the events are and end at the whole span.
DOWN = [("key +", "zoom"), ("button zoom in", "zoom"), ("key Page Down", "pan"), ("button earlier", "pan")]
UP = [("key −", "zoom"), ("button zoom out", "zoom"), ("button later", "pan"), ("key Page Up", "pan")]
STEPS = DOWN * 6 + UP * 6

# Installed before the page's own scripts: the press or click starts the clock (capture phase, so
# before axis.js sees it), the new axis section stops it.
PROBE = """
(() => {
  const probe = (window.__redraw = { start: null, dom: null, frame: null });
  const begin = () => { probe.start = performance.now(); probe.dom = probe.frame = null; };
  document.addEventListener("keydown", begin, true);
  document.addEventListener("click", begin, true);
  new MutationObserver((records) => {
    if (probe.start === null || probe.dom !== null) return;
    const fresh = records.some((r) => Array.from(r.addedNodes).some((n) => n.nodeType === 1 && n.matches("[data-axis]")));
    if (!fresh) return;
    probe.dom = performance.now();
    requestAnimationFrame(() => {
      probe.frame = performance.now();
      // Reported at once through a binding: a step that reloads the page must not lose its time.
      window.__redrawDone(probe.dom - probe.start, probe.frame - probe.start, document.querySelector("[data-axis]").getAttribute("data-window"));
    });
  }).observe(document, { childList: true, subtree: true });
})();
"""


def percentile(values, fraction):
    """The nearest-rank percentile (p95 of 48 steps is the 46th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def step(page, action, timeout_ms, done, documents):
    """Perform one step: (ms to the DOM, ms to the next frame, the new window, whether the page reloaded), or None when it cannot be taken here."""
    if action.startswith("key"):
        mark = page.locator("[data-axis] .axis-frame a")
        if not mark.count():
            return None  # an empty window has nothing to focus: the keys act on a focused mark
        # The middle mark: + zooms around the focused mark, and the first one would walk the window to the start.
        mark.nth(mark.count() // 2).focus()
        press = {"key +": "+", "key −": "-", "key Page Down": "PageDown", "key Page Up": "PageUp"}[action]
    else:
        selector = {
            "button zoom in": '[data-axis-zoom="in"]',
            "button zoom out": '[data-axis-zoom="out"]',
            "button later": '[data-axis-pan="later"]',
            "button earlier": '[data-axis-pan="earlier"]',
        }[action]
        button = page.locator(selector)
        if not button.count():
            return None  # no zoom in below a day, no zoom out beyond the whole span
    done.clear()
    documents.clear()
    page.evaluate("window.__stale = true")  # gone once a reload has replaced this document
    if action.startswith("key"):
        page.keyboard.press(press)
    else:
        button.click()
    deadline = time.monotonic() + timeout_ms / 1000
    while not done:
        if time.monotonic() > deadline:
            sys.exit(f"{action}: the axis was not redrawn within {timeout_ms / 1000:.0f} s (--timeout).")
        page.wait_for_timeout(5)
    # A step whose script falls back to loading the whole page (axis.js does when the swap fails)
    # is measured to its swap, then recorded as reloaded once that page has loaded.
    page.wait_for_timeout(300)
    if documents:
        # wait_for_load_state would answer at once for the old, loaded document: wait for the new one.
        page.wait_for_function("() => !window.__stale && document.readyState === 'complete'", timeout=timeout_ms)
        page.wait_for_selector("[data-axis] .axis-frame")
    dom_ms, frame_ms, window = done[0]
    return dom_ms, frame_ms, window, bool(documents)


class Walk:
    """One page of the timeline of one size, taking the steps in order (skipping one that cannot be taken there)."""

    def __init__(self, browser, url, timeout_ms):
        self.records, self.done, self.documents = [], [], []
        self.position = self.skipped = 0
        self.timeout_ms = timeout_ms
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.expose_function("__redrawDone", lambda *result: self.done.append(result))
        self.page.on("request", lambda request: request.is_navigation_request() and self.documents.append(request.url))
        self.page.add_init_script(PROBE)
        self.page.goto(url + "/")
        self.page.wait_for_selector("[data-axis] .axis-frame")

    def advance(self):
        """Take the next step that can be taken; False when none can."""
        while self.skipped < len(STEPS):
            action, kind = STEPS[self.position % len(STEPS)]
            self.position += 1
            result = step(self.page, action, self.timeout_ms, self.done, self.documents)
            if result is None:
                self.skipped += 1  # in a row: a step that cannot be taken here gives way to the next
                continue
            self.skipped = 0
            dom_ms, frame_ms, window, reloaded = result
            self.records.append({"action": action, "kind": kind, "window": window, "dom_ms": dom_ms,
                                 "frame_ms": frame_ms, "reloaded": reloaded})  # fmt: skip
            return True
        return False


def measure(urls, steps, timeout_ms):
    """Open the timeline page of each size in headless Chromium and take `steps` steps on each, a step on
    one size then the same step on the next, so that a change in the machine's load falls on every size
    alike and the ratio stays fair. {size: records}."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        walks = {size: Walk(browser, url, timeout_ms) for size, url in urls.items()}
        for _ in range(steps):
            if not all([walk.advance() for walk in walks.values()]):
                break
        browser.close()
    for size, walk in walks.items():
        if not walk.records:
            sys.exit(f"No zoom or pan step could be taken at {size:,} events: the timeline page shows no axis controls.")
    return {size: walk.records for size, walk in walks.items()}


def summary(records):
    dom = [record["dom_ms"] for record in records]
    frame = [record["frame_ms"] for record in records]
    zoom = [record["dom_ms"] for record in records if record["kind"] == "zoom"]
    pan = [record["dom_ms"] for record in records if record["kind"] == "pan"]
    return {
        "steps": len(records),
        "reloaded": sum(record["reloaded"] for record in records),
        "median_ms": statistics.median(dom),
        "p95_ms": percentile(dom, 0.95),
        "frame_median_ms": statistics.median(frame),
        "frame_p95_ms": percentile(frame, 0.95),
        "zoom_median_ms": statistics.median(zoom) if zoom else None,
        "pan_median_ms": statistics.median(pan) if pan else None,
    }


def report(runs):
    sizes = sorted(runs, key=int)
    columns = [
        ("steps", "steps", "{:.0f}"),
        ("reloaded", "steps after which axis.js reloaded the page", "{:.0f}"),
        ("median_ms", "to the DOM: median ms", "{:.0f}"),
        ("p95_ms", "to the DOM: p95 ms", "{:.0f}"),
        ("frame_median_ms", "next frame: median ms", "{:.0f}"),
        ("frame_p95_ms", "next frame: p95 ms", "{:.0f}"),
        ("zoom_median_ms", "zoom steps: median ms", "{:.0f}"),
        ("pan_median_ms", "pan steps: median ms", "{:.0f}"),
    ]
    header = "| | " + " | ".join(f"{int(size):,} events" for size in sizes)
    header += f" | ratio {int(sizes[-1]):,} / {int(sizes[0]):,} |" if len(sizes) > 1 else " |"
    lines = [header, "|" + "---|" * (len(sizes) + 1 + (len(sizes) > 1))]
    for key, label, form in columns:
        values = [runs[size]["summary"][key] for size in sizes]
        row = f"| {label} | " + " | ".join("—" if value is None else form.format(value) for value in values)
        if len(sizes) > 1:
            first, last = values[0], values[-1]
            row += " | —" if key in ("steps", "reloaded") or not first or last is None else f" | {last / first:.2f}×"
        lines.append(row + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1000,100000", help="Comma-separated sizes (default 1000,100000).")
    parser.add_argument(
        "--steps", type=int, default=48, help="Zoom and pan steps per size (default 48: down six levels and up again)."
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument("--timeout", type=float, default=60, help="Seconds to wait for one redraw (default 60).")
    parser.add_argument(
        "--json", default=None, help="Write the results here (default bench/results-axis-redraw-<database>.json)."
    )
    parser.add_argument(
        "--keep", default=None, help="Without DATABASE_URL: keep (and reuse) each size's SQLite file in this directory."
    )
    parser.add_argument("--wipe", action="store_true", help="Empty the DATABASE_URL database even when it holds events.")
    parser.add_argument("--smoke", action="store_true", help="300 events, 3 steps, scratch SQLite; writes no JSON unless --json.")
    options = parser.parse_args()
    if options.smoke:
        options.events, options.steps = "300", 3
    try:
        sizes = [int(size.replace("_", "").replace(",", "")) for size in options.events.split(",") if size.strip()]
    except ValueError:
        sys.exit(f"--events takes comma-separated whole numbers, such as 1000,100000; not {options.events!r}.")
    if not sizes or options.steps < 1:
        sys.exit("Give at least one size (--events 1000) and one step (--steps 6).")
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM}: install Debian's chromium package or set CHROMIUM_EXECUTABLE.")
    scratch = tempfile.mkdtemp(prefix="citeline-axis-redraw-")
    shared_url = None if options.smoke else os.environ.get("DATABASE_URL")
    folder = Path(options.keep) if options.keep and not shared_url else Path(scratch)
    folder.mkdir(parents=True, exist_ok=True)
    vendor = "postgresql" if shared_url and not shared_url.startswith("sqlite") else "sqlite"
    # Per-size SQLite files are served side by side and measured in turn, step by step; one shared
    # DATABASE_URL database holds one size at a time, so its sizes are measured one after another.
    groups = [[size] for size in sizes] if shared_url else [sizes]
    runs = {}
    try:
        for group in groups:
            envs, seeding = {}, {}
            for size in group:
                database_url = shared_url or f"sqlite:///{folder.resolve()}/axis-redraw-{size}.sqlite3"
                envs[size] = env = environment(database_url)
                print(f"== {size:,} events on {vendor}", flush=True)
                if (options.keep or not shared_url) and seeded_size(env) == size:
                    seeding[size], seeded = 0.0, f"reusing the {size:,} events already seeded"
                else:
                    database_reset(env, database_url, options.wipe or not shared_url)
                    seeding[size], seeded = seed(env, database_url, size)
                print(f"   {seeded}", flush=True)
            with contextlib.ExitStack() as stack:
                servers = {size: stack.enter_context(Server(envs[size], options.workers)) for size in group}
                for server in servers.values():
                    with urllib.request.urlopen(server.url + "/", timeout=120) as response:  # warm the workers
                        response.read()
                started = time.monotonic()
                measured = measure({size: server.url for size, server in servers.items()}, options.steps, options.timeout * 1000)
            print(f"   {options.steps} steps on {len(group)} size(s) in {time.monotonic() - started:.0f} s", flush=True)
            for size, records in measured.items():
                runs[str(size)] = {"seed_seconds": round(seeding[size], 1), "summary": summary(records), "steps": records}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(report(runs))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    data = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "database": vendor, "machine": machine(),
        "load_average": load, "workers": options.workers, "chromium": CHROMIUM, "runs": runs,
    }  # fmt: skip
    print(f"load average at the end: {' '.join(f'{value:.2f}' for value in load)}" if load else "")
    if not options.smoke or options.json:
        path = Path(options.json or ROOT / "bench" / f"results-axis-redraw-{vendor}.json")
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"Results written to {path}")


if __name__ == "__main__":
    main()

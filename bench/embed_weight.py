"""
What the first load of a Citeline widget showing 20 events costs, gzip-compressed, next to
TimelineJS 3 (about 90 KB gzipped of JavaScript and CSS before its fonts).

    uv run manage.py demo --no-serve        # once: the demo data
    uv run python bench/embed_weight.py     # against that database, in process
    uv run python bench/embed_weight.py --url http://127.0.0.1:8000   # against a running server
"""

import argparse
import gzip
import os
import re
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

TIMELINEJS_GZIPPED = 90 * 1024
BUDGETS = {"list": 15 * 1024, "axis": 25 * 1024}  # the list alone; the axis above a compact list (the default)


def fetch_in_process(path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.test import Client

    response = Client(HTTP_HOST="localhost").get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    # Static files come from WhiteNoise as a streaming response.
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch_over_http(base):
    def fetch(path):
        with urllib.request.urlopen(base.rstrip("/") + path, timeout=10) as response:
            return response.read()

    return fetch


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--url", help="Base URL of a running Citeline; default: this checkout's database, in process.")
    args = parser.parse_args()
    fetch = fetch_over_http(args.url) if args.url else fetch_in_process
    failed = False
    for view, budget in BUDGETS.items():
        print(f"\nview={view}")
        failed |= measure(fetch, f"/embed/timeline/?limit=20&view={view}", budget)
    return 1 if failed else 0


def references(content):
    """What a page or a style sheet makes the browser load: style sheets, scripts, images, frames, CSS url() and @import."""
    found = re.findall(rb'<(?:link|script|img|iframe|source|video|audio)[^>]+(?:href|src)="([^"]+)"', content)
    found += re.findall(rb'url\(\s*["\']?([^"\')]+)', content) + re.findall(rb'@import\s+["\']([^"\']+)', content)
    return [url.decode() for url in found if not url.startswith((b"data:", b"#"))]  # not a fragment: no request


def offsite(url):
    """True for a URL that leaves the site (another host, or a protocol-relative one)."""
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I))


def measure(fetch, widget, budget):
    """Print the first load's weight; True when it is over budget or when a request would leave the site."""
    script, page = fetch("/embed.js"), fetch(widget)
    events = len(re.findall(rb'<li class="e', page))
    if events < 20:
        print(f"warning: the widget shows {events} events, not 20 (load the demo: uv run manage.py demo --no-serve)")
    sizes = {"embed.js": script, f"widget page ({events} events)": page}
    pending, leaving = [urljoin(widget, url) for url in references(page)], []
    while pending:  # the widget's style sheets and scripts, and whatever they load in turn
        url = pending.pop(0)
        if offsite(url):
            leaving.append(url)
        elif url not in sizes:
            sizes[url] = fetch(url)
            pending += [urljoin(url, found) for found in references(sizes[url])] if url.endswith(".css") else []
    total = 0
    print(f"{'response':34} {'bytes':>8} {'gzipped':>8}")
    for name, content in sizes.items():
        compressed = len(gzip.compress(content, 9))
        total += compressed
        print(f"{name:34} {len(content):8} {compressed:8}")
    print(f"{'Citeline widget, first load':34} {'':8} {total:8}  ({total / 1024:.1f} KB; budget {budget // 1024} KB)")
    print(f"{'TimelineJS 3, before fonts':34} {'':8} {TIMELINEJS_GZIPPED:8}  (about 90 KB)")
    print(f"Citeline's widget is {TIMELINEJS_GZIPPED / total:.0f}× lighter.")
    for url in leaving:
        print(f"error: the widget loads {url} from another site")
    if not leaving:
        print("No request leaves the site.")
    return total > budget or bool(leaving)


if __name__ == "__main__":
    raise SystemExit(main())

"""
Date extraction speed on the demo corpus: per-file and total time, and mentions per second.

    uv run python bench/extract_dates.py [FILES…] [--repeat N]

Parsing (normalising, splitting, classifying) is timed apart from extraction proper.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from sources.extract import document_mentions  # noqa: E402
from sources.ingest import document_parse  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("files", nargs="*", type=Path, default=sorted((ROOT / "sources" / "demo").glob("*.txt")))
    parser.add_argument("--repeat", type=int, default=20, help="Runs per file; the best is reported.")
    options = parser.parse_args()
    total_parse = total_extract = 0.0
    total_mentions = 0
    print(f"{'file':<32} {'chars':>7} {'mentions':>8} {'parse ms':>9} {'extract ms':>10}")
    for path in options.files:
        raw = path.read_bytes()
        parse_times, extract_times = [], []
        for _ in range(options.repeat):
            started = time.perf_counter()
            parsed = document_parse(raw, filename=str(path), max_bytes=10 * 1024 * 1024)
            parsed_at = time.perf_counter()
            mentions = document_mentions(parsed)
            parse_times.append(parsed_at - started)
            extract_times.append(time.perf_counter() - parsed_at)
        parse, extract = min(parse_times), min(extract_times)
        total_parse, total_extract, total_mentions = total_parse + parse, total_extract + extract, total_mentions + len(mentions)
        print(f"{path.name:<32} {len(parsed.text):>7} {len(mentions):>8} {parse * 1000:>9.2f} {extract * 1000:>10.2f}")
    print(f"{'total':<32} {'':>7} {total_mentions:>8} {total_parse * 1000:>9.2f} {total_extract * 1000:>10.2f}")
    print(f"{total_mentions / total_extract:,.0f} mentions/second (extraction alone)")


if __name__ == "__main__":
    main()

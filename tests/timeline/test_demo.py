"""The demo command and the evidence behind the demo timeline."""

import io
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from sources.models import PassageRole, Source
from tests.servers import free_port, wait_for
from timeline.models import Citation, Event, Period

BASE_DIR = Path(__file__).resolve().parents[2]
TURNING_POINTS = {
    "2003-iraq-war": "2003-03-20",
    "russian-military-intervention-in-syria": "2015-09-30",
    "us-withdraws-from-jcpoa": "2018-05-08",
    "russian-invasion-of-ukraine": "2022-02-24",
}

pytestmark = pytest.mark.django_db


def test_demo_timeline_spans_1979_to_2025_with_twenty_published_events():
    """At least 20 published events run from 1979 to 2025."""
    published = Event.objects.published()
    assert published.count() >= 20
    assert published.first().date_first.year == 1979
    assert published.last().date_first.year == 2025


def test_the_four_turning_points_are_published_and_cited_by_several_sources():
    """The Iraq War, Syria, the JCPOA collapse and the invasion of Ukraine are turning points with evidence from two or more sources."""
    for slug, day in TURNING_POINTS.items():
        event = Event.objects.published().get(slug=slug)
        assert event.is_turning_point
        assert event.date == day
        assert event.annotation and event.actors.exists() and event.themes.exists()
        sources = {citation.passage.source_id for citation in event.citations.select_related("passage")}
        assert len(sources) >= 2, slug


def test_every_published_event_is_cited_with_exact_quotes():
    """Every published event has a citation, and every quote is the passage text at its offsets, never boilerplate."""
    assert not Event.objects.published().uncited().exists()
    citations = Citation.objects.select_related("passage__source")
    assert citations.count() >= 40
    for citation in citations:
        assert citation.passage.text[citation.start : citation.end] == citation.quote
        assert citation.passage.role != PassageRole.BOILERPLATE, citation.quote
        source_text = citation.passage.source.text
        absolute = citation.passage.start + citation.start
        assert source_text[absolute - len(citation.prefix) : absolute] == citation.prefix
        assert source_text[absolute + len(citation.quote) :].startswith(citation.suffix)


def test_demo_uses_disputes_and_cites_every_demo_source():
    """Sources that get something wrong are cited as disputing it, with a note; all five documents are used."""
    disputes = Citation.objects.filter(stance=Citation.Stance.DISPUTES)
    assert disputes.count() >= 3
    assert all(citation.note for citation in disputes)
    cited_sources = Source.objects.filter(passages__citations__isnull=False).distinct().count()
    assert cited_sources == 5


def test_demo_periods():
    """The Cold War, the post-Soviet years and the Syrian civil war are drawn as periods."""
    slugs = set(Period.objects.values_list("slug", flat=True))
    assert {"cold-war", "post-soviet-years", "syrian-civil-war"} <= slugs


def test_demo_command_keeps_existing_data():
    """`demo --no-serve` on a database that already has the demo changes nothing and says how many events are ready."""
    before = (Source.objects.count(), Event.objects.count(), Citation.objects.count())
    stdout = io.StringIO()
    call_command("demo", no_serve=True, stdout=stdout)
    assert (Source.objects.count(), Event.objects.count(), Citation.objects.count()) == before
    assert "Importing" not in stdout.getvalue()
    assert f"{Event.objects.published().count()} published events" in stdout.getvalue()


def test_demo_command_serves_the_timeline_from_a_fresh_database(tmp_path):
    """On an empty database, `manage.py demo ADDR:PORT` migrates, imports, prints the URL and serves the four turning points."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "DEBUG": "1"}
    env.pop("SECRET_KEY", None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo", f"127.0.0.1:{port}"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server, timeout=90)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?turning_point=on", timeout=10) as response:
            page = response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/events/2003-iraq-war/", timeout=5) as response:
            event_page = response.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
    for title in ("Iraq", "Syria", "JCPOA", "invasion of Ukraine"):
        assert title in page
    assert "Three turning points—the 2003 Iraq War" in event_page


def test_demo_claimed_dates_are_found_in_their_passages_and_disagreements_flagged():
    """Every claimed date of the demo is one of its passage's date mentions; the corpus's real disagreements are flagged."""
    claims = Citation.objects.filter(claimed_lower__isnull=False).select_related("event", "passage")
    assert claims.count() >= 20
    for citation in claims:
        assert citation.claim_in_passage, (
            f"{citation.event.slug} ¶{citation.passage.ordinal}: {citation.claimed_date} not in the passage"
        )
    disputed = set(Event.objects.published().dates_disputed().values_list("slug", flat=True))
    # Baghai dates the Soviet invasion of Afghanistan to 1980 and the lifting of sanctions to 2015.
    assert {"soviet-invasion-of-afghanistan", "jcpoa-implementation-day"} <= disputed
    assert "islamic-revolution-in-iran" not in disputed

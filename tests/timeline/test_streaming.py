"""Exports stream: any size in constant memory, a chunk of events at a time, the same content as a whole build."""

import csv
import io
import json

import pytest
from django.test import Client
from icalendar import Calendar

from tests.factories import CitationFactory, EventFactory
from timeline import exports
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two events, so that the demo timeline takes many chunks."""
    monkeypatch.setattr(exports, "STREAM_CHUNK", 2)


def streamed(url, params):
    response = Client().get(url, params)
    assert response.status_code == 200 and response.streaming, "exports are StreamingHttpResponses"
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content).decode()


def test_csv_streams_every_event_once_across_chunks(small_chunks):
    rows = list(csv.DictReader(io.StringIO(streamed("/api/events/", {"format": "csv"}))))
    slugs = [row["slug"] for row in rows]
    expected = list(Event.objects.published().order_by("date_lower", "date_upper", "title", "pk").values_list("slug", flat=True))
    assert slugs == expected and len(expected) > 4


def test_timelinejs_streams_valid_json_with_every_slide_and_the_count(small_chunks):
    data = json.loads(streamed("/api/events/", {"format": "timelinejs"}))
    count = Event.objects.published().count()
    assert len(data["events"]) == count == len({slide["unique_id"] for slide in data["events"]})
    assert f"<p>{count} events, each citing its evidence." in data["title"]["text"]["text"]
    assert "eras" in data


def test_icalendar_streams_one_calendar_whose_comment_precedes_its_events(small_chunks):
    CitationFactory(event=EventFactory(slug="ides-of-march", title="Caesar is killed", date="-0043-03-15"))
    text = streamed("/api/events/", {"format": "ics"})
    assert text.count("BEGIN:VCALENDAR") == 1 and text.rstrip().endswith("END:VCALENDAR")
    assert text.index("X-COMMENT") < text.index("BEGIN:VEVENT")
    calendar = Calendar.from_ical(text)
    assert "Caesar is killed" in str(calendar["x-comment"])
    assert len(calendar.walk("VEVENT")) == Event.objects.published().count() - 1


def test_cited_sources_stream_each_source_once(small_chunks):
    sources = json.loads(streamed("/api/events/", {"format": "csljson"}))
    ids = [source["id"] for source in sources]
    assert ids and len(ids) == len(set(ids))
    bibtex = streamed("/api/events/", {"format": "bibtex"})
    assert bibtex.count("@") == len(ids)

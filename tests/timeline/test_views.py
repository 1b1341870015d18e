"""The first reader pages and the health check."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from tests.factories import CitationFactory, EventFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_timeline_lists_published_events_in_date_order_with_quotes(client):
    """`/` shows every published event, oldest first, each with its quoted evidence."""
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    published = list(Event.objects.published().order_by("date_lower", "date_upper", "title"))
    positions = [page.index(f'id="event-{event.slug}"') for event in published]
    assert positions == sorted(positions)
    assert "Three turning points—the 2003 Iraq War, the 2015 joint intervention in Syria" in page
    assert "Turning point" in page


def test_drafts_are_invisible_to_readers(client):
    """A draft is neither listed nor reachable by its URL."""
    draft = Event.objects.drafts().first()
    assert draft is not None
    assert f'id="event-{draft.slug}"' not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_event_page_shows_date_in_words_and_stance(client):
    """An event page gives the date at its precision and labels disputing evidence."""
    event = Event.objects.get(slug="soviet-invasion-of-afghanistan")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "24 December 1979" in page
    assert "disputes" in page
    assert "Wrong year" in page


def test_annotation_markdown_is_sanitised(client):
    """Editors' Markdown renders, but script, event handlers and javascript: links never reach readers."""
    event = CitationFactory(
        event__annotation='**Bold** <script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3))'
    ).event
    page = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and "onerror" not in page and "javascript:" not in page


def test_source_page_anchors_passages_and_renders_persian_right_to_left(client):
    """Passages have stable #p-N anchors; the Persian references are marked dir=rtl lang=fa."""
    page = client.get(reverse("timeline:source_detail", args=["iran-russia-relations-new-century"])).content.decode()
    assert 'id="p-7"' in page
    assert 'id="p-7" dir="rtl" lang="fa"' in page
    assert "Quoted by" in page


def test_source_page_hides_boilerplate_until_asked(client):
    """The fake author block of 002 is hidden by default and shown, labelled, with ?boilerplate=1."""
    url = reverse("timeline:source_detail", args=["russia-iran-strategic-alliance-reshaping"])
    assert "Humberto Larson" not in client.get(url).content.decode()
    shown = client.get(url, {"boilerplate": "1"}).content.decode()
    assert "Humberto Larson" in shown and "Boilerplate: author profile field" in shown


def test_source_list(client):
    """/sources/ lists the five demo documents with their type."""
    page = client.get(reverse("timeline:source_list")).content.decode()
    assert page.count('class="muted"') >= 5
    assert "blog post" in page and "peer-reviewed article" in page


def test_timeline_query_count_does_not_grow_with_events(client, django_assert_max_num_queries):
    """The timeline page costs the same handful of queries with 30 events or 130."""
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for _ in range(100):
        CitationFactory(event=EventFactory())
    with CaptureQueriesContext(connection) as after:
        response = client.get("/")
    assert response.status_code == 200
    assert len(after) == len(before) <= 10


def test_healthz_answers_200_when_the_database_answers(client):
    """/healthz is 200 with the database vendor when the database answers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client):
    """/healthz is 503 (and leaks no error detail) when the database does not answer."""
    with mock.patch("timeline.views.connection.cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}

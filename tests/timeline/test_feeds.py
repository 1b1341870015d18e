"""The Atom feed of published events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_feed_is_atom_with_published_events_only(client):
    """/feed/ is Atom and lists published events, never drafts."""
    response = client.get("/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    page = response.content.decode()
    assert page.count("<entry>") == Event.objects.published().count()
    assert Event.objects.drafts().first().get_absolute_url() not in page
    assert "Evidence from:" in page


def test_feed_accepts_the_timeline_filters(client):
    """/feed/?actor=china keeps only China's events, like the timeline page."""
    page = client.get("/feed/", {"actor": "china"}).content.decode()
    assert page.count("<entry>") == Event.objects.published().filter(actors__slug="china").count() > 0
    assert 'href="http://testserver/?actor=china"' in page


def test_feed_ignores_an_unreadable_date(client):
    """An unreadable date is ignored, not a 500."""
    assert client.get("/feed/", {"date_from": "whenever"}).status_code == 200


def test_feed_query_count_is_small(client):
    """The feed costs a fixed handful of queries: the content version (its validators), then 4 for the events."""
    with CaptureQueriesContext(connection) as queries:
        client.get("/feed/")
    assert len(queries) <= 5

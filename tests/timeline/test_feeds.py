"""The Atom feed of published events."""

from xml.etree import ElementTree

import pytest

from tests.factories import CitationFactory, EventFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


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


def test_feed_query_count_is_small(client, django_assert_num_queries):
    """The feed costs a fixed handful of queries: the content version (its validators), then 4 for the events."""
    with django_assert_num_queries(5):
        client.get("/feed/")


def test_feed_escapes_titles_in_its_html_summary(client):
    """Source titles in the html summary are escaped; the event title is plain text. Nothing in either becomes markup."""
    citation = CitationFactory(event=EventFactory(slug="feed-xss", title='<b>Bold</b> & "quoted"'))
    source = citation.passage.source
    source.title = '<img src=x onerror="alert(1)">Evil & co'
    source.save()
    feed = ElementTree.fromstring(client.get("/feed/").content)
    entry = next(entry for entry in feed.iter(f"{ATOM}entry") if "feed-xss" in entry.find(f"{ATOM}id").text)
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<p>Evidence from: &lt;img src=x onerror=&quot;alert(1)&quot;&gt;Evil &amp; co</p>" in summary.text
    assert "<img" not in summary.text
    assert entry.find(f"{ATOM}title").text == '2015: <b>Bold</b> & "quoted"'  # type text: shown as written

"""
Drafts are invisible on every surface readers reach: pages, search, facets, overview, feed, sitemap,
API, exports, widget and oEmbed. One draft with words no published event uses, an actor and a theme
only it names, and a source only it cites; each test looks for them on one surface.
"""

import re

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, ThemeFactory, TimelineFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db

TITLE, ANNOTATION, QUOTE = "Zephyrine accord signed", "Quuxbridge annotation of the accord", "Vorpalian envoys met in secret"
SLUG, ACTOR, THEME, DRAFT_SOURCE = "zephyrine-accord", "draftonly-actor", "draftonly-theme", "Ownsource Title"
SHARED_TEXT = "Heading\n\nThe Vorpalian envoys met in secret at Glimmerhaven in 1905.\n\nA paragraph about Quillmarsh treaties."
SECRETS = ("Zephyrine", "Quuxbridge", "Vorpalian", "Draftonly", SLUG)


@pytest.fixture
def draft():
    """The draft (1905, in a year no published event has) and a published event citing the same passage's neighbour."""
    shared = SourceFactory(slug="shared-source", title="Shared Source", text=SHARED_TEXT)
    own = SourceFactory(slug="draftonly-source", title=DRAFT_SOURCE)
    event = EventFactory(slug=SLUG, title=TITLE, annotation=ANNOTATION, date="1905", status=Event.Status.DRAFT)
    event.actors.add(ActorFactory(slug=ACTOR, name="Draftonly Actor"), ActorFactory(slug="russia"))
    event.themes.add(ThemeFactory(slug=THEME, name="Draftonly Theme"))
    passage = shared.passages.get(ordinal=3)
    CitationFactory(event=event, passage=passage, quote=QUOTE, start=4, end=4 + len(QUOTE))
    CitationFactory(event=event, passage=own.passages.get(ordinal=3))
    published = EventFactory(slug="quillmarsh-event", title="Quillmarsh published", date="1990")
    passage = shared.passages.get(ordinal=5)
    start = passage.text.index("Quillmarsh treaties")
    CitationFactory(event=published, passage=passage, quote="Quillmarsh treaties", start=start, end=start + 19)
    return event


def assert_hidden(body, *also):
    for secret in SECRETS + also:
        assert secret not in body, f"{secret!r} leaked"


def all_results(client, url):
    results, url = [], url
    while url:
        body = client.get(url).json()
        results += body["results"]
        url = body["next"]
    return results


def test_the_draft_is_visible_to_editors(draft):
    """The control: an editor does reach it through the API (so the other tests look for something real)."""
    editor = APIClient()
    editor.force_authenticate(User.objects.create_superuser("draft-editor", password="x-not-real-123"))
    assert editor.get(f"/api/events/{SLUG}/").json()["title"] == TITLE
    assert editor.get(f"/api/actors/{ACTOR}/").status_code == 200


def test_timeline_page(client, draft):
    """The timeline lists no draft, even filtered by its own actor."""
    assert_hidden(client.get("/").content.decode())
    assert_hidden(client.get("/", {"page": 2}).content.decode())
    assert 'id="event-' not in client.get("/", {"actor": ACTOR}).content.decode()


@pytest.mark.parametrize("words", ["Zephyrine accord", "Quuxbridge", "Vorpalian envoys"])
def test_search(client, draft, words):
    """Searching the draft's title, annotation or quote finds nothing."""
    page = client.get("/", {"q": words}).content.decode()
    assert 'id="event-' not in page
    assert TITLE not in page and ANNOTATION not in page and QUOTE not in page


def test_facet_counts_and_names(client, draft):
    """The draft-only actor and theme are not offered; a shared actor counts published events only."""
    page = client.get("/").content.decode()
    assert "Draftonly Actor" not in page and ACTOR not in page and "Draftonly Theme" not in page and THEME not in page
    russia = Event.objects.published().filter(actors__slug="russia").count()
    assert f'id="count-actor-russia" data-count="{russia}"' in page
    shared = re.search(r'id="count-source-shared-source" data-count="(\d+)"', page)
    assert shared and shared.group(1) == "1"


def test_overview_counts(client, draft):
    """The totals, the year headings and the axis know nothing of the draft's year."""
    page = client.get("/").content.decode()
    assert f"{Event.objects.published().count()} events" in page
    assert 'id="year-1905"' not in page and ">1905<" not in page and "1900s" not in page


def test_event_url(client, draft):
    """The draft's page is a 404."""
    assert client.get(f"/events/{SLUG}/").status_code == 404


def test_source_page_quote_marks(client, draft):
    """The source page marks the published quote, never the draft's; its list counts published citations only."""
    page = client.get("/sources/shared-source/").content.decode()
    assert re.findall(r"<mark[^>]*>([^<]*)</mark>", page) == ["Quillmarsh treaties"]
    listing = client.get("/sources/").content.decode()
    assert re.search(r"Shared Source</a>.*?1 citation\b", listing, re.S)
    assert re.search(r"Ownsource Title</a>.*?0 citations", listing, re.S)


def test_passage_page(client, draft):
    """The passage the draft quotes shows no mark, no link to the draft."""
    for response in (
        client.get("/sources/shared-source/p/3/"),
        client.get("/sources/shared-source/p/3/", headers={"HX-Request": "true"}),
    ):
        page = response.content.decode()
        assert "<mark" not in page and SLUG not in page and TITLE not in page


def test_feed(client, draft):
    """The Atom feed holds no draft, not even as a category."""
    assert_hidden(client.get("/feed/").content.decode())
    assert_hidden(client.get("/feed/", {"actor": ACTOR}).content.decode())


def test_sitemap(client, draft):
    """The sitemap (an index of files) lists no draft."""
    from tests.timeline.test_views import sitemap_files

    assert_hidden(sitemap_files(client))


def test_api_events(client, draft):
    """The events API lists, finds and serves no draft."""
    events = all_results(client, "/api/events/?page_size=500")
    assert all(event["status"] == "published" for event in events) and SLUG not in {event["slug"] for event in events}
    assert client.get("/api/events/", {"q": "Zephyrine"}).json()["count"] == 0
    assert client.get(f"/api/events/{SLUG}/").status_code == 404


def test_api_citations(client, draft):
    """The citations API lists no draft's evidence."""
    citations = all_results(client, "/api/citations/?page_size=500")
    assert all(citation["event"] != SLUG for citation in citations)
    assert QUOTE not in {citation["quote"] for citation in citations}


def test_api_passages(client, draft):
    """A source's passages (public text) carry no mark, link or trace of the draft's citation."""
    passages = client.get("/api/sources/shared-source/passages/").json()["results"]
    assert {"citations", "marks"}.isdisjoint(passages[0])
    body = str(passages)
    assert SLUG not in body and TITLE not in body and ANNOTATION not in body


def test_api_actors_and_themes(client, draft):
    """Anonymous readers are not told of an actor or a theme only a draft names."""
    assert ACTOR not in {actor["slug"] for actor in all_results(client, "/api/actors/?page_size=500")}
    assert THEME not in {theme["slug"] for theme in all_results(client, "/api/themes/?page_size=500")}
    assert client.get(f"/api/actors/{ACTOR}/").status_code == 404
    assert client.get(f"/api/themes/{THEME}/").status_code == 404
    assert any(actor["slug"] == "russia" for actor in all_results(client, "/api/actors/?page_size=500"))


@pytest.mark.parametrize("export", ["csv", "ics", "timelinejs", "csljson", "bibtex"])
def test_every_export_format(client, draft, export):
    """No export holds the draft, nor a source only the draft cites."""
    response = client.get("/api/events/", {"format": export})
    assert response.status_code == 200
    assert_hidden(response.content.decode(), DRAFT_SOURCE)
    filtered = client.get("/api/events/", {"format": export, "actor": ACTOR})
    assert_hidden(filtered.content.decode(), DRAFT_SOURCE)


def test_widget(client, draft):
    """The widget shows no draft, even asked for its actor."""
    assert_hidden(client.get("/embed/timeline/", {"limit": 100}).content.decode())
    assert '<li class="e' not in client.get("/embed/timeline/", {"actor": ACTOR}).content.decode()


def test_widget_asked_for_drafts_by_a_reader(client, draft):
    """?drafts=1 (the editors' preview) from anyone else shows no draft, nor a draft timeline, even asked for its actor."""
    TimelineFactory(slug="draftonly-timeline", title="Draftonly timeline", status="draft").events.add(draft)
    for asked in ({}, {"actor": ACTOR}, {"timeline": "draftonly-timeline"}):
        response = client.get("/embed/timeline/", {"drafts": "1", "limit": 100, **asked})
        assert response.status_code == 200
        assert_hidden(response.content.decode(), "Draftonly timeline")
    assert "There is no published timeline “draftonly-timeline”" in response.content.decode()


def test_oembed(client, draft):
    """oEmbed of a URL filtered by the draft's actor says nothing of the draft."""
    response = client.get("/oembed", {"url": f"http://testserver/?actor={ACTOR}"})
    assert response.status_code == 200
    assert_hidden(response.json()["title"] + response.json()["html"].replace(ACTOR, ""))

"""What keeps pages small and fast whatever the size of the timeline, and every number exact."""

import re
from types import SimpleNamespace

import pytest

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory
from timeline import caching
from timeline.models import Event, Timeline
from timeline.services import event_publish, event_unpublish
from timeline.views import FACET_ALL_UP_TO, FACET_LIMIT, SOURCE_BACKLINKS_LISTED

pytestmark = pytest.mark.django_db


def test_facets_list_their_top_options_and_offer_the_rest_by_type_ahead(client):
    """With many actors, the page lists the most frequent few (and any chosen); the type-ahead finds the others."""
    for number in range(FACET_ALL_UP_TO + 1):
        citation = CitationFactory(event=EventFactory(slug=f"many-{number}", status=Event.Status.PUBLISHED))
        citation.event.timelines.add(Timeline.objects.default())
        citation.event.actors.add(ActorFactory(slug=f"rare-actor-{number}", name=f"Rare actor {number}"))
    page = client.get("/").content.decode()
    listed = re.findall(r'name="actor" value="([^"]+)"', page)
    assert len(listed) == FACET_LIMIT and f"rare-actor-{FACET_ALL_UP_TO}" not in listed
    assert re.search(r"\d+ more — type a name", page) and 'list="more-actor-options"' in page
    chosen = client.get("/", {"actor": f"rare-actor-{FACET_ALL_UP_TO}"}).content.decode()
    assert f'value="rare-actor-{FACET_ALL_UP_TO}" checked' in chosen  # a chosen option is always listed
    suggestions = client.get("/facets/actor/", {"actor": f"actor {FACET_ALL_UP_TO}"}).content.decode()
    assert f'<option value="rare-actor-{FACET_ALL_UP_TO}">Rare actor {FACET_ALL_UP_TO}</option>' in suggestions
    assert client.get("/facets/nothing/", {"q": "x"}).status_code == 404


def test_cached_counts_are_fresh_after_every_editorial_write(monkeypatch, django_capture_on_commit_callbacks):
    """A value cached under the content version is computed again after a committed write (which moves the version)."""
    # The test runs inside a transaction, where nothing is cached; here it behaves as a request outside one.
    monkeypatch.setattr(caching, "connection", SimpleNamespace(in_atomic_block=False))
    caching.cache.clear()
    calls = []

    def count():
        calls.append(1)
        return Event.objects.published().count()

    first = caching.cached_by_version("scaling-test", count)
    assert caching.cached_by_version("scaling-test", count) == first and len(calls) == 1  # cached
    event = Event.objects.published().first()
    with django_capture_on_commit_callbacks(execute=True):
        event.status = Event.Status.DRAFT
        event.save()
    assert caching.cached_by_version("scaling-test", count) == first - 1 and len(calls) == 2  # counted again, exact


@pytest.mark.parametrize("url", ["/", "/?q=treaty", "/feed/", "/sitemap.xml", "/sitemap-events.xml", "/sources/"])
def test_anonymous_pages_are_rendered_once_per_content_version(client, monkeypatch, url, django_capture_on_commit_callbacks):
    """The second request of a page is served from the cache, identical; after an edit it is rendered again."""
    monkeypatch.setattr(caching, "connection", SimpleNamespace(in_atomic_block=False))
    caching.cache.clear()
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    event = Event.objects.published().order_by("date_lower", "date_upper", "title").first()
    with django_capture_on_commit_callbacks(execute=True):
        event.status = Event.Status.DRAFT
        event.save()
    served = client.get(url)
    assert served["ETag"] != first["ETag"]
    monkeypatch.setattr(caching, "connection", SimpleNamespace(in_atomic_block=True))  # no cache: rendered now
    assert served.content == client.get(url).content


def _cache_as_outside_a_transaction(monkeypatch):
    """The test runs inside a transaction, where nothing is cached; here requests behave as outside one."""
    monkeypatch.setattr(caching, "connection", SimpleNamespace(in_atomic_block=False))
    caching.cache.clear()


def _cited_event(actor, **fields):
    event = CitationFactory(event=EventFactory(**fields)).event
    event.actors.add(actor)
    return event


def _facet_count(page, kind, slug):
    return int(re.search(rf'id="count-{kind}-{slug}" data-count="(\d+)"', page).group(1))


def _status(page):
    """The results status readers see ("32 events", "2 of 32 events match")."""
    return re.search(r'id="result-status"[^>]*>(.*?)</p>', page, re.S).group(1).strip()


def test_counts_are_exact_at_once_after_an_edit(client, monkeypatch, django_capture_on_commit_callbacks):
    """With counts and pages cached, publishing or unpublishing an event changes the facet and result counts of the next page."""
    _cache_as_outside_a_transaction(monkeypatch)
    actor = ActorFactory(slug="counted-actor", name="Counted actor")
    for number in range(3):
        _cited_event(actor, slug=f"counted-{number}")
    draft = _cited_event(actor, slug="counted-draft", status=Event.Status.DRAFT)
    others = Event.objects.published().exclude(actors=actor).count()  # the demo's, which the suite's database holds
    page = client.get("/").content.decode()
    assert _facet_count(page, "actor", "counted-actor") == 3 and _status(page) == f"{others + 3} events"
    assert client.get("/", {"actor": "counted-actor"}).content.decode().count('data-count="3"') >= 1
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(event=draft)
    page = client.get("/").content.decode()
    assert _facet_count(page, "actor", "counted-actor") == 4 and _status(page) == f"{others + 4} events"
    with django_capture_on_commit_callbacks(execute=True):
        event_unpublish(event=Event.objects.get(slug="counted-0"))
        event_unpublish(event=Event.objects.get(slug="counted-1"))
    page = client.get("/").content.decode()
    assert _facet_count(page, "actor", "counted-actor") == 2 and _status(page) == f"{others + 2} events"
    filtered = client.get("/", {"actor": "counted-actor", "date_from": "2010"}).content.decode()
    assert _status(filtered) == f"2 of {others + 2} events match" and _facet_count(filtered, "actor", "counted-actor") == 2


@pytest.mark.parametrize("url", ["/api/events/?actor=kept-actor", "/embed/timeline/?actor=kept-actor"])
def test_anonymous_api_and_widget_are_kept_and_never_show_what_was_unpublished(
    client, monkeypatch, url, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The API list and the widget are rendered once per content version; after publish, then unpublish, they follow at once."""
    _cache_as_outside_a_transaction(monkeypatch)
    actor = ActorFactory(slug="kept-actor", name="Kept actor")
    _cited_event(actor, slug="kept-always", title="Kept always there")
    draft = _cited_event(actor, slug="kept-draft", title="Kept briefly published", status=Event.Status.DRAFT)
    first = client.get(url)
    with django_assert_max_num_queries(1):  # the content version; the body is the one kept
        second = client.get(url)
    assert first.status_code == second.status_code == 200 and second.content == first.content
    assert "Kept always there" in first.content.decode() and "Kept briefly published" not in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(event=draft)
    assert "Kept briefly published" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        event_unpublish(event=Event.objects.get(slug="kept-draft"))
    shown = client.get(url).content.decode()
    assert "Kept briefly published" not in shown and "Kept always there" in shown


def test_a_source_page_lists_the_events_citing_a_passage_only_when_they_are_few(client):
    """A passage cited by many events keeps its quotes marked and sends to its own page for the list; a few are listed in place."""
    source = SourceFactory(slug="much-cited")
    busy, quiet = source.passages.get(ordinal=3), source.passages.get(ordinal=5)
    for number in range(SOURCE_BACKLINKS_LISTED + 1):
        CitationFactory(event=EventFactory(slug=f"busy-{number}", title=f"Busy event {number}"), passage=busy)
    CitationFactory(event=EventFactory(slug="quiet", title="Quiet event"), passage=quiet, quote="second paragraph")
    page = client.get("/sources/much-cited/").content.decode()
    assert "Quiet event" in page and "Busy event" not in page
    assert page.count('class="quote-mark') == 2  # every quote still marked (the busy passage's identical ones share a mark)
    assert f'href="/sources/much-cited/p/3/">The {SOURCE_BACKLINKS_LISTED + 1} citations of ¶3' in page
    own = client.get("/sources/much-cited/p/3/").content.decode()
    assert all(f"Busy event {number}" in own for number in range(SOURCE_BACKLINKS_LISTED + 1))

"""The REST API contract: filters, ordering, pagination, drafts, permissions, validation, schema."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from sources.models import Source
from tests.factories import ActorFactory, CitationFactory, EventFactory, TokenFactory, UserFactory
from timeline.filters import EventFilter
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

DRAFT_SLUG = "russia-suspends-s-300-delivery"


@pytest.fixture
def api():
    return APIClient()


def make_user(username, *codenames, staff=False):
    return UserFactory(username=username, is_staff=staff, permissions=codenames)


@pytest.fixture
def editor():
    return make_user(
        "editor", "view_event", "add_event", "change_event", "delete_event", "view_citation", "add_citation",
        "change_citation", "delete_citation",
    )  # fmt: skip


@pytest.fixture
def editor_api(api, editor):
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=editor).key}")
    return api


def all_pages(api, url):
    slugs = []
    while url:
        body = api.get(url).json()
        slugs += [item["slug"] for item in body["results"]]
        url = body["next"]
    return slugs


def test_event_list_is_public_and_paginated(api):
    """Anonymous readers get the published events, paginated with count and next links."""
    body = api.get("/api/events/", {"page_size": 10}).json()
    assert body["count"] == Event.objects.published().count() == 29
    assert len(body["results"]) == 10
    assert "page=2" in body["next"]


def test_pages_never_overlap_in_any_order(api):
    """Walking every page in an ordering gives each event exactly once, tie-broken on the primary key."""
    for ordering in ("date", "-date", "title", "-title,date"):
        slugs = all_pages(api, f"/api/events/?page_size=4&ordering={ordering}")
        assert len(slugs) == len(set(slugs)) == 29


def test_ordering_by_date_uses_the_bounds(api):
    """?ordering=-date sorts on the date bounds, latest first."""
    results = api.get("/api/events/", {"ordering": "-date", "page_size": 100}).json()["results"]
    lowers = [item["date_lower"] for item in results]
    assert lowers == sorted(lowers, reverse=True)


def test_event_filters_match_the_shared_event_filter(api):
    """Every filter parameter selects what EventFilter selects for the timeline page."""
    for params in ({"actor": "russia"}, {"theme": "nuclear"}, {"date_from": "2015", "date_to": "2020"}, {"q": "S-300"},
                   {"turning_point": "true"}, {"actor": ["iran", "russia"], "theme": "military"}):  # fmt: skip
        data = QueryDict(urlencode(params, doseq=True))
        expected = {event.slug for event in EventFilter(data, queryset=Event.objects.published()).qs}
        got = set(all_pages(api, "/api/events/?" + urlencode(params, doseq=True)))
        assert got == expected and got, params


def test_source_filter(api):
    """?source= keeps the events citing that source."""
    source = Source.objects.get(slug="baghai-unlikely-alliance")
    results = all_pages(api, f"/api/events/?source={source.slug}&page_size=100")
    expected = set(Event.objects.published().filter(citations__passage__source=source).values_list("slug", flat=True))
    assert set(results) == expected


def test_invalid_filter_is_a_400_with_a_message_per_field(api):
    """An unreadable date or an unknown slug says what is wrong, field by field."""
    response = api.get("/api/events/", {"date_from": "not a date", "actor": "nobody-at-all"})
    assert response.status_code == 400
    body = response.json()
    assert "not a date" in body["date_from"][0]
    assert "nobody-at-all" in body["actor"][0]


def test_event_detail_has_dates_actors_themes_and_citations(api):
    """An event by slug carries its EDTF date, bounds, precision, display date, actors, themes and citations."""
    event = Event.objects.published().filter(citations__note__gt="").first()
    body = api.get(f"/api/events/{event.slug}/").json()
    assert body["date"] == event.date
    assert body["date_lower"] == event.date_first.isoformat() and body["date_upper"] == event.date_last.isoformat()
    assert body["date_precision"] == event.date_precision
    assert body["date_display"] == event.date_display
    assert [actor["slug"] for actor in body["actors"]] == [actor.slug for actor in event.actors.all()]
    assert [theme["slug"] for theme in body["themes"]] == [theme.slug for theme in event.themes.all()]
    citation = event.citations.order_by("ordinal", "pk").first()
    first = body["citations"][0]
    for name in ("quote", "prefix", "suffix", "stance", "note"):
        assert first[name] == getattr(citation, name)
    assert first["source"]["slug"] == citation.passage.source.slug
    assert first["source"]["title"] == citation.passage.source.title
    assert first["passage_url"].endswith(f"#p-{citation.passage.ordinal}")


def test_drafts_are_hidden_from_anonymous_readers(api):
    """The draft is in neither the list nor its detail URL, nor are its citations."""
    draft_citation, published_citation = CitationFactory(event__status=Event.Status.DRAFT), CitationFactory()
    draft = draft_citation.event
    assert draft.slug not in all_pages(api, "/api/events/?page_size=100")
    assert api.get(f"/api/events/{draft.slug}/").status_code == 404
    listed = {item["id"] for item in api.get("/api/citations/", {"page_size": 500}).json()["results"]}
    assert draft_citation.pk not in listed and published_citation.pk in listed


def test_drafts_are_hidden_from_users_without_the_view_permission(api):
    """Signing in is not enough to see drafts."""
    api.force_authenticate(make_user("reader"))
    assert api.get(f"/api/events/{DRAFT_SLUG}/").status_code == 404


def test_editors_see_drafts(editor_api):
    """A user with timeline.view_event sees drafts in the list and by slug."""
    assert editor_api.get(f"/api/events/{DRAFT_SLUG}/").json()["status"] == "draft"
    assert editor_api.get("/api/events/").json()["count"] == 30


def test_staff_see_drafts(api):
    """Staff see drafts too."""
    api.force_authenticate(make_user("staff", staff=True))
    assert api.get(f"/api/events/{DRAFT_SLUG}/").status_code == 200


def test_anonymous_writes_are_401(api):
    """Writing without credentials asks for them."""
    response = api.post("/api/events/", {"title": "X", "slug": "x", "date": "2015"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_writes_without_the_model_permission_are_403(api):
    """A signed-in user without add_event may not create events."""
    api.force_authenticate(make_user("reader"))
    assert api.post("/api/events/", {"title": "X", "slug": "x", "date": "2015"}, format="json").status_code == 403


def test_editor_creates_updates_and_deletes_an_event_with_a_token(editor_api):
    """Token-authenticated editors create a draft, edit it and delete it."""
    created = editor_api.post(
        "/api/events/",
        {"title": "Treaty signed", "slug": "treaty-signed", "date": "2025-01", "status": "draft",
         "actor_slugs": ["russia", "iran"], "theme_slugs": ["diplomacy"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["date_lower"] == "2025-01-01" and body["date_upper"] == "2025-01-31"
    assert body["date_precision"] == "month" and body["date_display"] == "January 2025"
    assert sorted(actor["slug"] for actor in body["actors"]) == ["iran", "russia"]
    patched = editor_api.patch("/api/events/treaty-signed/", {"title": "Treaty signed in Moscow"}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "Treaty signed in Moscow"
    assert editor_api.delete("/api/events/treaty-signed/").status_code == 204
    assert not Event.objects.filter(slug="treaty-signed").exists()


def test_invalid_edtf_date_is_a_400_saying_what_is_wrong(editor_api):
    """An invalid EDTF date is refused on the date field with an explanation."""
    response = editor_api.post("/api/events/", {"title": "X", "slug": "x", "date": "2015-13", "status": "draft"}, format="json")
    assert response.status_code == 400
    message = response.json()["date"][0]
    assert "2015-13" in message and "EDTF" in message


def test_publishing_an_event_without_citation_is_refused(editor_api):
    """A published event needs evidence: creating one published is a 400 on status."""
    response = editor_api.post("/api/events/", {"title": "X", "slug": "x", "date": "2015", "status": "published"}, format="json")
    assert response.status_code == 400
    assert "citation" in response.json()["status"][0]


def test_citation_quote_must_be_in_its_passage(editor_api):
    """A quote that is not in the passage is refused on the quote field, naming the passage."""
    citation = CitationFactory()
    response = editor_api.post(
        "/api/citations/",
        {"event": citation.event.slug, "passage": citation.passage.pk, "quote": "words the passage never says"},
        format="json",
    )
    assert response.status_code == 400
    assert "not in passage" in response.json()["quote"][0]


def test_citation_is_anchored_on_create(editor_api):
    """A new citation gets its offsets and context from the passage."""
    citation = CitationFactory()
    event = EventFactory(status=Event.Status.DRAFT)
    response = editor_api.post(
        "/api/citations/", {"event": event.slug, "passage": citation.passage.pk, "quote": "Russia and Iran", "stance": "context"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    text = citation.passage.text
    assert text[body["start"] : body["end"]] == "Russia and Iran"
    assert body["prefix"].endswith(text[: body["start"]][-5:])


def test_the_only_citation_of_a_published_event_cannot_be_deleted(editor_api):
    """Deleting the last evidence of a published event is refused with a message."""
    citation = CitationFactory()
    response = editor_api.delete(f"/api/citations/{citation.pk}/")
    assert response.status_code == 400
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_source_passages_are_paginated(api):
    """/api/sources/<slug>/passages/ lists the passages in order, a page at a time."""
    source = Source.objects.get(slug="baghai-unlikely-alliance")
    body = api.get(f"/api/sources/{source.slug}/passages/", {"page_size": 5}).json()
    assert body["count"] == source.passages.count()
    assert [item["ordinal"] for item in body["results"]] == sorted(source.passages.values_list("ordinal", flat=True))[:5]
    assert body["results"][0]["text"] == source.passages.order_by("ordinal").first().text


def test_source_metadata(api):
    """A source by slug carries its metadata, not its whole text."""
    body = api.get("/api/sources/baghai-unlikely-alliance/").json()
    assert body["authors"] == ["Christian Baghai"] and body["container"] == "Medium"
    assert "text" not in body


@pytest.mark.parametrize("authors", [[1, 2], [None], [["x"]], {"a": 1}, "Christian Baghai", [""]])
def test_source_authors_must_be_a_list_of_names(api, authors):
    """PATCH with authors that are not a list of names is a 400 naming the field, and changes nothing."""
    api.force_authenticate(make_user("librarian", "view_source", "change_source"))
    response = api.patch("/api/sources/baghai-unlikely-alliance/", {"authors": authors}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["authors"]
    assert api.get("/api/sources/baghai-unlikely-alliance/").json()["authors"] == ["Christian Baghai"]
    assert api.patch("/api/sources/baghai-unlikely-alliance/", {"authors": ["C. Baghai"]}, format="json").status_code == 200


def test_sources_cannot_be_created_through_the_api(api):
    """Sources come from the importer: POST is not offered."""
    api.force_authenticate(UserFactory(username="root", superuser=True))
    assert api.post("/api/sources/", {"slug": "s", "title": "t"}, format="json").status_code == 405


def test_actors_themes_and_periods(api):
    """The taxonomy endpoints list and retrieve by slug (readers: the actors and themes of published events)."""
    actor = ActorFactory(slug="zz-actor", name="Zed")
    assert api.get(f"/api/actors/{actor.slug}/").status_code == 404  # no published event involves it yet
    EventFactory(status=Event.Status.PUBLISHED).actors.add(actor)
    assert api.get(f"/api/actors/{actor.slug}/").json() == {"slug": "zz-actor", "name": "Zed", "kind": "state"}
    assert api.get("/api/themes/").json()["count"] >= 5
    periods = api.get("/api/periods/").json()["results"]
    assert periods[0]["slug"] == "cold-war" and periods[0]["date_display"]


def test_list_query_counts_do_not_grow_with_the_page(api, django_assert_num_queries):
    """Events, citations and sources cost the same number of queries for 5 items as for 100."""
    for url, queries in (
        ("/api/events/?page_size={}", 7),
        ("/api/citations/?page_size={}", 3),
        ("/api/sources/?page_size={}", 3),
    ):
        for size in (2, 100):
            with django_assert_num_queries(queries):
                assert api.get(url.format(size)).status_code == 200, url


def test_event_list_query_count_is_pinned(api, django_assert_num_queries):
    """The event list is a handful of queries: content version (validators), count, events, actors, themes, timelines, citations."""
    with django_assert_num_queries(7):
        api.get("/api/events/", {"page_size": 100})


def test_schema_documents_every_filter_and_error(api):
    """The OpenAPI schema names every EventFilter parameter with a description, and the 400/401/403/404 answers."""
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/events/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    for name in EventFilter.base_filters:
        assert parameters[name].get("description"), name
    assert {"ordering", "page", "page_size", "format"} <= set(parameters)
    assert {"200", "400"} <= set(operation["responses"])
    assert {"400", "401", "403"} <= set(schema["paths"]["/api/events/"]["post"]["responses"])
    assert {"200", "404"} <= set(schema["paths"]["/api/events/{slug}/"]["get"]["responses"])
    content = operation["responses"]["200"]["content"]
    assert {"text/csv", "text/calendar", "application/x-bibtex"} <= set(content)


def test_api_docs_are_served_offline(client):
    """Swagger UI and ReDoc load their assets from our static files, never a CDN."""
    for url in ("/api/docs/", "/api/docs/redoc/"):
        html = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn.jsdelivr" not in html and "unpkg" not in html and "fonts.googleapis" not in html
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js").status_code == 200


def test_an_editor_gets_a_token_for_username_and_password(client):
    """POST /api/token/ answers the editor's token, which then authorises a write; a wrong password gets a 400, no token."""
    UserFactory(username="scripted", password="a long password 4412", permissions=["add_actor"])
    assert client.post("/api/token/", {"username": "scripted", "password": "wrong"}).status_code == 400
    token = client.post("/api/token/", {"username": "scripted", "password": "a long password 4412"}).json()["token"]
    response = client.post("/api/actors/", {"slug": "scripted", "name": "Scripted"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 201
    assert "/api/token/" in client.get("/api/schema/").content.decode()


def test_the_api_reads_dates_in_words_with_the_forms_reader(editor_api):
    """The API takes the same words as the event form: mid-2015 is a point within a range, 05/06/2023 asks which."""
    created = editor_api.post(
        "/api/events/", {"title": "Talks", "slug": "talks", "date": "mid-2015", "status": "draft"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["date"], body["date_lower"], body["date_upper"]) == ("[2015-04..2015-09]", "2015-04-01", "2015-09-30")
    assert body["date_display"] == "sometime in mid-2015, between April and September"
    ambiguous = editor_api.post(
        "/api/events/", {"title": "X", "slug": "x", "date": "05/06/2023", "status": "draft"}, format="json"
    )
    assert ambiguous.status_code == 400
    assert "5 June 2023 or 6 May 2023" in ambiguous.json()["date"][0]

"""
`timeline=<slug>` everywhere beyond the reader pages: API, exports, feed, sitemap, widget, oEmbed, the
admin. A draft timeline is invisible on each of them to anonymous readers, and an unknown slug never
falls back to every event.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from tests.factories import EventFactory, PeriodFactory, TimelineFactory, UserFactory
from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarian"


@pytest.fixture
def arctic():
    timeline = TimelineFactory(slug="arctic", title="The Arctic route", intro="Ships *north*.")
    EventFactory(slug="arctic-first", title="Icebreaker convoy", date="1932", timelines=[timeline], is_turning_point=True)
    EventFactory(slug="arctic-second", title="Northern passage opened", date="2017-08", timelines=[timeline])
    PeriodFactory(slug="arctic-period", name="Thaw years", date="2010/2020", timelines=[timeline])
    return timeline


@pytest.fixture
def secret():
    timeline = TimelineFactory(slug="secret-plans", title=f"{SECRET} plans", status=Timeline.Status.DRAFT)
    EventFactory(slug="zanzibarian-summit", title=f"{SECRET} summit", date="1950", timelines=[timeline])
    return timeline


@pytest.fixture
def editor():
    client = APIClient()
    client.force_authenticate(UserFactory(superuser=True))
    return client


def slugs(response):
    return [event["slug"] for event in response.json()["results"]]


# API


def test_api_events_filter_by_timeline(client, arctic):
    """/api/events/?timeline=arctic lists that timeline's events only, each naming its timelines."""
    response = client.get("/api/events/", {"timeline": "arctic"})
    assert slugs(response) == ["arctic-first", "arctic-second"]
    assert response.json()["results"][0]["timelines"] == ["arctic"]
    everything = client.get("/api/events/", {"page_size": 100}).json()
    assert everything["count"] == Event.objects.published().count()  # no parameter: every timeline's events


@pytest.mark.parametrize("slug", ["no-such", "secret-plans"])
def test_api_answers_400_naming_the_parameter_for_an_unknown_or_draft_timeline(client, secret, slug):
    """An unknown timeline, or a draft one for anonymous readers, is a 400 on `timeline`, never every event."""
    for params in ({"timeline": slug}, {"timeline": slug, "format": "csv"}):
        response = client.get("/api/events/", params)
        assert response.status_code == 400
        assert f"There is no published timeline “{slug}”" in response.json()["timeline"][0]


def test_api_timelines_list_and_detail_hide_drafts_from_readers(client, editor, arctic, secret):
    """/api/timelines/ lists published timelines with counts and links; drafts for editors only."""
    data = client.get("/api/timelines/").json()
    by_slug = {item["slug"]: item for item in data["results"]}
    assert set(by_slug) == {"russia-iran", "arctic"}
    assert by_slug["arctic"]["event_count"] == 2 and by_slug["arctic"]["intro_html"] == "<p>Ships <em>north</em>.</p>"
    assert by_slug["arctic"]["url"] == "http://testserver/timelines/arctic/"
    assert by_slug["arctic"]["events_url"] == "http://testserver/api/events/?timeline=arctic"
    assert by_slug["russia-iran"]["is_default"] is True
    assert client.get("/api/timelines/arctic/").json()["title"] == "The Arctic route"
    assert client.get("/api/timelines/secret-plans/").status_code == 404
    assert "secret-plans" in {item["slug"] for item in editor.get("/api/timelines/").json()["results"]}
    assert editor.get("/api/timelines/secret-plans/").json()["status"] == "draft"


def test_api_hides_draft_timelines_in_an_events_timelines(client, arctic, secret):
    """An event also told by a draft timeline names only its published timelines to readers."""
    Event.objects.get(slug="arctic-first").timelines.add(secret)
    assert client.get("/api/events/arctic-first/").json()["timelines"] == ["arctic"]
    assert SECRET not in client.get("/api/events/", {"page_size": 100}).content.decode()
    assert client.get("/api/events/zanzibarian-summit/").status_code == 404


def test_api_schema_documents_timelines(client):
    """The OpenAPI schema has /api/timelines/ and the `timeline` filter of the events."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/timelines/" in schema["paths"] and "/api/timelines/{slug}/" in schema["paths"]
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert "timeline" in parameters


def test_api_create_event_goes_into_the_default_timeline_or_the_ones_named(editor, arctic):
    """POST /api/events/ files the event in the default timeline, or in `timelines` when given; a bad slug is a 400."""
    response = editor.post("/api/events/", {"title": "Plain", "slug": "plain", "date": "2001"}, format="json")
    assert response.status_code == 201 and response.json()["timelines"] == ["russia-iran"]
    response = editor.post(
        "/api/events/", {"title": "Two", "slug": "two", "date": "2001", "timelines": ["arctic", "russia-iran"]}, format="json"
    )
    assert response.status_code == 201 and sorted(response.json()["timelines"]) == ["arctic", "russia-iran"]
    response = editor.post("/api/events/", {"title": "Bad", "slug": "bad", "date": "2001", "timelines": ["nope"]}, format="json")
    assert response.status_code == 400 and "timelines" in response.json()
    assert not Event.objects.filter(slug="bad").exists()


def test_api_warns_when_a_published_event_is_in_no_published_timeline(editor, secret):
    """Publishing an event only a draft timeline tells is allowed (the timeline is published later) but said in Citeline-Notice."""
    response = editor.patch("/api/events/zanzibarian-summit/", {"title": "Renamed summit"}, format="json")
    assert response.status_code == 200 and "readers cannot see it" in response["Citeline-Notice"]
    response = editor.patch("/api/events/zanzibarian-summit/", {"timelines": ["russia-iran"]}, format="json")
    assert response.status_code == 200 and "Citeline-Notice" not in response


# Exports


def test_every_export_filters_by_timeline(client, arctic, secret):
    """Each export format of ?timeline=arctic holds that timeline's events only; the calendar bears its title."""
    csv = client.get("/api/events/", {"format": "csv", "timeline": "arctic"}).content.decode()
    assert "arctic-first" in csv and "2003-iraq-war" not in csv
    ics = client.get("/api/events/", {"format": "ics", "timeline": "arctic"}).content.decode()
    assert "X-WR-CALNAME:The Arctic route" in ics and ics.count("BEGIN:VEVENT") == 2
    timelinejs = client.get("/api/events/", {"format": "timelinejs", "timeline": "arctic"}).json()
    assert [slide["unique_id"] for slide in timelinejs["events"]] == ["arctic-first", "arctic-second"]
    assert [era["text"]["headline"] for era in timelinejs["eras"]] == ["Thaw years"]  # its periods only
    for export in ("csljson", "bibtex"):
        assert client.get("/api/events/", {"format": export, "timeline": "arctic"}).status_code == 200
    for export in ("csv", "ics", "timelinejs"):
        assert SECRET not in client.get("/api/events/", {"format": export}).content.decode()


# Feed


def test_feed_per_timeline(client, arctic):
    """/timelines/arctic/feed/ and /feed/?timeline=arctic carry that timeline's events, titled and linked to its page."""
    for url, params in (("/timelines/arctic/feed/", {}), ("/feed/", {"timeline": "arctic"})):
        feed = client.get(url, params).content.decode()
        entries = re.findall(r"<entry>.*?</entry>", feed, re.S)
        assert len(entries) == 2 and "Icebreaker convoy" in feed
        assert "<title>The Arctic route: events</title>" in feed
        assert 'href="http://testserver/timelines/arctic/"' in feed


@pytest.mark.parametrize("url,params", [
    ("/timelines/secret-plans/feed/", {}), ("/feed/", {"timeline": "secret-plans"}),
    ("/timelines/no-such/feed/", {}), ("/feed/", {"timeline": "no-such"}),
])  # fmt: skip
def test_feed_of_a_draft_or_unknown_timeline_is_404(client, secret, url, params):
    assert client.get(url, params).status_code == 404


def test_site_feed_never_shows_a_draft_timelines_events(client, secret):
    assert SECRET not in client.get("/feed/").content.decode()


# Sitemap


def test_sitemap_lists_published_timelines_only(client, arctic, secret):
    assert "/sitemap-timelines.xml" in client.get("/sitemap.xml").content.decode()  # an index of sections
    page = "".join(client.get(f"/sitemap-{section}.xml").content.decode() for section in ("pages", "timelines", "events"))
    assert "http://testserver/timelines/arctic/" in page and "http://testserver/timelines/russia-iran/" in page
    assert "http://testserver/timelines/</loc>" in page
    assert "secret-plans" not in page and "zanzibarian" not in page


# Widget and oEmbed


def test_widget_shows_one_timeline_and_links_to_its_page(client, arctic):
    """/embed/timeline/?timeline=arctic: its events, its title, a link to its page with the same filters."""
    page = client.get("/embed/timeline/", {"timeline": "arctic", "date_from": "2000"}).content.decode()
    assert "Northern passage opened" in page and "Icebreaker convoy" not in page and "Iraq" not in page
    assert "<title>The Arctic route</title>" in page
    assert 'href="http://testserver/timelines/arctic/?date_from=2000"' in page


@pytest.mark.parametrize("slug", ["no-such", "secret-plans"])
def test_widget_says_when_a_timeline_is_unknown_or_draft(client, secret, slug):
    """An unknown or draft timeline: the widget says so and shows no event at all."""
    page = client.get("/embed/timeline/", {"timeline": slug}).content.decode()
    assert f"There is no published timeline “{slug}”" in page and 'role="alert"' in page
    assert 'class="e' not in page and SECRET not in page


def test_widget_without_a_timeline_never_shows_a_draft_timelines_events(client, secret):
    assert SECRET not in client.get("/embed/timeline/", {"limit": 100}).content.decode()


def test_oembed_for_a_timeline_page(client, arctic):
    """oEmbed of /timelines/arctic/?actor=… embeds the widget of that timeline with those filters, titled."""
    data = client.get("/oembed", {"url": "http://testserver/timelines/arctic/?theme=nuclear"}).json()
    assert data["title"] == "The Arctic route"
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(src).query) == {"timeline": ["arctic"], "theme": ["nuclear"]}
    data = client.get("/oembed", {"url": "http://testserver/embed/timeline/?timeline=arctic"}).json()
    assert data["title"] == "The Arctic route"


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/timelines/secret-plans/",
        "http://testserver/timelines/no-such/",
        "http://testserver/embed/timeline/?timeline=secret-plans",
        "http://testserver/?timeline=secret-plans",
    ],
)
def test_oembed_refuses_a_draft_or_unknown_timeline(client, secret, url):
    assert client.get("/oembed", {"url": url}).status_code == 404


# Admin


def test_admin_timeline_changelist_counts_events_in_one_query(client, arctic):
    """The Timeline changelist shows every timeline's status, default flag and event counts, annotated: as many queries for 3 timelines as for 13."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(superuser=True))
    client.get("/admin/timeline/timeline/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/admin/timeline/timeline/").content.decode()
    row = re.search(r"The Arctic route.*?</tr>", page, re.S).group(0)
    assert re.search(r'field-event_count">2<', row) and re.search(r'field-published_event_count">2<', row)
    assert re.search(r'field-status">published<', row)
    for number in range(10):
        EventFactory(timelines=[TimelineFactory(slug=f"extra-{number}")])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/timeline/timeline/").content.decode()
    assert "extra-9" in page and len(many) == len(few)


def test_admin_event_form_picks_the_default_timeline_on_add(client):
    client.force_login(UserFactory(superuser=True))
    page = client.get("/admin/timeline/event/add/").content.decode()
    default = Timeline.objects.default()
    assert re.search(rf'<option value="{default.pk}" selected>', page)


def test_admin_warns_when_a_published_event_is_in_no_published_timeline(client, secret):
    """Saving a published event only a draft timeline tells: saved, with a warning that says why readers cannot see it."""
    client.force_login(UserFactory(superuser=True))
    event = Event.objects.get(slug="zanzibarian-summit")
    response = client.get(f"/admin/timeline/event/{event.pk}/change/")
    assert response.status_code == 200
    from timeline.admin import hidden_warn

    messages = []

    class Admin:
        def message_user(self, request, message, level):
            messages.append(message)

    hidden_warn(Admin(), None, event)
    assert messages and "readers cannot see it" in messages[0] and "Zanzibarian plans" in messages[0]
    event.timelines.add(Timeline.objects.default())
    messages.clear()
    hidden_warn(Admin(), None, event)
    assert not messages


def test_backup_json_names_timelines(arctic):
    from timeline.backup import timeline_export

    data = json.loads(json.dumps(timeline_export()))
    assert {item["slug"] for item in data["timelines"]} == {"russia-iran", "arctic"}

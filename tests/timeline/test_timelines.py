"""
Many timelines on one site, as readers see them: /timelines/, each timeline's page (with and without
htmx), `/` as the default timeline, an event page naming its timelines, and drafts of timelines
invisible to anonymous readers while editors see them, marked and never cached publicly.
"""

import re

import pytest
from django.urls import reverse

from tests.factories import EventFactory, PeriodFactory, TimelineFactory, UserFactory
from timeline.models import Event, Period, Timeline
from timeline.views import EVENTS_PER_PAGE

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def event_ids(html):
    return re.findall(r'<article class="event[^"]*" id="event-([^"]+)"', html)


@pytest.fixture
def arctic():
    """A second published timeline (Persian, right to left) with two events, a turning point and a period of its own."""
    timeline = TimelineFactory(
        slug="arctic", title="The Arctic route", intro="Ships *north*, <script>alert(1)</script>", language="fa", direction="rtl"
    )
    EventFactory(slug="arctic-first", title="Icebreaker convoy", date="1932", timelines=[timeline], is_turning_point=True)
    EventFactory(slug="arctic-second", title="Northern passage opened", date="2017-08", timelines=[timeline])
    PeriodFactory(slug="arctic-period", name="Thaw years", date="2010/2020").timelines.set([timeline])
    return timeline


@pytest.fixture
def secret():
    """A draft timeline and a published event that only it tells: readers see neither."""
    timeline = TimelineFactory(slug="secret-plans", title="Zanzibarian plans", status=Timeline.Status.DRAFT)
    EventFactory(slug="zanzibarian-summit", title="Zanzibarian summit", date="1950", timelines=[timeline])
    return timeline


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(superuser=True))
    return client


# /timelines/


def test_timeline_list_shows_published_timelines_with_span_counts_and_turning_points(client, arctic, secret):
    """/timelines/ names each published timeline with its intro, years, event and turning-point counts; never a draft."""
    page = client.get("/timelines/").content.decode()
    assert "Russia and Iran, 1979–2025" in page and "The Arctic route" in page
    assert 'href="/timelines/arctic/"' in page and "1932–2017" in page and "2 events · 1 turning point" in page
    assert "Icebreaker convoy" in page  # its turning point, linked
    assert "<em>north</em>" in page and "<script>alert" not in page  # intro: Markdown, sanitised
    assert 'lang="fa" dir="rtl"' in page
    demo = Event.objects.published().in_timeline(Timeline.objects.get(slug="russia-iran")).count()
    assert f"{demo} events" in page
    assert "Zanzibarian" not in page and "secret-plans" not in page


def test_timeline_list_shows_drafts_to_editors_marked_and_privately_cached(editor_client, secret):
    """Editors see draft timelines too, marked as drafts; their page is never cached publicly."""
    response = editor_client.get("/timelines/")
    page = response.content.decode()
    assert "Zanzibarian plans" in page and "(draft: only editors see it)" in page
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


# A timeline's page


def test_timeline_page_shows_only_its_events_periods_title_and_intro(client, arctic):
    """/timelines/<slug>/: its title as heading, its intro, its language and direction, its events and periods only."""
    response = client.get("/timelines/arctic/")
    page = response.content.decode()
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert event_ids(page) == ["arctic-first", "arctic-second"]
    assert "<h1>The Arctic route" in page and "<title>The Arctic route · Citeline</title>" in page
    assert "<em>north</em>" in page and "<script>alert" not in page
    assert '<div class="reader-intro" lang="fa" dir="rtl">' in page
    assert "2 events" in page
    assert "Thaw years" in page and "Syrian civil war" not in page  # its periods only
    assert 'action="/timelines/arctic/"' in page and 'hx-get="/timelines/arctic/"' in page


def test_timeline_page_facets_count_its_events_only(client, arctic):
    """Facet counts on a timeline's page count that timeline's events: an actor of the demo counts 0 here."""
    Event.objects.get(slug="arctic-first").actors.add(*Event.objects.get(slug="2003-iraq-war").actors.all()[:1])
    page = client.get("/timelines/arctic/").content.decode()
    counts = dict(re.findall(r'id="count-actor-([^"]+)" data-count="(\d+)"', page))
    assert counts and set(counts.values()) == {"1"}


def test_timeline_page_links_carry_the_timeline(client, arctic):
    """Downloads, JSON, the widget, the snippets and the feed of a timeline's page are that timeline's."""
    page = client.get("/timelines/arctic/", {"turning_point": "true"}).content.decode()
    # The "Embed this view" panel's snippets load when it is opened.
    page += client.get(
        "/timelines/arctic/", {"turning_point": "true"}, headers={**HTMX, "HX-Target": "div#embed-body"}
    ).content.decode()
    assert "/api/events/?format=csv&amp;timeline=arctic&amp;turning_point=true" in page
    assert "/embed/timeline/?timeline=arctic&amp;turning_point=true" in page
    assert "data-timeline=&quot;arctic&quot;" in page
    assert 'href="/timelines/arctic/feed/"' in page
    assert 'type="application/atom+xml" title="The Arctic route: events" href="/timelines/arctic/feed/"' in page


def test_timeline_page_filters_within_the_timeline_with_and_without_htmx(client, arctic):
    """Filtering a timeline's page keeps to its events, as a full page and as the htmx fragment (#results)."""
    full = client.get("/timelines/arctic/", {"date_from": "2000"}).content.decode()
    assert event_ids(full) == ["arctic-second"] and "1 of 2 events match" in full
    response = client.get("/timelines/arctic/", {"date_from": "2000"}, headers={**HTMX, "HX-Target": "section#results"})
    fragment = response.content.decode()
    assert event_ids(fragment) == ["arctic-second"] and "<html" not in fragment
    assert response["HX-Push-Url"] == "/timelines/arctic/?date_from=2000"
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_timeline_page_more_pages_with_and_without_htmx(client, arctic):
    """Page 2 of a timeline holds its next events only; htmx's "more" gets them alone."""
    timeline = Timeline.objects.get(slug="arctic")
    for number in range(30):
        EventFactory(slug=f"arctic-bulk-{number}", date="2018", timelines=[timeline])
    full = client.get("/timelines/arctic/", {"page": 2}).content.decode()
    assert len(event_ids(full)) == 32 - EVENTS_PER_PAGE and all(slug.startswith("arctic") for slug in event_ids(full))
    fragment = client.get("/timelines/arctic/", {"page": 2}, headers={**HTMX, "HX-Target": "p#more-2"}).content.decode()
    assert event_ids(fragment) == event_ids(full) and 'id="filters"' not in fragment


def test_root_is_the_default_timeline(client, arctic):
    """`/` shows the default timeline (the demo's): none of another timeline's events."""
    page = client.get("/").content.decode()
    assert "Russia and Iran, 1979–2025" in page and "arctic-first" not in page
    Timeline.objects.filter(slug="arctic").update(is_default=False)
    arctic.is_default = True
    arctic.save()
    page = client.get("/").content.decode()
    assert event_ids(page) == ["arctic-first", "arctic-second"]
    assert 'action="/"' in page  # `/` stays `/`: today's links keep working


def test_timeline_parameter_on_a_page_leads_to_that_timelines_page(client, arctic, secret):
    """`/?timeline=arctic&actor=x` redirects to /timelines/arctic/?actor=x; an unknown or draft slug is a 404, never every event."""
    response = client.get("/", {"timeline": "arctic", "actor": "iran"})
    assert response.status_code == 302 and response["Location"] == "/timelines/arctic/?actor=iran"
    assert client.get("/", {"timeline": "no-such"}).status_code == 404
    assert client.get("/", {"timeline": "secret-plans"}).status_code == 404


def test_unknown_and_draft_timelines_are_404_for_readers(client, secret):
    """A draft timeline's page, feed and events are hidden from anonymous readers, as an unknown slug is."""
    assert client.get("/timelines/no-such/").status_code == 404
    assert client.get("/timelines/secret-plans/").status_code == 404
    assert client.get("/timelines/secret-plans/", headers={**HTMX, "HX-Target": "section#results"}).status_code == 404
    assert client.get(reverse("timeline:event_detail", args=["zanzibarian-summit"])).status_code == 404


def test_editors_see_a_draft_timelines_page_marked_and_privately_cached(editor_client, secret):
    """An editor previews a draft timeline with its events; the response is private."""
    response = editor_client.get("/timelines/secret-plans/")
    page = response.content.decode()
    assert response.status_code == 200 and event_ids(page) == ["zanzibarian-summit"]
    assert "(draft: only editors see it)" in page
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_export_format_on_a_timeline_page_is_that_timelines_export(client, arctic):
    """`?format=csv` on a timeline's page leads to the export of the same view of that timeline."""
    response = client.get("/timelines/arctic/", {"format": "csv", "date_from": "2000"})
    assert response.status_code == 302
    assert response["Location"] == "/api/events/?timeline=arctic&date_from=2000&format=csv"
    csv = client.get(response["Location"]).content.decode()
    assert "arctic-second" in csv and "arctic-first" not in csv and "2003-iraq-war" not in csv


def test_site_without_a_timeline_shows_a_helpful_empty_state(client):
    """A new site (no timeline yet): `/` explains, instead of an error or an empty filter form."""
    Event.objects.all().delete()
    Period.objects.all().delete()
    Timeline.objects.all().delete()
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200 and "No timeline yet" in page and 'id="filters"' not in page
    assert "No timeline has been published yet." in client.get("/timelines/").content.decode()


def test_default_timeline_in_draft_shows_the_empty_state_to_readers(client):
    """When the default timeline is a draft, readers get the empty state, not its events."""
    Timeline.objects.filter(is_default=True).update(status=Timeline.Status.DRAFT)
    page = client.get("/").content.decode()
    assert "No timeline yet" in page and event_ids(page) == []


# The event page


def test_event_page_names_its_published_timelines_with_links(client, arctic, secret):
    """An event page names the timelines that tell it, linked; a draft timeline only to editors."""
    event = Event.objects.get(slug="arctic-first")
    event.timelines.add(Timeline.objects.get(slug="russia-iran"), secret)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "In the timelines:" in page
    assert 'href="/timelines/arctic/#event-arctic-first"' in page and 'href="/timelines/russia-iran/#event-arctic-first"' in page
    assert "Zanzibarian" not in page and "secret-plans" not in page


def test_event_page_shows_editors_draft_timelines_marked(editor_client, arctic, secret):
    event = Event.objects.get(slug="arctic-first")
    event.timelines.add(secret)
    page = editor_client.get(event.get_absolute_url()).content.decode()
    assert 'Zanzibarian plans</a> <span class="draft-mark">(draft timeline)</span>' in page


def test_event_page_neighbours_stay_in_its_timeline(client, arctic):
    """“Earlier” and “later” on an event page walk the timeline its breadcrumb names, not the whole site."""
    page = client.get(reverse("timeline:event_detail", args=["arctic-first"])).content.decode()
    assert 'rel="next" href="/events/arctic-second/"' in page and 'rel="prev"' not in page
    assert '<a href="/timelines/arctic/#event-arctic-first">← The Arctic route</a>' in page


# rel=canonical


def canonical(response):
    found = re.findall(r'<link rel="canonical" href="([^"]*)">', response.content.decode())
    assert len(found) == 1, found
    return found[0]


def test_root_and_the_default_timelines_page_name_one_canonical_url(client, arctic):
    """`/` and `/timelines/<default>/` are one page: both point search engines to the slug's URL, which never moves."""
    default = Timeline.objects.get(is_default=True)
    expected = f"http://testserver/timelines/{default.slug}/"
    assert canonical(client.get("/")) == canonical(client.get(f"/timelines/{default.slug}/")) == expected
    assert canonical(client.get("/", {"actor": "iran", "page": "2"})) == expected  # filtered views are the same timeline


def test_canonical_follows_the_default_flag(client, arctic):
    """When another timeline becomes the default, `/` points to that timeline's own URL."""
    Timeline.objects.update(is_default=False)
    Timeline.objects.filter(pk=arctic.pk).update(is_default=True)
    assert canonical(client.get("/")) == "http://testserver/timelines/arctic/"
    assert canonical(client.get("/timelines/arctic/")) == "http://testserver/timelines/arctic/"


def test_event_pages_carry_their_canonical_url(client, arctic):
    assert canonical(client.get("/events/arctic-first/", {"utm_source": "x"})) == "http://testserver/events/arctic-first/"


def test_pages_without_a_canonical_url_carry_none(client):
    assert '<link rel="canonical"' not in client.get("/timelines/").content.decode()

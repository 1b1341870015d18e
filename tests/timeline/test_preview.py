"""
Issue 12, preview: editors see drafts wherever readers would see the published event (event page,
timeline with “Show drafts”, the widget preview), marked “Draft”, never cached publicly; readers
who ask for drafts get the published events only.
"""

import re

import pytest

from tests.factories import CitationFactory, EventFactory, TimelineFactory, UserFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Zephyrine preview accord"


@pytest.fixture
def draft():
    event = EventFactory(slug="zephyrine-preview", title=DRAFT_TITLE, date="[2015-04..2015-09]", status=Event.Status.DRAFT)
    CitationFactory(event=event)
    EventFactory(slug="published-one", title="Published one", date="2014")
    return event


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(username="previewer", is_staff=True, permissions=["view_event", "change_event"]))
    return client


def assert_never_stored(response):
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control and "public" not in cache_control


def test_view_on_site_shows_a_draft_to_its_editor_with_a_draft_banner(editor, draft):
    response = editor.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert DRAFT_TITLE in html and "Only editors see this page" in html and 'class="draft-mark"' in html
    assert_never_stored(response)


def test_an_event_of_a_draft_timeline_is_previewed_too(editor):
    event = EventFactory(timelines=[TimelineFactory(status="draft")], title="Hidden by its timeline")
    response = editor.get(event.get_absolute_url())
    assert response.status_code == 200 and "Only editors see this page" in response.content.decode()


def test_readers_never_reach_a_draft_page(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_show_drafts_puts_drafts_on_the_timeline_marked_draft(editor, draft):
    plain = editor.get("/")
    assert DRAFT_TITLE not in plain.content.decode()
    assert 'name="drafts" value="1"' in plain.content.decode()  # the toggle, for editors
    shown = editor.get("/", {"drafts": "1"})
    html = shown.content.decode()
    assert DRAFT_TITLE in html and "Published one" in html
    assert html.count('class="draft-mark"') == Event.objects.drafts().count()  # every draft is marked, nothing else
    published = html[html.index('id="event-published-one"') :]
    assert 'class="draft-mark"' not in published[: published.index("</article>")]
    assert "sometime in mid-2015, between April and September" in html
    assert_never_stored(shown)
    htmx = editor.get("/", {"drafts": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="section#results")
    assert DRAFT_TITLE in htmx.content.decode()
    assert_never_stored(htmx)


def test_readers_asking_for_drafts_get_the_published_timeline_publicly_cached(client, draft):
    response = client.get("/", {"drafts": "1"})
    html = response.content.decode()
    assert DRAFT_TITLE not in html and "Published one" in html
    assert 'name="drafts"' not in html
    assert "public" in response["Cache-Control"]


def test_the_widget_preview_shows_drafts_to_editors_only(editor, client, draft):
    # The "Embed this view" panel's preview and snippets, as htmx loads them when the panel is opened.
    panel = editor.get("/", {"drafts": "1"}, headers={"HX-Request": "true", "HX-Target": "div#embed-body"})
    assert_never_stored(panel)
    page = panel.content.decode()
    assert re.search(r"/embed/timeline/\?[^\"]*drafts=1", page)  # the preview beside the snippets
    assert "data-citeline data-drafts" not in page and "drafts=1&quot;" not in page.split("embed-snippet-iframe")[1][:600]
    widget = editor.get("/embed/timeline/", {"drafts": "1"})
    assert DRAFT_TITLE in widget.content.decode() and "Draft" in widget.content.decode()
    assert_never_stored(widget)
    client.logout()
    anonymous = client.get("/embed/timeline/", {"drafts": "1"})
    assert DRAFT_TITLE not in anonymous.content.decode()
    assert_never_stored(anonymous)

"""The editors' admin: every model registered, searchable, and evidence enforced on publishing."""

import pytest
from django.urls import reverse

from sources.models import Passage, PassageRole
from tests.factories import CitationFactory, EventFactory, TimelineFactory, UserFactory
from timeline.models import Citation, Event
from timeline.selectors import events_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="editor", superuser=True))
    return client


def test_anonymous_users_never_reach_the_admin(client):
    """The admin redirects anonymous users to its login page."""
    response = client.get("/admin/timeline/event/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "model",
    [
        "timeline/event",
        "timeline/citation",
        "timeline/actor",
        "timeline/theme",
        "timeline/period",
        "sources/source",
        "sources/passage",
    ],
)
def test_every_model_has_a_searchable_changelist(editor_client, model):
    """Each model's list page loads, with a search box that works."""
    response = editor_client.get(f"/admin/{model}/", {"q": "Iran"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


def _event_form(**overrides):
    data = {
        "title": "Iran and Russia sign a treaty", "slug": "treaty-test", "status": "published", "date": "2025-01-17",
        "display_date": "", "annotation": "Signed in Moscow.",
        "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
        "citations-0-ordinal": "1", "citations-0-passage": "", "citations-0-quote": "", "citations-0-stance": "supports", "citations-0-note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_publishing_without_a_citation_is_refused_with_a_message(editor_client):
    """Saving a published event with no citation shows why and saves nothing."""
    response = editor_client.post(reverse("admin:timeline_event_add"), _event_form())
    assert response.status_code == 200
    assert "A published event needs at least one citation" in response.content.decode()
    assert not Event.objects.filter(slug="treaty-test").exists()


def test_event_with_citation_saves_and_anchors_the_quote(editor_client):
    """An editor picks a passage and pastes a quote; the offsets, prefix and suffix are found for them."""
    passage = Passage.objects.get(
        source__slug="russia-iran-strategic-alliance-reshaping", text__contains="does not create a military alliance"
    )
    quote = "does not create a military alliance"
    response = editor_client.post(
        reverse("admin:timeline_event_add"),
        _event_form(**{"citations-0-passage": str(passage.pk), "citations-0-quote": quote}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    citation = Citation.objects.get(event__slug="treaty-test")
    assert passage.text[citation.start : citation.end] == quote
    assert citation.prefix.endswith("as noted by observers, ")
    assert Event.objects.get(slug="treaty-test").date_first.isoformat() == "2025-01-17"


def test_a_quote_not_in_the_passage_is_refused(editor_client):
    """A quote the passage does not contain is refused on the quote field, naming the passage."""
    passage = Passage.objects.get(
        source__slug="russia-iran-strategic-alliance-reshaping", text__contains="does not create a military alliance"
    )
    response = editor_client.post(
        reverse("admin:timeline_event_add"),
        _event_form(**{"citations-0-passage": str(passage.pk), "citations-0-quote": "a formal military alliance"}),
    )
    assert response.status_code == 200
    assert "This quote is not in passage" in response.content.decode()
    assert not Event.objects.filter(slug="treaty-test").exists()


def test_invalid_edtf_is_explained(editor_client):
    """An invalid date says what is wrong and gives examples that work ("July 2022" is read as natural language now)."""
    response = editor_client.post(reverse("admin:timeline_event_add"), _event_form(date="2023-02-29", status="draft"))
    assert "is not a valid EDTF date" in response.content.decode()


def test_passage_autocomplete_searches_text_and_skips_boilerplate(editor_client):
    """The citation form's passage picker finds passages by their words and leaves boilerplate out."""
    url = reverse("admin:autocomplete")
    params = {"app_label": "timeline", "model_name": "citation", "field_name": "passage"}
    results = editor_client.get(url, {**params, "term": "Iraq War"}).json()["results"]
    assert results
    assert all("Iraq War" in Passage.objects.get(pk=result["id"]).text for result in results)
    boilerplate = Passage.objects.filter(role=PassageRole.BOILERPLATE, text__contains="Humberto").get()
    found = editor_client.get(url, {**params, "term": "Humberto"}).json()["results"]
    assert str(boilerplate.pk) not in {result["id"] for result in found}


def test_publish_action_skips_uncited_events(editor_client):
    """The publish action publishes cited drafts and names the uncited ones it refused."""
    uncited = EventFactory(status=Event.Status.DRAFT, title="Needs evidence")
    cited_draft = CitationFactory(event__status=Event.Status.DRAFT).event
    response = editor_client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [uncited.pk, cited_draft.pk]},
        follow=True,
    )
    assert "Not published, no citation yet: Needs evidence" in response.content.decode()
    uncited.refresh_from_db()
    cited_draft.refresh_from_db()
    assert uncited.status == Event.Status.DRAFT
    assert cited_draft.status == Event.Status.PUBLISHED


def test_publish_action_says_which_events_readers_cannot_see_and_the_fix(editor_client):
    """
    Publishing in bulk the events of a draft timeline is allowed (the story launches when the timeline is
    published), and each is named plainly with the fix; an event readers will see is not.
    """
    draft_timeline = TimelineFactory(slug="launch", title="Launch story", status="draft")
    waiting = CitationFactory(event__status=Event.Status.DRAFT, event__title="Waits for launch").event
    waiting.timelines.set([draft_timeline])
    public = CitationFactory(event__status=Event.Status.DRAFT, event__title="Seen at once").event
    response = editor_client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [waiting.pk, public.pk]},
        follow=True,
    )
    notes = [str(message) for message in response.context["messages"]]
    assert notes == [
        "2 event(s) published.",
        "“Waits for launch” is published but readers cannot see it: its timelines are drafts (Launch story). "
        "Add it to a published timeline, or publish its timeline (Timelines › status).",
    ]
    assert set(Event.objects.filter(pk__in=[waiting.pk, public.pk]).values_list("status", flat=True)) == {"published"}


def test_an_event_whose_only_evidence_was_orphaned_counts_as_uncited(editor_client):
    """When a re-import orphans an event's only citation, the event is uncited and the changelist warns."""
    citation = CitationFactory()
    event = citation.event
    Citation.objects.filter(pk=citation.pk).update(
        passage=None, anchor_status=Citation.AnchorStatus.ORPHANED, orphaned_from=citation.passage.source, start=0, end=0
    )
    assert Event.objects.uncited().filter(pk=event.pk).exists()
    page = editor_client.get(reverse("admin:timeline_event_changelist"), {"q": event.title}).content.decode()
    assert "published without evidence" in page


def test_deleting_citations_in_bulk_takes_their_quotes_out_of_search(editor_client):
    """After "delete selected" on an event's citations, search no longer finds the event by their words."""
    citation = CitationFactory(quote="signed a treaty", event__title="A quiet event", event__status=Event.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:timeline_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [citation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not events_search(Event.objects.filter(pk=citation.event_id), "treaty").exists()


def test_deleting_the_last_evidence_of_a_published_event_is_refused_in_bulk_and_alone(editor_client):
    """The admin refuses, with the reason, to delete a published event's only citation, as the API does."""
    citation = CitationFactory(event__title="Published on one quote")
    response = editor_client.post(
        reverse("admin:timeline_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [citation.pk], "post": "yes"},
        follow=True,
    )
    assert "Not deleted, the only evidence of a published event: Published on one quote" in response.content.decode()
    response = editor_client.post(reverse("admin:timeline_citation_delete", args=[citation.pk]), {"post": "yes"}, follow=True)
    assert "This is the only citation of a published event" in response.content.decode()
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_the_date_preview_asks_which_reading_of_an_ambiguous_numeric_date(admin_client):
    """05/06/2023 is not guessed: the preview asks “5 June or 6 May 2023?” and offers both as buttons."""
    response = admin_client.get(reverse("admin:timeline_event_date_preview"), {"date": "05/06/2023"})
    html = response.content.decode()
    assert "5 June or 6 May 2023?" in html
    assert 'data-value="5 June 2023"' in html and 'data-value="6 May 2023"' in html


def test_the_date_preview_says_mid_2015_is_one_moment(admin_client):
    response = admin_client.get(reverse("admin:timeline_event_date_preview"), {"date": "mid-2015"})
    html = response.content.decode()
    assert "[2015-04..2015-09]" in html and "sometime in mid-2015, between April and September" in html
    assert "one moment" in html


def test_publishing_an_uncited_event_says_so_at_the_top_of_the_form(editor_client):
    """The publish error names the missing evidence at the top, not only beside the citations far below."""
    data = {
        "title": "Uncited", "slug": "", "status": "published", "date": "mid-2015", "display_date": "", "annotation": "",
        "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    html = editor_client.post(reverse("admin:timeline_event_add"), data).content.decode()
    top = html[: html.index('id="citations-group"')]
    assert "A published event needs at least one citation" in top and "select the quote" in top


def test_the_citation_inline_folds_the_anchor_under_anchor_details(editor_client):
    event = EventFactory()
    CitationFactory(event=event)
    html = editor_client.get(reverse("admin:timeline_event_change", args=[event.pk])).content.decode()
    inline = html[html.index('id="citations-group"') :]
    assert "Anchor details" in inline
    anchor = inline.index("Anchor details")
    assert inline.index("citations-0-quote") < anchor < inline.index("field-prefix", inline.index("citations-0-quote"))


def test_an_event_made_from_a_title_gets_a_slug_that_keeps_dashes_and_follows_the_title(editor_client):
    data = {
        "title": "Rasht–Astara railway", "slug": "", "status": "draft", "date": "Q3 2019", "display_date": "",
        "annotation": "", "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000", "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
    }  # fmt: skip
    assert editor_client.post(reverse("admin:timeline_event_add"), data).status_code == 302
    event = Event.objects.get(slug="rasht-astara-railway")
    assert event.date == "2019-35"
    url = reverse("admin:timeline_event_change", args=[event.pk])
    editor_client.post(url, {**data, "slug": event.slug, "title": "Rasht—Astara line"})
    event.refresh_from_db()
    assert event.slug == "rasht-astara-line"
    event.status, event.published_at = Event.Status.DRAFT, event.updated_at  # published once: links exist now
    Event.objects.filter(pk=event.pk).update(published_at=event.updated_at)
    editor_client.post(url, {**data, "slug": event.slug, "title": "Another title"})
    event.refresh_from_db()
    assert event.slug == "rasht-astara-line"


def test_save_and_duplicate_makes_a_draft_copy_with_its_citations(editor_client):
    event = EventFactory(title="Original", date="2019")
    CitationFactory(event=event)
    data = {
        "title": "Original", "slug": event.slug, "status": "published", "date": "2019", "display_date": "",
        "annotation": "", "_duplicate": "1",
        "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "1", "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000", "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
    }  # fmt: skip
    citation = event.citations.get()
    data |= {
        "citations-0-id": citation.pk, "citations-0-event": event.pk, "citations-0-passage": citation.passage_id,
        "citations-0-quote": citation.quote, "citations-0-stance": citation.stance, "citations-0-ordinal": 1,
        "citations-0-start": citation.start, "citations-0-end": citation.end,
    }  # fmt: skip
    response = editor_client.post(reverse("admin:timeline_event_change", args=[event.pk]), data)
    copy = Event.objects.get(title="Original (copy)")
    assert response["Location"] == reverse("admin:timeline_event_change", args=[copy.pk])
    assert copy.status == Event.Status.DRAFT and copy.citations.count() == 1 and copy.slug == "original-copy"

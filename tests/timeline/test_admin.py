"""The editors' admin: every model registered, searchable, and evidence enforced on publishing."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from sources.models import Passage, PassageRole
from tests.factories import CitationFactory, EventFactory, UserFactory
from timeline.filters import EventFilter
from timeline.models import Citation, Event

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
    found = EventFilter(QueryDict("q=treaty"), queryset=Event.objects.filter(pk=citation.event_id)).qs
    assert not found.exists()


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

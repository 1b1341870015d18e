"""What each source claims: a citation's claimed date, its check against the passage, and the disagreement flag."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from sources.models import Passage
from tests.factories import CitationFactory, EventFactory
from timeline.backup import timeline_export
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

TREATY_PASSAGE = {
    "source__slug": "russia-iran-strategic-alliance-reshaping",
    "text__contains": "does not create a military alliance",
}


@pytest.fixture
def editor_client(client):
    client.force_login(User.objects.create_superuser("erin", "erin@example.org", "pw"))
    return client


def _event_form(**overrides):
    data = {
        "title": "Iran and Russia sign a treaty", "slug": "treaty-test", "status": "draft", "date": "2025-01-17",
        "display_date": "", "annotation": "Signed in Moscow.",
        "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
        "citations-0-ordinal": "1", "citations-0-passage": "", "citations-0-quote": "", "citations-0-stance": "supports",
        "citations-0-note": "", "citations-0-claimed_date": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_claimed_date_picked_from_the_passage_is_found_in_it(editor_client):
    """A claim equal to one of the passage's date mentions is saved as EDTF and checked ✓, without a warning."""
    passage = Passage.objects.get(**TREATY_PASSAGE)
    mention = passage.date_mentions.first()
    assert mention is not None
    response = editor_client.post(
        reverse("admin:timeline_event_add"),
        _event_form(
            **{
                "citations-0-passage": str(passage.pk),
                "citations-0-quote": "does not create a military alliance",
                "citations-0-claimed_date": mention.edtf,
            }
        ),  # fmt: skip
        follow=True,
    )
    citation = Citation.objects.get(event__slug="treaty-test")
    assert citation.claimed_date == mention.edtf and citation.claim_in_passage is True
    assert "not found in the passage" not in response.content.decode()
    page = editor_client.get(reverse("admin:timeline_event_change", args=[citation.event_id])).content.decode()
    assert f'<option value="{mention.edtf}">' in page and "the passage says" in page  # offered in a datalist


def test_a_typed_claim_the_passage_does_not_state_is_kept_with_a_warning(editor_client):
    """A claim in words that matches no mention of the passage is saved as EDTF, and the editor is warned."""
    passage = Passage.objects.get(**TREATY_PASSAGE)
    response = editor_client.post(
        reverse("admin:timeline_event_add"),
        _event_form(
            **{
                "citations-0-passage": str(passage.pk),
                "citations-0-quote": "does not create a military alliance",
                "citations-0-claimed_date": "15 March 44 BC",
            }
        ),  # fmt: skip
        follow=True,
    )
    citation = Citation.objects.get(event__slug="treaty-test")
    assert citation.claimed_date == "-0043-03-15" and citation.claim_in_passage is False
    assert "the claimed date 15 March 44 BCE is not found in the passage" in response.content.decode()
    page = editor_client.get(reverse("admin:timeline_event_change", args=[citation.event_id])).content.decode()
    assert "is not found in the passage" in page


def test_claims_that_conflict_or_miss_the_event_date_flag_it():
    """Outside every claim, or two claims that cannot both be right: disputed; a claim inside the date agrees."""
    agreeing = CitationFactory(event=EventFactory(date="1979"), claimed_date="1979-12-24").event
    outside = CitationFactory(event=EventFactory(date="1979-12-24"), claimed_date="1980").event
    conflicting = EventFactory(date="1979/1980")
    CitationFactory(event=conflicting, claimed_date="1979")
    CitationFactory(event=conflicting, claimed_date="1980", ordinal=2)
    unclaimed = CitationFactory(event=EventFactory(date="1979")).event
    flagged = set(Event.objects.filter(pk__in=[agreeing.pk, outside.pk, conflicting.pk, unclaimed.pk]).dates_disputed())
    assert flagged == {outside, conflicting}
    for event in (agreeing, outside, conflicting, unclaimed):
        assert Event.objects.prefetch_related("citations").get(pk=event.pk).dates_disputed == (event in flagged)


def test_the_admin_lists_events_whose_dates_are_disputed(editor_client):
    """The event list filter “dates disputed” shows the demo's Soviet invasion of Afghanistan (1980 against 1979)."""
    page = editor_client.get(reverse("admin:timeline_event_changelist"), {"dates": "disputed"}).content.decode()
    assert "Soviet invasion of Afghanistan" in page and "Islamic Revolution" not in page


def test_the_event_page_shows_where_sources_disagree(client):
    """Readers see the claims beside the event's date, with the stance, and a mark where they disagree."""
    page = client.get("/events/soviet-invasion-of-afghanistan/").content.decode()
    assert "Sources disagree on the date" in page
    assert "24 December 1979</span> — this timeline" in page
    assert '<li class="claim claim--differs"><span class="claim-date">1980</span> — Christian Baghai' in page
    timeline = client.get("/", {"q": "Soviet invasion"}).content.decode()
    assert "sources disagree on the date" in timeline


def test_api_csv_and_backup_carry_claimed_dates(client):
    """The citation serializer, the CSV and the backup hold each citation's claimed date."""
    body = client.get("/api/events/soviet-invasion-of-afghanistan/").json()
    assert body["dates_disputed"] is True
    assert [(c["claimed_date"], c["claimed_date_display"]) for c in body["citations"]][0] == ("1980", "1980")
    rows = {
        row["slug"]: row for row in csv.DictReader(io.StringIO(client.get("/api/events/", {"format": "csv"}).content.decode()))
    }
    assert rows["soviet-invasion-of-afghanistan"]["claimed_dates"].startswith("1980 | ")
    assert rows["soviet-invasion-of-afghanistan"]["dates_disputed"] == "yes"
    events = {event["slug"]: event for event in timeline_export()["events"]}
    assert events["soviet-invasion-of-afghanistan"]["citations"][0]["claimed_date"] == "1980"
    assert "claimed_lower" not in events["soviet-invasion-of-afghanistan"]["citations"][0]

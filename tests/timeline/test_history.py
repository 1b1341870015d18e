"""History of events and citations (django-simple-history): who changed what and when, shown in the admin and revertible."""

import pytest
from django.urls import reverse

from tests.factories import CitationFactory, EventFactory, UserFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(username="historian", superuser=True)


def _form(event, **overrides):
    data = {
        "title": event.title, "slug": event.slug, "status": "draft", "date": event.date, "display_date": "",
        "annotation": event.annotation, "timelines": [timeline.pk for timeline in event.timelines.all()],
        "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_an_admin_change_is_recorded_with_its_author_and_diff(client, admin_user):
    """Saving an event in the admin records who changed it and which fields changed."""
    event = EventFactory(status=Event.Status.DRAFT, title="Old title")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:timeline_event_change", args=[event.pk]), _form(event, title="New title", date="mid-2015")
    )
    assert response.status_code == 302
    latest, previous = event.history.all()[:2]
    assert latest.history_user == admin_user and latest.history_type == "~"
    changed = {change.field: (change.old, change.new) for change in latest.diff_against(previous).changes}
    assert changed["title"] == ("Old title", "New title")
    assert changed["date"] == ("2015", "[2015-04..2015-09]")
    page = client.get(reverse("admin:timeline_event_history", args=[event.pk])).content.decode()
    assert "historian" in page


def test_an_event_can_be_reverted_from_its_history(client, admin_user):
    """Posting an old version from the history page restores it, and the revert is itself recorded."""
    event = EventFactory(status=Event.Status.DRAFT, title="First title")
    event.title = "Second title"
    event.save()
    first = event.history.earliest()
    client.force_login(admin_user)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id])
    assert "First title" in client.get(url).content.decode()

    recorded = event.history.count()  # created, filed in its timeline, renamed
    response = client.post(url, _form(first.instance))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "First title"
    assert event.history.count() == recorded + 1


def test_citation_changes_are_recorded_and_revertible():
    """A citation's note change is recorded; the old version's instance saves it back."""
    citation = CitationFactory(note="first note")
    citation.note = "second note"
    citation.save()
    assert [record.note for record in citation.history.all()] == ["second note", "first note"]
    citation.history.earliest().instance.save()
    citation.refresh_from_db()
    assert citation.note == "first note"


def test_the_citation_history_page_loads(client, admin_user):
    """The citation admin shows its history."""
    citation = CitationFactory()
    client.force_login(admin_user)
    assert client.get(reverse("admin:timeline_citation_history", args=[citation.pk])).status_code == 200

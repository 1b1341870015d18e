"""“mid-2015” is one moment known within part of a year: stored as a set, said so on every page, and old rows migrated."""

import importlib

import pytest
from django.apps import apps

from tests.factories import CitationFactory, EventFactory
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

migration = importlib.import_module("timeline.migrations.0010_vague_points")


def test_the_event_page_says_sometime_and_never_a_span(client):
    event = EventFactory(date="[2015-04..2015-09]", title="Talks resume")
    CitationFactory(event=event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "sometime in mid-2015, between April and September" in html
    assert "A single moment, not a span of time" in html
    assert "A span of time" not in html
    assert "sometime in mid-2015, between April and September" in client.get("/").content.decode()


def test_rows_the_reader_wrote_as_spans_become_points_and_typed_spans_stay():
    """The data migration rewrites the reader's own six-month spans; an interval an editor typed is left alone."""
    vague, typed = EventFactory(date="2015-04/2015-09"), EventFactory(date="2015-04/2015-08")
    citation = CitationFactory(event=typed, claimed_date="2015-09~/2015-12~")
    migration.forwards(apps, None)
    vague.refresh_from_db(), typed.refresh_from_db(), citation.refresh_from_db()
    assert (vague.date, vague.date_precision) == ("[2015-04..2015-09]", "season")
    assert typed.date == "2015-04/2015-08"
    assert citation.claimed_date == "[2015-09~..2015-12~]"
    assert Event.objects.get(pk=vague.pk).date_display == "sometime in mid-2015, between April and September"
    migration.backwards(apps, None)
    assert Event.objects.get(pk=vague.pk).date == "2015-04/2015-09"
    assert Citation.objects.get(pk=citation.pk).claimed_date == "2015-09~/2015-12~"

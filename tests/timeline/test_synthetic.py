"""`manage.py seed_synthetic`: a realistic, valid, reproducible timeline for benchmarks."""

import io

import pytest
from django.core.management import CommandError, call_command

from sources.anchoring import CONTEXT_CHARS
from sources.dates import day_number, edtf_bounds
from sources.models import Passage
from timeline.caching import content_version
from timeline.filters import EventFilter
from timeline.models import Actor, Citation, Event, Period, Timeline

pytestmark = pytest.mark.django_db

EVENTS = 300


def seed(**options):
    out = io.StringIO()
    call_command("seed_synthetic", stdout=out, **{"events": EVENTS, "sources": 5, "seed": 7, **options})
    return out.getvalue()


def test_it_writes_the_events_asked_for_published_in_published_timelines(django_capture_on_commit_callbacks):
    before = Event.objects.published().count()
    version = content_version()[0]
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
    timeline = Timeline.objects.get(slug="synthetic")
    assert f"{EVENTS:,} events" in output
    assert Event.objects.in_timeline(timeline).count() == EVENTS
    assert Event.objects.published().count() == before + EVENTS  # readers see every one
    assert set(Timeline.objects.filter(slug__startswith="synthetic").values_list("status", flat=True)) == {"published"}
    assert Timeline.objects.filter(slug__startswith="synthetic-").count() == 3  # subsets of the main one
    assert Period.objects.filter(slug__startswith="synthetic-period-").exists()
    assert content_version()[0] > version  # caches and validators see the new content


def test_every_event_has_one_to_four_citations_whose_offsets_are_valid():
    seed()
    events = Event.objects.in_timeline(Timeline.objects.get(slug="synthetic"))
    per_event = [event.citations.count() for event in events]
    assert min(per_event) >= 1 and max(per_event) <= 4
    citations = Citation.objects.filter(event__in=events).select_related("passage__source")
    for citation in citations:
        passage, source = citation.passage, citation.passage.source
        assert source.text[passage.start : passage.end] == passage.text
        assert passage.text[citation.start : citation.end] == citation.quote and citation.quote
        absolute = passage.start + citation.start
        assert citation.prefix == source.text[max(0, absolute - CONTEXT_CHARS) : absolute]
        assert citation.suffix == source.text[absolute + len(citation.quote) :][:CONTEXT_CHARS]
    claimed = [citation for citation in citations if citation.claimed_date]
    assert claimed, "some citations claim a date"
    for citation in claimed:
        bounds = edtf_bounds(citation.claimed_date)
        assert (bounds.lower, bounds.upper) == (citation.claimed_lower, citation.claimed_upper)
    for passage in Passage.objects.filter(source__slug__startswith="synthetic-source-"):
        passage.clean()  # the admin's own check of the offsets


def test_dates_mix_eras_precisions_and_certainty_and_their_bounds_are_exact():
    seed()
    events = list(Event.objects.in_timeline(Timeline.objects.get(slug="synthetic")))
    for event in events:
        bounds = edtf_bounds(event.date)
        assert (event.date_lower, event.date_upper, event.date_precision) == (bounds.lower, bounds.upper, bounds.precision)
    dates = [event.date for event in events]
    assert {event.date_precision for event in events} >= {"day", "month", "year", "decade"}
    assert (
        any("/" in date for date in dates)
        and any(date.endswith("~") for date in dates)
        and any(date.endswith("?") for date in dates)
    )
    assert any(event.date_lower < day_number(1) for event in events), "some events are BCE"


def test_actors_have_a_long_tail_and_search_finds_the_seeded_events():
    seed()
    timeline = Timeline.objects.get(slug="synthetic")
    events = Event.objects.in_timeline(timeline)
    actors = Actor.objects.filter(slug__startswith="synthetic-actor-")
    counts = sorted((actor.events.filter(pk__in=events).count() for actor in actors), reverse=True)
    assert counts[0] > 10 * max(counts[len(counts) // 2], 1)  # a few actors in many events, most in few
    found = EventFilter({"q": "war", "timeline": "synthetic"}, queryset=Event.objects.published()).qs
    assert found.exists() and found.count() < EVENTS


def test_the_same_seed_gives_the_same_timeline():
    seed(timeline="first")
    seed(timeline="second")

    def content(slug):
        events = Event.objects.in_timeline(Timeline.objects.get(slug=slug)).order_by("pk")
        return [(e.title, e.date, e.annotation, sorted(e.actors.values_list("slug", flat=True))) for e in events]

    assert content("first") == content("second")


def test_a_second_run_into_the_same_timeline_is_refused_and_writes_nothing():
    seed()
    count = Event.objects.count()
    with pytest.raises(CommandError, match=r"already exists.*--timeline"):
        seed()
    assert Event.objects.count() == count


def test_nonsense_sizes_are_refused():
    with pytest.raises(CommandError, match="at least one event"):
        seed(events=0)

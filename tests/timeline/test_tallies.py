"""Kept tallies: exact after every kind of edit, read by the reader's unfiltered counts and wide axis windows, checked by tallies_rebuild."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.urls import reverse

from sources.dates import OPEN_LOWER, OPEN_UPPER, Day, day_number
from sources.models import Source
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    ThemeFactory,
    TimelineFactory,
    TokenFactory,
    UserFactory,
    default_timeline,
)
from tests.sources.conftest import baghai_copy  # noqa: F401 (a fixture)
from tests.sources.helpers import cite, edit, import_sources
from timeline.axis import Window, clusters_count
from timeline.backup import timeline_export, timeline_import
from timeline.filters import EventFilter
from timeline.models import Citation, Event, Tally, TallySnapshot, Timeline
from timeline.selectors import event_counts, event_facets, timeline_events
from timeline.services import event_delete, event_publish, event_unpublish, events_label_change
from timeline.tallies import OPEN_END_YEAR, OPEN_START_YEAR, tallies_rebuild, tallies_refresh, timeline_tally_annotations

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"


def whole_years(first, last):
    return Window(day_number(first), day_number(last + 1) - 1)


# Windows of 40 years and more, whose buckets the tallies can count: decades to deep time.
WIDE_WINDOWS = [whole_years(1990, 2029), whole_years(1900, 2030), whole_years(-5000, 2100), whole_years(-(10**10), 10**6)]


def tallies():
    return sorted(Tally.objects.exclude(count=0).values_list("timeline__slug", "kind", "key", "count"))


def overview_live():
    """What the list of timelines said when it counted every event: {slug: (events, turning points, first year, last year)}."""
    published = Q(events__status=Event.Status.PUBLISHED)
    rows = Timeline.objects.annotate(
        events_n=Count("events", filter=published, distinct=True),
        turning_n=Count("events", filter=published & Q(events__is_turning_point=True), distinct=True),
        first_day=Min("events__date_lower", filter=published & ~Q(events__date_lower=OPEN_LOWER)),
        last_day=Max("events__date_upper", filter=published & ~Q(events__date_upper=OPEN_UPPER)),
    )
    return {
        row.slug: (
            row.events_n,
            row.turning_n,
            row.first_day and Day(row.first_day).year,
            row.last_day and Day(row.last_day).year,
        )
        for row in rows
    }


def assert_tallies_exact():
    """The kept tallies equal a fresh recount, and every number read from them equals the one counted live."""
    assert tallies_rebuild(check=True) == []
    tallied = Timeline.objects.annotate(**timeline_tally_annotations())
    assert {t.slug: (t.event_count, t.turning_point_count, t.first_year, t.last_year) for t in tallied} == overview_live()
    for timeline in Timeline.objects.all():
        events = timeline_events(timeline)
        unfiltered = EventFilter({}, queryset=events)
        assert event_facets(unfiltered, events, tallies_of=timeline) == event_facets(unfiltered, events), timeline.slug
        assert event_counts(unfiltered, events, tallies_of=timeline) == event_counts(unfiltered, events), timeline.slug
        for window in WIDE_WINDOWS:
            assert clusters_count(unfiltered.qs, window, tallies_of=timeline) == clusters_count(unfiltered.qs, window), (
                timeline.slug,
                window,
            )


def test_the_demo_timeline_is_counted_exactly():
    """The demo, loaded through the services, is tallied as a recount finds it."""
    assert (
        Tally.objects.filter(timeline=default_timeline(), kind="total").get().count == timeline_events(default_timeline()).count()
    )
    assert_tallies_exact()


@pytest.fixture
def editor_api():
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=UserFactory(username='tally-editor', superuser=True)).key}")
    return api


def test_tallies_stay_exact_through_every_kind_of_edit(editor_api, client, tmp_path):
    """Services, admin, API and the ORM: after each step the tallies equal a recount and the live counts."""
    main, second = default_timeline(), TimelineFactory(slug="second", title="Second")
    actor, other_actor, theme = (
        ActorFactory(slug="tally-actor"),
        ActorFactory(slug="tally-other"),
        ThemeFactory(slug="tally-theme"),
    )
    first = CitationFactory(event__title="First", event__date="1999", event__timelines=[main, second]).event
    open_start = EventFactory(title="Before 2000", date="../1999")
    open_end = EventFactory(title="Since 2022", date="2022/..", timelines=[second])
    draft = EventFactory(title="Draft", status=Event.Status.DRAFT)
    assert_tallies_exact()

    event_unpublish(event=first)  # services
    assert_tallies_exact()
    event_publish(event=first)
    # (The actor's and theme's side, actor.events.add(), is refused by django-simple-history's m2m tracking.)
    first.actors.add(actor)
    for event in (open_start, draft):
        event.actors.add(actor)
    for event in (first, open_end):
        event.themes.add(theme)
    assert_tallies_exact()
    first.actors.remove(actor)
    open_end.themes.clear()
    open_start.actors.clear()
    assert_tallies_exact()
    events_label_change(events=[first, open_start, open_end], kind="actor", label=other_actor, add=True)
    events_label_change(events=[first, open_end], kind="theme", label=theme, add=True)
    events_label_change(events=[first], kind="timeline", label=second, add=False)
    assert_tallies_exact()

    # Citations: added, moved to another source, moved to another event, deleted.
    other_source = SourceFactory(slug="tally-source")
    citation = CitationFactory(event=open_start)
    citation.passage = other_source.passages.get(ordinal=3)
    citation.save()
    assert_tallies_exact()
    citation.event = open_end
    citation.save()
    assert_tallies_exact()
    citation.delete()
    assert_tallies_exact()

    # Moved between timelines, dates edited across years and to open ends.
    open_end.timelines.set([main])
    first.date, first.is_turning_point = "2021-03", True
    first.save()
    open_start.date = "../1850"
    open_start.save()
    assert_tallies_exact()

    # The admin: publish in bulk, delete in bulk.
    client.force_login(UserFactory(username="tally-admin", superuser=True))
    CitationFactory(event=draft)
    client.post(reverse("admin:timeline_event_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED
    assert_tallies_exact()
    doomed = CitationFactory(event__title="Doomed", event__timelines=[second]).event
    response = client.post(
        reverse("admin:timeline_event_changelist"), {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"}
    )
    assert response.status_code == 302 and not Event.objects.filter(pk=doomed.pk).exists()
    assert_tallies_exact()

    # The API: create with actors and themes, change them, delete.
    created = editor_api.post(
        "/api/events/",
        {"title": "By API", "slug": "by-api", "date": "1975", "status": "draft", "actor_slugs": ["tally-actor"],
         "theme_slugs": ["tally-theme"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    CitationFactory(event=Event.objects.get(slug="by-api"))
    assert editor_api.patch("/api/events/by-api/", {"status": "published", "date": "1976"}, format="json").status_code == 200
    assert_tallies_exact()
    assert editor_api.delete("/api/events/by-api/").status_code == 204
    assert_tallies_exact()

    # Deleting what events are counted under: an actor, a theme, a source nothing cites, a timeline; an event.
    actor.delete()
    theme.delete()
    SourceFactory(slug="uncited").delete()
    second.delete()
    event_delete(event=open_start)
    Event.objects.filter(pk=first.pk).delete()
    assert_tallies_exact()

    # A TimelineJS file (a draft timeline of draft events), one of its events then published.
    call_command("import_timelinejs", str(DATA / "timelinejs_cosmos.json"), stdout=StringIO(), stderr=StringIO())
    apollo = Event.objects.get(slug="apollo-11")
    CitationFactory(event=apollo)
    event_publish(event=apollo)
    assert_tallies_exact()

    # A backup restored over everything.
    data = json.loads(json.dumps(timeline_export()))
    by_year = [row for row in tallies() if row[1] in ("total", "start", "end")]  # actors', themes', sources' ids change
    timeline_import(data=data, replace=True)
    assert_tallies_exact()
    assert [row for row in tallies() if row[1] in ("total", "start", "end")] == by_year


def test_a_reimport_that_orphans_a_citation_takes_its_event_out_of_the_source(baghai_copy):  # noqa: F811
    """The orphaned citation no longer counts for its source; the others of the source still do."""
    path, manifest, source = baghai_copy
    quote = "Russia agreed to supply Iran with its S-300 missile defense system."
    orphaned, kept = cite(source, quote), cite(source, "The invasion of Ukraine by Russia in 2022")
    timeline = default_timeline()
    source_tally = Tally.objects.filter(timeline=timeline, kind="source", key=source.pk)
    assert source_tally.get().count == 2
    edit(path, quote, "Moscow later sold Tehran an air defence system.")
    import_sources(manifest=manifest)
    orphaned.refresh_from_db()
    assert orphaned.anchor_status == Citation.AnchorStatus.ORPHANED
    assert source_tally.get().count == 1
    assert_tallies_exact()
    assert kept.event_id != orphaned.event_id


def test_a_rolled_back_edit_leaves_the_tallies_untouched():
    """An edit whose transaction is rolled back leaves no trace in the tallies or the snapshots."""
    before, snapshots = tallies(), TallySnapshot.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        event = CitationFactory(event__title="Rolled back", event__date="1066").event
        event.actors.add(ActorFactory())
        assert tallies() != before
        raise RuntimeError("roll back")
    assert tallies() == before and TallySnapshot.objects.count() == snapshots
    assert_tallies_exact()


def test_refreshing_an_unchanged_event_writes_nothing(django_assert_max_num_queries):
    """A refresh compares with the snapshot: nothing changed, nothing written (and doing it twice does no harm)."""
    event = Event.objects.published().first()
    before = tallies()
    with django_assert_max_num_queries(3):  # lock and read the event, its links, its snapshot
        tallies_refresh([event.pk])
    tallies_refresh([event.pk])
    assert tallies() == before


def test_a_single_event_edit_costs_a_few_queries(django_assert_max_num_queries):
    """Keeping the tallies adds a fixed handful of queries to an edit, whatever the timeline's size."""
    event = Event.objects.published().first()
    event.date = "1066"
    with django_assert_max_num_queries(20):
        event.save()
    assert_tallies_exact()


def test_open_ends_count_beyond_every_year():
    """An open start counts before every window, an open end after: both are in every window's first bucket."""
    timeline = TimelineFactory(slug="open")
    EventFactory(date="../..", timelines=[timeline])
    keys = dict(Tally.objects.filter(timeline=timeline).values_list("kind", "key"))
    assert keys["start"] == OPEN_START_YEAR and keys["end"] == OPEN_END_YEAR
    events = timeline_events(timeline)
    assert clusters_count(events, whole_years(1900, 2000), tallies_of=timeline)[0][2] == 1
    assert_tallies_exact()


def _page(client, path, **data):
    response = client.get(path, data)
    assert response.status_code == 200
    return response.context


def test_the_reader_sees_exact_counts_right_after_an_edit(client):
    """Publish an event with a new actor: the page's total and the actor's facet count follow at once."""
    before = _page(client, "/")
    actor = ActorFactory(slug="newly-named", name="Newly named")
    event = CitationFactory(event__status=Event.Status.DRAFT, event__title="Fresh").event
    event.actors.add(actor)
    assert "newly-named" not in [facet.slug for facet in _page(client, "/")["facets"].actor]
    event_publish(event=event)
    after = _page(client, "/")
    assert after["total_count"] == before["total_count"] + 1 == after["result_count"]
    assert {facet.slug: facet.count for facet in after["facets"].actor}["newly-named"] == 1


def test_a_wide_window_counts_its_clusters_from_the_tallies_exactly(client):
    """With more events than marks, the clusters of a wide window are counted right after an edit, as the live count does."""
    timeline = TimelineFactory(slug="crowded", title="Crowded")
    events = Event.objects.bulk_create(
        Event(title=f"Crowd {n}", slug=f"crowd-{n}", date=str(1900 + n % 100), date_lower=day_number(1900 + n % 100),
              date_upper=day_number(1900 + n % 100 + 1) - 1, date_precision="year", status=Event.Status.PUBLISHED)
        for n in range(400)
    )  # fmt: skip
    Event.timelines.through.objects.bulk_create(Event.timelines.through(event=event, timeline=timeline) for event in events)
    tallies_refresh([event.pk for event in events])  # bulk writes send no signals: refreshed explicitly
    path = timeline.get_absolute_url()
    axis = _page(client, path, window="1900/1999")["axis"]
    assert axis.clustered and sum(cluster.count for cluster in axis.clusters) == 400
    assert [cluster.count for cluster in axis.clusters][:2] == [12, 12]  # buckets of 3 years, 4 events a year
    EventFactory(date="1901-05", timelines=[timeline])
    axis = _page(client, path, window="1900/1999")["axis"]
    assert [cluster.count for cluster in axis.clusters][:2] == [13, 12]
    live = clusters_count(timeline_events(timeline), axis.window)
    assert [(c.lower, c.upper, c.count) for c in axis.clusters] == live


def test_a_wide_window_is_snapped_to_whole_years_and_says_so(client):
    """window=1900-03/1999-06 is drawn as 1900/1999 (its buckets are whole years), and its links say 1900/1999."""
    axis = _page(client, "/", window="1900-03/1999-06")["axis"]
    assert axis.window == whole_years(1900, 1999)
    assert axis.window.edtf() == "1900/1999"


def test_rebuild_check_finds_a_drift_and_rebuild_fixes_it():
    """A count changed behind the tallies' back (a raw UPDATE) is reported by --check (exit 1) and fixed by a rebuild."""
    timeline = default_timeline()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Tally._meta.db_table} SET count = count + 5 WHERE timeline_id = %s AND kind = 'total'", [timeline.pk]
        )
    out = StringIO()
    with pytest.raises(CommandError, match="1 tallies drifted") as raised:
        call_command("tallies_rebuild", "--check", stdout=out)
    assert raised.value.returncode == 1
    assert f"drift: {timeline.slug} total 0" in out.getvalue()
    out = StringIO()
    call_command("tallies_rebuild", "--timeline", timeline.slug, stdout=out)
    assert "fixed 1" in out.getvalue()
    call_command("tallies_rebuild", "--check", stdout=StringIO())
    assert_tallies_exact()


def test_rebuild_of_an_unknown_timeline_says_how_to_fix_it():
    with pytest.raises(CommandError, match="There is no timeline “nope”"):
        call_command("tallies_rebuild", "--timeline", "nope", stdout=StringIO())


def test_seed_synthetic_ends_with_exact_tallies():
    """Bulk-created synthetic events are counted by the rebuild the seeding ends with."""
    call_command("seed_synthetic", events=60, sources=3, stdout=StringIO())
    assert Tally.objects.get(timeline__slug="synthetic", kind="total").count == 60
    assert_tallies_exact()


def test_draft_previews_and_filters_are_counted_live(editor_api, client):
    """An editor's drafts preview counts drafts (never in the tallies); a filtered page counts the filtered events."""
    EventFactory(title="Hidden draft", status=Event.Status.DRAFT)
    anonymous = _page(client, "/")["total_count"]
    client.force_login(UserFactory(username="previewer", superuser=True))
    assert _page(client, "/", drafts="1")["total_count"] > anonymous
    filtered = _page(client, "/", date_from="2015", date_to="2015")
    assert (
        filtered["result_count"]
        == timeline_events(default_timeline())
        .filter(date_upper__gte=day_number(2015), date_lower__lte=day_number(2016) - 1)
        .count()
    )
    assert filtered["total_count"] == anonymous
    assert Source.objects.exists()


def test_the_widget_total_is_the_timelines_tally_and_follows_an_edit(client):
    """The widget of one timeline, unfiltered, says how many events it holds, exact right after a publish."""
    timeline = default_timeline()
    url = f"/embed/timeline/?timeline={timeline.slug}&view=list"
    before = client.get(url).context["total"]
    assert before == timeline_events(timeline).count()
    event_publish(event=CitationFactory(event__status=Event.Status.DRAFT, event__title="Widget news").event)
    assert client.get(url).context["total"] == before + 1

"""
Kept tallies: how many published events each timeline holds, in all, per actor, theme and source,
and per year they start and end in — a derived index, like the search vector, so that the numbers
an unfiltered reader sees are a lookup and not a count of every event after each edit.

An event counts in timeline T when it is published and T tells it (T's own status does not matter:
a draft timeline's page is for editors, and shows its published events). For a source it counts once
however many of its passages it cites as evidence; orphaned citations do not count. Open ends count
under years beyond every date (OPEN_START_YEAR, OPEN_END_YEAR).

Each event keeps a snapshot per timeline of what it was counted under (TallySnapshot);
tallies_refresh() compares it with what the event holds now and adds the difference, in the edit's
transaction (timeline.receivers calls it for every save, delete and relation change), so a refresh
of an unchanged event writes nothing and a repeated one does no harm. tallies_rebuild() recounts
everything from the link tables and says what had drifted (`manage.py tallies_rebuild --check`).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BigIntegerField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sources.dates import MAX_YEARS, OPEN_LOWER, OPEN_UPPER, Day
from sources.models import Source
from timeline.models import Actor, Citation, Event, Tally, TallySnapshot, Theme

# Years beyond every date a window can show: an open start counts before all of them, an open end after.
OPEN_START_YEAR = -(MAX_YEARS + 1)
OPEN_END_YEAR = MAX_YEARS + 1
# Events read at once by a refresh or a rebuild: bounded statements, whatever the number of events.
BATCH = 2000
REBUILD_BATCH = 20_000
UPSERT_BATCH = 500
Kind = Tally.Kind


def tally_year(day):
    """The astronomical year a day number counts under; open ends beyond every year."""
    if day <= OPEN_LOWER:
        return OPEN_START_YEAR
    if day >= OPEN_UPPER:
        return OPEN_END_YEAR
    return Day(day).year


def _keys_now(using, event_ids=None, *, lock, id_range=None):
    """
    {(event id, timeline id): {(kind, key), …}} for the published ones of `event_ids` (or of the ids
    in `id_range`, first and last: a rebuild's walk), read in two queries: the events (locked on
    PostgreSQL when `lock`, so two edits of one event count in turn) and their links (timelines,
    actors, themes, cited sources) as one UNION.
    """
    events = Event.objects.using(using).order_by("pk")
    events = events.filter(pk__in=event_ids) if id_range is None else events.filter(pk__range=id_range)
    if lock and connections[using].features.has_select_for_update:
        events = events.select_for_update()
    published = {
        pk: (lower, upper, turning)
        for pk, status, lower, upper, turning in events.values_list(
            "pk", "status", "date_lower", "date_upper", "is_turning_point"
        )
        if status == Event.Status.PUBLISHED
    }
    if not published:
        return {}

    within = (
        {"event_id__in": list(published)} if id_range is None else {"event_id__gte": id_range[0], "event_id__lte": id_range[1]}
    )

    def links(model, column, kind, queryset=None):
        rows = (queryset if queryset is not None else model.objects).using(using).filter(**within)
        return rows.order_by().annotate(tally_kind=Value(kind)).values_list("event_id", "tally_kind", column)

    rows = links(Event.timelines.through, "timeline_id", "timeline").union(
        links(Event.actors.through, "actor_id", Kind.ACTOR),
        links(Event.themes.through, "theme_id", Kind.THEME),
        links(Citation, "passage__source_id", Kind.SOURCE, Citation.objects.evidence()),
        all=True,
    )
    timelines, labels = defaultdict(list), defaultdict(set)
    for event_id, kind, key in rows:
        if event_id not in published:
            continue
        if kind == "timeline":
            timelines[event_id].append(key)
        else:
            labels[event_id].add((kind, key))
    keys = {}
    for event_id, (lower, upper, turning) in published.items():
        own = {
            (Kind.TOTAL.value, 0),
            (Kind.START.value, tally_year(lower)),
            (Kind.END.value, tally_year(upper)),
            *labels[event_id],
        }
        if turning:
            own.add((Kind.TURNING.value, 0))
        own = frozenset(own)
        for timeline_id in timelines[event_id]:
            keys[event_id, timeline_id] = own
    return keys


def _snapshots(using, event_ids):
    rows = TallySnapshot.objects.using(using).filter(event_id__in=event_ids).values_list("event_id", "timeline_id", "keys")
    return {(event_id, timeline_id): frozenset(tuple(key) for key in keys) for event_id, timeline_id, keys in rows}


def _tallies_add(using, deltas, *, exact=False):
    """
    Add each delta {(timeline id, kind, key): n} to its tally (set it, with `exact`), creating the
    missing ones: one INSERT … ON CONFLICT per UPSERT_BATCH rows, in key order (no deadlocks between two edits).
    """
    rows = sorted((key, count) for key, count in deltas.items() if count or exact)
    connection = connections[using]
    quote = connection.ops.quote_name
    table, key_column, count_column = quote(Tally._meta.db_table), quote("key"), quote("count")
    new_count = f"excluded.{count_column}" if exact else f"{table}.{count_column} + excluded.{count_column}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):
            batch = rows[start : start + UPSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} (timeline_id, kind, {key_column}, {count_column}) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(batch))
                + f" ON CONFLICT (timeline_id, kind, {key_column}) DO UPDATE SET {count_column} = {new_count}",
                [value for (timeline_id, kind, key), count in batch for value in (timeline_id, kind, key, count)],
            )


def _snapshots_write(using, now, pairs):
    """Store what each (event, timeline) of `pairs` is counted under now; drop those no longer counted."""
    kept = [
        TallySnapshot(event_id=event_id, timeline_id=timeline_id, keys=sorted(now[event_id, timeline_id]))
        for event_id, timeline_id in pairs
        if (event_id, timeline_id) in now
    ]
    gone = [pair for pair in pairs if pair not in now]
    if kept:
        TallySnapshot.objects.using(using).bulk_create(
            kept, update_conflicts=True, unique_fields=["event", "timeline"], update_fields=["keys"]
        )
    events_by_timeline = defaultdict(list)
    for event_id, timeline_id in gone:
        events_by_timeline[timeline_id].append(event_id)
    for timeline_id, event_ids in sorted(events_by_timeline.items()):  # one delete per timeline (a handful)
        TallySnapshot.objects.using(using).filter(timeline_id=timeline_id, event_id__in=event_ids).delete()


def _apply(using, before, now):
    deltas, changed = Counter(), []
    for pair in sorted(before.keys() | now.keys()):
        old, new = before.get(pair, frozenset()), now.get(pair, frozenset())
        if old == new:
            continue
        changed.append(pair)
        timeline_id = pair[1]
        for kind, key in new - old:
            deltas[timeline_id, kind, key] += 1
        for kind, key in old - new:
            deltas[timeline_id, kind, key] -= 1
    _tallies_add(using, deltas)
    _snapshots_write(using, now, changed)


def tallies_refresh(event_ids, *, using=DEFAULT_DB_ALIAS):
    """
    Bring the tallies in line with what `event_ids` hold now (published or not, their timelines,
    actors, themes, cited sources and years): a few queries per BATCH events, nothing written when
    nothing changed. Ids of events that no longer exist are ignored (see tallies_forget).
    """
    ids = sorted({event_id for event_id in event_ids if event_id is not None})
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            now = _keys_now(using, batch, lock=True)
            _apply(using, _snapshots(using, batch), now)


def tallies_forget(event_ids, *, using=DEFAULT_DB_ALIAS):
    """Take events about to be deleted out of every tally (before the delete cascades to their snapshots)."""
    ids = sorted(set(event_ids))
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(ids), BATCH):
            _apply(using, _snapshots(using, ids[start : start + BATCH]), {})


@dataclass(frozen=True)
class TallyDrift:
    timeline_id: int
    kind: str
    key: int
    kept: int
    actual: int

    def __str__(self):
        return f"timeline {self.timeline_id}, {self.kind} {self.key}: kept {self.kept}, actual {self.actual}"


def tallies_rebuild(*, timeline=None, check=False, using=DEFAULT_DB_ALIAS, progress=None):
    """
    Recount the tallies (of `timeline`, or of every timeline) from the link tables, REBUILD_BATCH events at a
    time, and return what the kept ones got wrong ([TallyDrift], empty when none). Unless `check`,
    the tallies and the events' snapshots that differ are then put right. `progress(done, total)` is told as it goes.
    """
    with transaction.atomic(using=using, savepoint=False):
        events = Event.objects.using(using).order_by("pk")
        if timeline is not None:
            events = events.in_timeline(timeline)
        ids = list(events.values_list("pk", flat=True))
        expected, snapshots = Counter(), {}
        for start in range(0, len(ids), REBUILD_BATCH):
            batch = ids[start : start + REBUILD_BATCH]
            # A range of ids: the link tables are read by a walk of their event index, not a lookup per event.
            now = _keys_now(using, lock=False, id_range=(batch[0], batch[-1]))
            for (event_id, timeline_id), keys in now.items():
                if timeline is not None and timeline_id != timeline.pk:
                    continue
                snapshots[event_id, timeline_id] = keys
                for kind, key in keys:
                    expected[timeline_id, kind, key] += 1
            if progress is not None:
                progress(min(start + REBUILD_BATCH, len(ids)), len(ids))
        tallies = Tally.objects.using(using)
        if timeline is not None:
            tallies = tallies.filter(timeline=timeline)
        kept = {
            (t, kind, key): count for t, kind, key, count in tallies.values_list("timeline_id", "kind", "key", "count") if count
        }
        drift = [
            TallyDrift(*tally_key, kept=kept.get(tally_key, 0), actual=expected.get(tally_key, 0))
            for tally_key in sorted(kept.keys() | expected.keys())
            if kept.get(tally_key, 0) != expected.get(tally_key, 0)
        ]
        if not check:
            # Only what differs is written: a rebuild of exact tallies writes nothing.
            _tallies_add(using, {(item.timeline_id, item.kind, item.key): item.actual for item in drift}, exact=True)
            stored = TallySnapshot.objects.using(using)
            if timeline is not None:
                stored = stored.filter(timeline=timeline)
            before = {
                (event_id, timeline_id): frozenset(tuple(key) for key in keys)
                for event_id, timeline_id, keys in stored.values_list("event_id", "timeline_id", "keys").iterator(
                    chunk_size=BATCH
                )
            }
            changed = sorted(pair for pair in before.keys() | snapshots.keys() if before.get(pair) != snapshots.get(pair))
            for start in range(0, len(changed), BATCH):
                _snapshots_write(using, snapshots, changed[start : start + BATCH])
        return drift


# --- Reading them --------------------------------------------------------------------------------


def tallied_timeline(filterset, timeline):
    """
    `timeline` when the filtered view is exactly its published events (no filter, or only the one that
    names it, as the widget's `timeline=`), so that its counts may be read from the tallies; else None.
    The caller passes a timeline only for a view without drafts.
    """
    if timeline is None:
        return None
    active = filterset.active
    if not active or (active == ["timeline"] and filterset.form.cleaned_data.get("timeline") == timeline):
        return timeline
    return None


def tally_total(timeline):
    """How many published events `timeline` tells: one lookup."""
    row = Tally.objects.filter(timeline=timeline, kind=Kind.TOTAL, key=0).values_list("count", flat=True).first()
    return row or 0


def timeline_tally_annotations():
    """
    For a query of timelines: each one's published events (`event_count`) and turning points
    (`turning_point_count`), and the first and last year they start and end in, open ends left out
    (`first_year`, `last_year`; None without any): lookups of the tallies' index, whatever the number of events.
    """

    def tallied(kind):
        return Tally.objects.filter(timeline=OuterRef("pk"), kind=kind, count__gt=0).order_by()

    def count(kind):
        return Coalesce(Subquery(tallied(kind).values("count")[:1]), Value(0), output_field=IntegerField())

    first = tallied(Kind.START).filter(key__gt=OPEN_START_YEAR).order_by("key").values("key")[:1]
    last = tallied(Kind.END).filter(key__lt=OPEN_END_YEAR).order_by("-key").values("key")[:1]
    return {
        "event_count": count(Kind.TOTAL),
        "turning_point_count": count(Kind.TURNING),
        "first_year": Subquery(first, output_field=BigIntegerField()),
        "last_year": Subquery(last, output_field=BigIntegerField()),
    }


def facet_rows(timeline):
    """
    (facet, slug, name, count) per actor and theme of `timeline`'s published events and per source (every
    source, 0 for those none cites), as selectors.event_facets reads them live: one query.
    """

    def counted(model, kind):
        count = Tally.objects.filter(timeline=timeline, kind=kind, key=OuterRef("pk")).values("count")[:1]
        return model.objects.order_by().annotate(
            facet=Value(kind), count=Coalesce(Subquery(count), Value(0), output_field=IntegerField())
        )

    name = {Kind.ACTOR: "name", Kind.THEME: "name", Kind.SOURCE: "title"}
    actors = counted(Actor, Kind.ACTOR).filter(count__gt=0).values_list("facet", "slug", name[Kind.ACTOR], "count")
    themes = counted(Theme, Kind.THEME).filter(count__gt=0).values_list("facet", "slug", name[Kind.THEME], "count")
    sources = counted(Source, Kind.SOURCE).values_list("facet", "slug", name[Kind.SOURCE], "count")
    return actors.union(themes, sources, all=True)


def year_tallies(timeline):
    """({start year: events}, {end year: events}) of `timeline`'s published events: one query of a few thousand rows at most."""
    starts, ends = {}, {}
    rows = Tally.objects.filter(timeline=timeline, kind__in=[Kind.START, Kind.END], count__gt=0)
    for kind, key, count in rows.values_list("kind", "key", "count"):
        (starts if kind == Kind.START else ends)[key] = count
    return starts, ends

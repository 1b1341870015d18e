"""The data migrations: bounds of existing rows recomputed from their EDTF as day numbers of any era."""

import datetime
import importlib
from types import SimpleNamespace

from sources.dates import OPEN_LOWER, OPEN_UPPER, day_number, edtf_bounds

timeline_migration = importlib.import_module("timeline.migrations.0007_any_era_bounds")
sources_migration = importlib.import_module("sources.migrations.0005_datemention_day_numbers")


class Row(SimpleNamespace):
    def save(self, *, update_fields):
        self.saved = sorted(update_fields)


class Rows:
    """What the migration functions use of a historical model: objects.only(…).iterator() and save(update_fields=…)."""

    def __init__(self, rows):
        self.rows = rows
        self.objects = self

    def only(self, *fields):
        return self

    def iterator(self):
        return iter(self.rows)


def test_event_period_and_history_bounds_are_recomputed_from_their_edtf():
    """Rows saved with DateField bounds (a BCE date stored as “any date”) get exact day numbers of any era."""
    models = {
        "event": Rows([Row(pk=1, date="-0043-03-15", date_lower=datetime.date.min), Row(pk=2, date="2025-01-17")]),
        "period": Rows([Row(pk=1, date="Y-13800000000"), Row(pk=2, date="../1999")]),
        "historicalevent": Rows([Row(pk=1, date="-0500/-0300"), Row(pk=2, date="not a date")]),
    }
    apps = SimpleNamespace(get_model=lambda app, name: models[name])
    timeline_migration.dated_bounds_fill(apps, None)
    ides, treaty = models["event"].rows
    assert (ides.date_lower_day, ides.date_upper_day) == (day_number(-43, 3, 15),) * 2
    assert treaty.date_lower_day == datetime.date(2025, 1, 17).toordinal() and treaty.saved == [
        "date_lower_day",
        "date_upper_day",
    ]
    big_bang, before = models["period"].rows
    assert big_bang.date_lower_day == edtf_bounds("Y-13800000000").lower > OPEN_LOWER
    assert (before.date_lower_day, before.date_upper_day) == (OPEN_LOWER, day_number(1999, 12, 31))
    interval, broken = models["historicalevent"].rows
    assert (interval.date_lower_day, interval.date_upper_day) == (day_number(-500, 1, 1), day_number(-300, 12, 31))
    assert (broken.date_lower_day, broken.date_upper_day) == (OPEN_LOWER, OPEN_UPPER)  # never stops the migration


def test_date_mention_bounds_are_recomputed_from_their_edtf():
    """Date mentions get day numbers from their EDTF too."""
    mentions = Rows([Row(pk=1, edtf="1979"), Row(pk=2, edtf="2022/..")])
    sources_migration.mention_bounds_fill(SimpleNamespace(get_model=lambda app, name: mentions), None)
    year, since = mentions.rows
    assert (year.lower_day, year.upper_day) == (day_number(1979, 1, 1), day_number(1979, 12, 31))
    assert (since.lower_day, since.upper_day) == (day_number(2022, 1, 1), OPEN_UPPER)


timelines_migration = importlib.import_module("timeline.migrations.0009_timelines")


def _apps():
    from django.apps import apps

    return apps


def test_timelines_migration_keeps_every_event_reachable(db):
    """Migration 0009 files every event and period in one published default timeline: what readers saw, they still see."""
    from timeline.models import Event, Period, Timeline

    published = set(Event.objects.filter(status=Event.Status.PUBLISHED).values_list("slug", flat=True))
    everything = set(Event.objects.values_list("slug", flat=True))
    Timeline.objects.all().delete()  # the state before the migration: no timeline, no membership
    assert not Event.objects.published().exists()
    timelines_migration.existing_content_into_one_timeline(_apps(), None)
    timeline = Timeline.objects.get()
    assert (timeline.slug, timeline.title, timeline.status, timeline.is_default) == (
        "russia-iran", "Russia and Iran, 1979–2025", "published", True,
    )  # fmt: skip
    assert set(Event.objects.published().values_list("slug", flat=True)) == published
    assert set(Event.objects.in_timeline(timeline).values_list("slug", flat=True)) == everything
    assert Period.objects.exists() and not Period.objects.filter(timelines=None).exists()


def test_timelines_migration_names_other_sites_timeline_neutrally_and_leaves_empty_sites_alone(db):
    """A site without the demo gets a timeline called “Timeline”; a site without events or periods gets none."""
    from timeline.models import Event, Period, Timeline

    Timeline.objects.all().delete()
    Event.objects.filter(slug="soviet-invasion-of-afghanistan").delete()
    timelines_migration.existing_content_into_one_timeline(_apps(), None)
    assert list(Timeline.objects.values_list("slug", "title")) == [("timeline", "Timeline")]
    Timeline.objects.all().delete()
    Event.objects.all().delete()
    Period.objects.all().delete()
    timelines_migration.existing_content_into_one_timeline(_apps(), None)
    assert not Timeline.objects.exists()

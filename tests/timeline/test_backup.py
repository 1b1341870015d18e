"""Backups: export, wipe, import gives back every object with every field; bad files are refused whole."""

import json

import pytest
from django.core.management import CommandError, call_command

from sources.models import DateMention, Passage, Source, SourceVersion
from tests.factories import CitationFactory, EventFactory, PeriodFactory
from timeline.backup import BACKUP_VERSION, BackupError, timeline_delete, timeline_export, timeline_import
from timeline.models import Actor, Citation, Event, Period, Theme

pytestmark = pytest.mark.django_db


def natural(obj):
    """How a test names an object independently of its database id."""
    if obj is None:
        return None
    if hasattr(obj, "slug"):
        return obj.slug
    if isinstance(obj, Passage):
        return (obj.source.slug, obj.ordinal)
    return str(obj)


def snapshot():
    """Every field of every timeline object, relations by natural key, ids left out."""
    state = {}
    for model in (Actor, Theme, Period, Source, Passage, SourceVersion, DateMention, Event, Citation):
        rows = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                row[field.name] = natural(getattr(obj, field.name)) if field.is_relation else field.value_from_object(obj)
            for field in model._meta.many_to_many:
                row[field.name] = sorted(natural(related) for related in getattr(obj, field.name).all())
            rows.append(row)
        state[model.__name__] = sorted(rows, key=repr)
    return state


def test_round_trip_loses_nothing(tmp_path):
    """export_timeline, delete everything, import_timeline: every field of every object is back."""
    CitationFactory(
        event=EventFactory(slug="draft-with-display", status=Event.Status.DRAFT, display_date="around then", date="2015~")
    )
    PeriodFactory(slug="open-ended", date="2022-02-24/..")
    before = snapshot()
    assert before["Event"] and before["Citation"] and before["Passage"]
    assert {row["status"] for row in before["Event"]} == {"draft", "published"}
    path = tmp_path / "backup.json"
    call_command("export_timeline", str(path), stdout=open("/dev/null", "w"))
    timeline_delete()
    assert not Event.objects.exists() and not Source.objects.exists() and not Actor.objects.exists()
    call_command("import_timeline", str(path), stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_backup_is_versioned_json():
    """The backup names its format and version and nests passages in sources and citations in events."""
    data = json.loads(json.dumps(timeline_export()))
    assert data["format"] == "citeline-backup" and data["version"] == BACKUP_VERSION
    assert len(data["events"]) == Event.objects.count() == 30
    source = next(item for item in data["sources"] if item["slug"] == "baghai-unlikely-alliance")
    assert source["text"] == Source.objects.get(slug="baghai-unlikely-alliance").text
    assert len(source["passages"]) == Passage.objects.filter(source__slug="baghai-unlikely-alliance").count()
    assert all("citations" in event for event in data["events"])


def test_import_refuses_what_is_not_a_backup(tmp_path):
    """Not JSON, or JSON that is not a Citeline backup: refused, with the file named."""
    path = tmp_path / "notes.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="notes.json: not a Citeline backup"):
        call_command("import_timeline", str(path))
    path.write_text(json.dumps({"events": []}))
    with pytest.raises(CommandError, match="not a Citeline backup"):
        call_command("import_timeline", str(path))


def test_import_refuses_a_newer_version():
    """A backup from a newer Citeline is refused, saying to upgrade."""
    data = {**timeline_export(), "version": BACKUP_VERSION + 1}
    with pytest.raises(BackupError, match="newer Citeline"):
        timeline_import(data=data, replace=True)
    assert Event.objects.count() == 30


def test_import_refuses_unknown_slugs_and_writes_nothing():
    """An event naming an actor the backup does not define is refused; the database is untouched."""
    data = timeline_export()
    data["events"][0]["actors"].append("atlantis")
    before = snapshot()
    with pytest.raises(BackupError, match="actor atlantis"):
        timeline_import(data=data, replace=True)
    assert snapshot() == before


def test_import_refuses_existing_slugs_unless_replace():
    """Importing over existing objects is refused; --replace replaces the whole timeline."""
    data = timeline_export()
    with pytest.raises(BackupError, match="already holds"):
        timeline_import(data=data)
    EventFactory(slug="not-in-the-backup", status=Event.Status.DRAFT)
    before_backup_only = {event["slug"] for event in data["events"]}
    created = timeline_import(data=data, replace=True)
    assert created["events"] == 30
    assert set(Event.objects.values_list("slug", flat=True)) == before_backup_only


def test_import_is_atomic_when_an_object_is_invalid():
    """An invalid object late in the file leaves nothing of the import behind."""
    data = timeline_export()
    data["events"][-1]["date"] = "2015-13"
    before = snapshot()
    with pytest.raises(BackupError, match="2015-13"):
        timeline_import(data=data, replace=True)
    assert snapshot() == before


@pytest.mark.parametrize("authors", [[1, 2], [None], [["x"]], {"a": 1}, "Christian Baghai"])
def test_import_refuses_authors_that_are_not_names(authors):
    """A source whose authors are not a list of names is refused, naming the source and the field; nothing is written."""
    data = timeline_export()
    data["sources"][0]["authors"] = authors
    before = snapshot()
    with pytest.raises(
        BackupError, match=rf"source {data['sources'][0]['slug']}: authors: .*(list of names|each author is a name)"
    ):
        timeline_import(data=data, replace=True)
    assert snapshot() == before


def test_import_refuses_unknown_fields():
    """A field this Citeline does not know is refused rather than dropped."""
    data = timeline_export()
    data["actors"][0]["nickname"] = "Bear"
    with pytest.raises(BackupError, match="unknown field"):
        timeline_import(data=data, replace=True)


def test_export_to_standard_output(capsys):
    """FILE - writes the backup to standard output."""
    call_command("export_timeline", "-")
    assert json.loads(capsys.readouterr().out)["format"] == "citeline-backup"

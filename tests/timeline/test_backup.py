"""Backups: export, wipe, import gives back every object with every field; bad files are refused whole."""

import gzip
import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from sources.models import DateMention, Passage, Source, SourceVersion
from tests.factories import CitationFactory, EventFactory, PeriodFactory, TimelineFactory
from timeline.backup import BACKUP_VERSION, BackupError, timeline_delete, timeline_export, timeline_import
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline

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
    for model in (Timeline, Actor, Theme, Period, Source, Passage, SourceVersion, DateMention, Event, Citation):
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
    """A source whose authors are not a list of names is refused, naming where the field is; nothing is written."""
    data = timeline_export()
    data["sources"][0]["authors"] = authors
    before = snapshot()
    with pytest.raises(BackupError, match=r"sources\[0\]\.authors: .*(list of names|each author is a name)"):
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


_EXPORTED = {}


def _backup():
    """The demo timeline's backup, exported once per run; each test gets its own copy."""
    if "json" not in _EXPORTED:
        _EXPORTED["json"] = json.dumps(timeline_export())
    return json.loads(_EXPORTED["json"])


def _cited(data):
    return next(index for index, event in enumerate(data["events"]) if event["citations"])


def _mentioned(data):
    return next(
        ("sources", source_index, "passages", passage_index)
        for source_index, source in enumerate(data["sources"])
        for passage_index, passage in enumerate(source["passages"])
        if passage["date_mentions"]
    )


def _set(path, value):
    """A mutation that puts `value` at `path` (keys and indexes; callables find an index in the data)."""

    def mutate(data):
        keys = [key(data) if callable(key) else key for key in path]
        keys = [part for key in keys for part in (key if isinstance(key, tuple) else (key,))]
        target = data
        for key in keys[:-1]:
            target = target[key]
        if value is KeyError:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
        return data

    return mutate


MALFORMED = [
    (_set(["actors"], {"russia": 1}), '"actors" must be a list'),
    (_set(["actors", 0], []), "actors[0]: expected an object, found a list"),
    (_set(["actors", 0, "slug"], None), "actors[0].slug: expected text, found null"),
    (_set(["actors", 0, "slug"], KeyError), "actors[0].slug: expected text, found null"),
    (_set(["actors", 0, "name"], 5), "actors[0].name: expected text, found a number"),
    (_set(["themes", 0], "nuclear"), "themes[0]: expected an object, found text"),
    (_set(["periods", 0, "date"], 2015), "periods[0].date: expected text, found a number"),
    (_set(["sources", 0, "slug"], 12), "sources[0].slug: expected text, found a number"),
    (_set(["sources", 0, "authors"], "Jane Doe"), "sources[0].authors: expected a list of names (text), found text"),
    (_set(["sources", 0, "authors"], [1, 2]), "sources[0].authors: expected a list of names (text), found a list"),
    (_set(["sources", 0, "passages"], {}), "sources[0].passages: expected a list, found an object"),
    (_set(["sources", 0, "passages", 0], "text"), "sources[0].passages[0]: expected an object, found text"),
    (_set(["sources", 0, "passages", 0, "ordinal"], "1"), "sources[0].passages[0].ordinal: expected a whole number, found text"),
    (_set(["sources", 0, "passages", 0, "ordinal"], True), "sources[0].passages[0].ordinal: expected a whole number"),
    (_set(["sources", 0, "passages", 0, "text"], None), "sources[0].passages[0].text: expected a value, found null"),
    (_set(["sources", 0, "passages", 0, "date_mentions"], "2015"), "sources[0].passages[0].date_mentions: expected a list"),
    (_set([_mentioned, "date_mentions", 0, "edtf"], 2015), ".date_mentions[0].edtf: expected text, found a number"),
    (_set(["sources", 0, "versions", 0], None), "sources[0].versions[0]: expected an object, found null"),
    (_set(["events", 0], []), "events[0]: expected an object, found a list"),
    (_set(["events", 0, "slug"], None), "events[0].slug: expected text, found null"),
    (_set(["events", 0, "is_turning_point"], "yes"), "events[0].is_turning_point: expected true or false, found text"),
    (_set(["events", 0, "created_at"], 12345), "events[0].created_at: expected text, found a number"),
    (_set(["events", 0, "actors"], "russia"), "events[0].actors: expected a list, found text"),
    (_set(["events", 0, "themes"], [None]), "events[0].themes[0]: expected a slug (text), found null"),
    (_set(["events", 0, "citations"], None), "events[0].citations: expected a list, found null"),
    (_set(["events", _cited, "citations", 0, "quote"], 7), ".citations[0].quote: expected text, found a number"),
    (
        _set(["events", _cited, "citations", 0, "passage"], "1"),
        ".citations[0].passage: expected a whole number or null, found text",
    ),
    (_set(["events", _cited, "citations", 0, "source"], ["x"]), ".citations[0].source: expected text or null, found a list"),
    (_set(["events", _cited, "citations", 0, "start"], -5), "citation"),
    (lambda data: [data], "not a Citeline backup"),
    (_set(["sources", 0, "passages", 1, "ordinal"], 1), "The backup"),  # two passages ¶1: consistent types, contradictory data
]


@pytest.mark.parametrize("mutate,where", MALFORMED, ids=[where for _, where in MALFORMED])
def test_a_malformed_backup_is_refused_with_one_message_naming_where(tmp_path, mutate, where):
    """Wrong types anywhere: one message that says where, nothing written, never a traceback."""
    data = mutate(_backup())
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(data))
    counts = (Event.objects.count(), Source.objects.count(), Passage.objects.count(), Citation.objects.count())
    with pytest.raises(CommandError) as excinfo:
        call_command("import_timeline", str(path), replace=True, stdout=open("/dev/null", "w"))
    message = str(excinfo.value)
    assert where in message and message.endswith("Nothing was imported.") and "Traceback" not in message
    assert (Event.objects.count(), Source.objects.count(), Passage.objects.count(), Citation.objects.count()) == counts


# Timelines


def test_round_trip_keeps_timelines_and_memberships(tmp_path):
    """Several timelines (a draft, a right-to-left one), events in one, two or none, periods drawn on some: all back, exactly."""
    arctic = TimelineFactory(slug="arctic", title="Arctic", intro="*North*", language="fa", direction="rtl")
    draft = TimelineFactory(slug="draft-plans", title="Plans", status=Timeline.Status.DRAFT)
    EventFactory(slug="in-two", timelines=[arctic, draft])
    EventFactory(slug="in-none", timelines=[], status=Event.Status.DRAFT)
    PeriodFactory(slug="arctic-years", timelines=[arctic])
    before = snapshot()
    assert {row["slug"] for row in before["Timeline"]} == {"russia-iran", "arctic", "draft-plans"}
    assert next(row for row in before["Event"] if row["slug"] == "in-two")["timelines"] == ["arctic", "draft-plans"]
    path = tmp_path / "backup.json"
    call_command("export_timeline", str(path), stdout=open("/dev/null", "w"))
    timeline_delete()
    assert not Timeline.objects.exists()
    call_command("import_timeline", str(path), stdout=open("/dev/null", "w"))
    assert snapshot() == before
    assert Timeline.objects.default().slug == "russia-iran"


def test_old_backup_without_timelines_goes_into_the_default_timeline():
    """A backup made before timelines (version 2) is restored with every event and period in the default timeline."""
    data = json.loads(json.dumps(timeline_export()))
    del data["timelines"]
    data["version"] = 2
    for item in data["events"]:
        del item["timelines"]
    for item in data["periods"]:
        del item["timelines"]
    timeline_delete()
    timeline_import(data=data)
    timeline = Timeline.objects.get()
    assert timeline.is_default and timeline.status == Timeline.Status.PUBLISHED
    assert (timeline.slug, timeline.title) == (
        "russia-iran",
        "Russia and Iran, 1979–2025",
    )  # the demo's, as migration 0009 names it
    assert Event.objects.count() == 30 and not Event.objects.filter(timelines=None).exists()
    assert Period.objects.exists() and not Period.objects.filter(timelines=None).exists()


def test_old_backup_joins_an_existing_default_timeline():
    """Into a site that has a default timeline, an old backup's events join it: no second default appears."""
    data = json.loads(json.dumps(timeline_export()))
    del data["timelines"]
    for item in data["events"]:
        del item["timelines"]
    for item in data["periods"]:
        del item["timelines"]
    timeline_delete()
    main = TimelineFactory(slug="main", title="Main", is_default=True)
    timeline_import(data=data)
    assert list(Timeline.objects.all()) == [main]
    assert set(Event.objects.values_list("timelines__slug", flat=True)) == {"main"}


def test_import_refuses_an_unknown_timeline_naming_it():
    """An event or a period naming a timeline the backup does not define: refused, nothing written."""
    data = json.loads(json.dumps(timeline_export()))
    data["events"][0]["timelines"] = ["nowhere"]
    data["periods"][0]["timelines"] = ["elsewhere"]
    timeline_delete()
    with pytest.raises(BackupError, match=r"refers to unknown timeline elsewhere.*refers to unknown timeline nowhere"):
        timeline_import(data=data)
    assert not Timeline.objects.exists() and not Event.objects.exists()


def test_import_refuses_a_timeline_slug_already_there():
    """A timeline whose slug exists is a conflict, like any other slug."""
    data = json.loads(json.dumps(timeline_export()))
    Event.objects.all().delete()
    with pytest.raises(BackupError, match="timelines russia-iran"):
        timeline_import(data=data)


# --- Archived copies (WARC) of pages imported by URL -------------------------------------------

WARC = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<p>The page as fetched.</p>")


def archived_version(slug="baghai-unlikely-alliance", data=WARC):
    """A new version of a demo source with an archived copy in the media storage."""
    source = Source.objects.get(slug=slug)
    version = SourceVersion(source=source, number=source.versions.count() + 1, text=source.text, content_hash=source.content_hash)
    version.archive.save(f"{slug}-v{version.number}.warc.gz", ContentFile(data), save=False)
    version.save()
    return version


def test_round_trip_restores_archived_copies_byte_for_byte(settings, tmp_path, client):
    """A backup carries each archived copy; restored into an empty media storage, the same file is back under its name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    version = archived_version()
    name = version.archive.name
    data = json.loads(json.dumps(timeline_export()))
    assert data["version"] == 4
    settings.MEDIA_ROOT = tmp_path / "elsewhere"  # another machine, or a lost volume
    timeline_import(data=data, replace=True)
    restored = SourceVersion.objects.get(source__slug="baghai-unlikely-alliance", number=version.number)
    assert restored.archive.name == name and (tmp_path / "elsewhere" / name).read_bytes() == WARC
    response = client.get(restored.get_archive_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == WARC


def test_restoring_over_the_same_files_keeps_their_names(settings, tmp_path):
    """--replace on the same site: the file already there with the same bytes is reused, not copied to a new name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    name = archived_version().archive.name
    timeline_import(data=json.loads(json.dumps(timeline_export())), replace=True)
    assert SourceVersion.objects.get(archive=name) and sorted(p.name for p in (tmp_path / "media" / name).parent.iterdir()) == [
        name.rsplit("/", 1)[-1]
    ]


def test_a_version_3_backup_is_still_read_keeping_the_archive_name(settings, tmp_path):
    """Backups made before archived copies were carried name the file only: it is restored as it was."""
    settings.MEDIA_ROOT = tmp_path / "media"
    name = archived_version().archive.name
    data = json.loads(json.dumps(timeline_export()))
    data["version"] = 3
    for source in data["sources"]:
        for version in source["versions"]:
            version.pop("archive_data", None)
    timeline_import(data=data, replace=True)
    assert SourceVersion.objects.filter(archive=name).exists()


def test_a_damaged_archived_copy_is_refused_and_nothing_is_written(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archived_version()
    data = json.loads(json.dumps(timeline_export()))
    source = next(index for index, item in enumerate(data["sources"]) if item["slug"] == "baghai-unlikely-alliance")
    data["sources"][source]["versions"][-1]["archive_data"] = "not base64!"
    before = snapshot()
    with pytest.raises(BackupError, match=r"source baghai-unlikely-alliance versions\[\d+\]\.archive_data: not base64"):
        timeline_import(data=data, replace=True)
    assert snapshot() == before


def test_a_refused_restore_leaves_no_archived_copy_behind(settings, tmp_path):
    """The archived copies written before a later object was refused are deleted with the rollback."""
    settings.MEDIA_ROOT = tmp_path / "media"
    archived_version()
    data = json.loads(json.dumps(timeline_export()))
    data["events"][-1]["date"] = "2015-13"
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    with pytest.raises(BackupError, match="2015-13"):
        timeline_import(data=data, replace=True)
    assert not [path for path in (tmp_path / "elsewhere").rglob("*") if path.is_file()]


def test_export_names_an_archived_copy_missing_from_the_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    version = archived_version()
    version.archive.storage.delete(version.archive.name)
    stderr = StringIO()
    call_command("export_timeline", str(tmp_path / "backup.json"), stdout=StringIO(), stderr=stderr)
    assert f"{version.archive.name}: this archived copy is missing from the media storage" in stderr.getvalue()

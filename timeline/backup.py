"""
Full backup and restore of a Citeline timeline as one JSON document.

The backup holds every timeline, every source (metadata, text, passages, date mentions, earlier
versions), every actor, theme and period (with the timelines it is drawn on), and every event of
any status with its citations and the timelines that tell it, each with all its fields, timestamps
included. Backups made before timelines (version 2 and earlier) are restored into the site's default
timeline, made when there is none. Objects refer to each other by slug (passages by source slug and
ordinal), never by database id, so a backup loads into any database.

Importing is all or nothing. By default it refuses a database that already holds any of the
backup's slugs (nothing is merged or overwritten behind your back); `replace=True` (`--replace`)
deletes the whole timeline first and restores the backup in its place, in the same transaction.
An event's media item is in it too; an uploaded image as its original file in base64 (one file
holds the whole backup; the resized copies are remade on import). So is the archived copy (WARC) of
each page imported by URL, in base64 beside its name (version 4), written back through the media
storage under the same name; backups of version 3 and earlier hold only the name, and the file must
already be in the storage. Files stored by an import that is then refused are deleted again. The
editing history kept by the admin is not part of a backup.
"""

import base64
import datetime
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from sources.dates import edtf_bounds
from sources.models import DateMention, Passage, Source, SourceVersion
from sources.storage import stored_file_record, stored_files_removed_on_error
from sources.validation import validation_error_text
from timeline.caching import content_changed
from timeline.media import event_media_image_set, media_original_bytes
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline

BACKUP_FORMAT = "citeline-backup"
# 2: bounds of dates are derived from the EDTF on import (version 1 wrote them as ISO dates, which
# cannot hold BCE years; they are ignored when read); citations carry the date their passage claims.
# 3: timelines, and the timelines of each event and period.
# 4: the archived copy of a source version, its bytes in base64 ("archive_data") beside its name.
BACKUP_VERSION = 4
# Where a backup without timelines puts its events and periods when the site has no default timeline
# (as migration 0009 did): the demo's timeline for the demo's events, a neutral name otherwise.
DEMO_EVENT = "soviet-invasion-of-afghanistan"
DEMO_TIMELINE = {"slug": "russia-iran", "title": "Russia and Iran, 1979–2025"}
GENERIC_TIMELINE = {"slug": "timeline", "title": "Timeline"}


class BackupError(Exception):
    """A file that cannot be imported; the message says why, and nothing was written."""


# Derived from other fields (Event.search_vector; the bounds of every EDTF date): rebuilt on import,
# never copied. Older backups that hold them are read, and these fields ignored.
DERIVED_FIELDS = {"search_vector", "date_lower", "date_upper", "lower", "upper", "claimed_lower", "claimed_upper"}


def _plain_fields(model):
    """Concrete fields other than the primary key, relations and derived fields: what is copied as is."""
    return [
        field for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in DERIVED_FIELDS
    ]  # fmt: skip


def _dump_value(value):
    if isinstance(value, FieldFile):  # an archived copy: its name in the media storage (the file stays there)
        return value.name or ""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()  # microseconds kept, unlike DjangoJSONEncoder
    return value


def _dump(obj):
    return {field.name: _dump_value(field.value_from_object(obj)) for field in _plain_fields(type(obj))}


def timeline_export():
    """The whole timeline as a JSON-ready dict (see the module docstring)."""
    user_model = get_user_model()
    usernames = dict(user_model.objects.values_list("pk", user_model.USERNAME_FIELD))
    mentions = {}
    for mention in DateMention.objects.order_by("passage_id", "start", "pk"):
        mentions.setdefault(mention.passage_id, []).append(
            {**_dump(mention), "dismissed_by": usernames.get(mention.dismissed_by_id)}
        )
    sources = []
    for source in Source.objects.order_by("slug").prefetch_related("passages", "versions"):
        passages = [
            {**_dump(passage), "date_mentions": mentions.get(passage.pk, [])}
            for passage in sorted(source.passages.all(), key=lambda passage: passage.ordinal)
        ]
        versions = [_version_dump(version) for version in sorted(source.versions.all(), key=lambda version: version.number)]
        sources.append({**_dump(source), "passages": passages, "versions": versions})
    events = []
    citations = Citation.objects.select_related("passage__source", "orphaned_from").order_by("ordinal", "pk")
    for event in (
        Event.objects.order_by("date_lower", "slug")
        .select_related("media_item")
        .prefetch_related("actors", "themes", "timelines", models.Prefetch("citations", queryset=citations))
    ):
        media = _media_dump(event)
        events.append({
            **({"media": media} if media else {}),
            **_dump(event),
            "actors": [actor.slug for actor in event.actors.all()],
            "themes": [theme.slug for theme in event.themes.all()],
            "timelines": sorted(timeline.slug for timeline in event.timelines.all()),
            "citations": [
                {
                    **_dump(citation),
                    "source": citation.passage.source.slug if citation.passage else None,
                    "passage": citation.passage.ordinal if citation.passage else None,
                    "orphaned_from": citation.orphaned_from.slug if citation.orphaned_from else None,
                }
                for citation in event.citations.all()
            ],
        })  # fmt: skip
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "exported_at": timezone.now().isoformat(),
        # The default first: restored first, it keeps the flag (the first timeline of a site is its default).
        "timelines": [_dump(timeline) for timeline in Timeline.objects.order_by("-is_default", "slug")],
        "actors": [_dump(actor) for actor in Actor.objects.order_by("slug")],
        "themes": [_dump(theme) for theme in Theme.objects.order_by("slug")],
        "periods": [
            {**_dump(period), "timelines": sorted(timeline.slug for timeline in period.timelines.all())}
            for period in Period.objects.order_by("slug").prefetch_related("timelines")
        ],
        "sources": sources,
        "events": events,
    }


def _version_dump(version):
    """A source version, and the bytes of its archived copy (WARC) in base64 when it has one and the file is there."""
    item = _dump(version)
    if version.archive:
        try:
            with version.archive.open("rb") as file:
                item["archive_data"] = base64.b64encode(file.read()).decode("ascii")
        except FileNotFoundError:
            pass  # only its name then; the export command names the missing files
    return item


def archives_missing(data):
    """The names of the archived copies a backup names without holding them (missing from the media storage at export)."""
    return [
        version["archive"]
        for source in data.get("sources", [])
        for version in source.get("versions", [])
        if version.get("archive") and "archive_data" not in version
    ]


def _archive_restore(version, item, where):
    """Write a version's archived copy back through the media storage, under its old name when that is free or holds the same bytes."""
    if item.get("archive_data") is None:
        return  # a backup of version 3 or earlier, or a file missing at export: the name alone, as it was
    try:
        data = base64.b64decode(item["archive_data"], validate=True)
    except ValueError:
        raise BackupError(f"{where}.archive_data: not base64; the backup is damaged.") from None
    field = SourceVersion._meta.get_field("archive")
    name = version.archive.name or field.generate_filename(version, f"{version.source.slug}-v{version.number}.warc.gz")
    try:
        if field.storage.exists(name):
            with field.storage.open(name, "rb") as file:
                if file.read() == data:
                    return
        saved = field.storage.save(name, ContentFile(data))
    except SuspiciousFileOperation:
        raise BackupError(
            f"{where}.archive: “{name}” is not a file name inside the media storage; was it edited by hand?"
        ) from None
    stored_file_record(field.storage, saved)
    version.archive.name = saved


def _media_dump(event):
    """An event's media item, an uploaded image's original file in base64 (renditions are remade on import)."""
    try:
        media = event.media_item
    except EventMedia.DoesNotExist:
        return None
    item = {name: getattr(media, name) for name in ("kind", "alt", "url", "credit", "caption")}
    if media.kind == EventMedia.Kind.IMAGE:
        item["filename"] = media.image.name.rsplit("/", 1)[-1]
        item["data"] = base64.b64encode(media_original_bytes(media)).decode("ascii")
    return item


def _media_restore(event, item, where):
    if not isinstance(item, dict):
        raise BackupError(f"{where}.media: expected an object, found {_json_type(item)}.")
    unknown = sorted(set(item) - {"kind", "alt", "url", "credit", "caption", "filename", "data"})
    if unknown:
        raise BackupError(f"{where}.media: unknown field(s) {', '.join(unknown)}; was this backup made by another program?")
    fields = {name: item.get(name) or "" for name in ("kind", "alt", "url", "credit", "caption")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise BackupError(f"{where}.media: kind, alt, url, credit and caption must be text.")
    media = EventMedia(event=event, **fields)
    try:
        if media.kind == EventMedia.Kind.IMAGE:
            try:
                data = base64.b64decode(str(item.get("data") or ""), validate=True)
            except ValueError:
                raise BackupError(f"{where}.media.data: not base64; the backup is damaged.") from None
            event_media_image_set(media=media, data=data, filename=str(item.get("filename") or "image"))
        else:
            media.full_clean()
            media.save()
    except ValidationError as exc:
        raise BackupError(f"{where}.media: {validation_error_text(exc)}") from None


def _check_header(data):
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise BackupError(f'This is not a Citeline backup: a backup is a JSON object with "format": "{BACKUP_FORMAT}".')
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise BackupError('This backup has no valid "version"; it was not made by manage.py export_timeline.')
    if version > BACKUP_VERSION:
        raise BackupError(
            f"This backup is version {version}, made by a newer Citeline; this one reads up to version "
            f"{BACKUP_VERSION}. Upgrade Citeline, then import it again."
        )


def _build(model, item, where, *, nested=()):
    """An unsaved `model` from a backup item; unknown fields are refused rather than dropped."""
    if not isinstance(item, dict):
        raise BackupError(f"{where}: expected an object, found {type(item).__name__}.")
    fields = {field.name: field for field in _plain_fields(model)}
    unknown = sorted(set(item) - set(fields) - set(nested) - DERIVED_FIELDS)
    if unknown:
        raise BackupError(f"{where}: unknown field(s) {', '.join(unknown)}; was this backup made by another program?")
    values = {}
    for name, value in item.items():
        if name in fields:
            try:
                values[name] = fields[name].to_python(value)
            except ValidationError as exc:
                raise BackupError(f"{where}: {name}: {' '.join(exc.messages)}") from None
    return model(**values)


def _mention_bounds(mention, where):
    try:
        bounds = edtf_bounds(mention.edtf)
    except ValidationError as exc:
        raise BackupError(f"{where}: edtf: {' '.join(exc.messages)}") from None
    return bounds.lower, bounds.upper


def _check(obj, where, *, run_clean=True, exclude=()):
    try:
        obj.clean_fields(exclude=list(exclude))
        if run_clean:
            obj.clean()
    except ValidationError as exc:
        raise BackupError(f"{where}: {validation_error_text(exc)}") from None


# What each kind of object holds besides its model's plain fields: nested lists, and references by slug.
NESTED = {
    Source: {"passages": Passage, "versions": SourceVersion},
    Passage: {"date_mentions": DateMention},
    Event: {"actors": str, "themes": str, "timelines": str, "citations": Citation},
    Period: {"timelines": str},
}
REFERENCES = {
    DateMention: {"dismissed_by": str},
    Citation: {"source": str, "passage": int, "orphaned_from": str},
    SourceVersion: {"archive_data": str},
}
TOP_LEVEL = {"timelines": Timeline, "actors": Actor, "themes": Theme, "periods": Period, "sources": Source, "events": Event}


def _type_problem(field, value):
    """What is wrong with the type of `value` for `field`, or None: the words for the message."""
    if value is None:
        return None if field.null else "expected a value, found null"
    if isinstance(field, models.BooleanField):
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return None if isinstance(value, int) and not isinstance(value, bool) else "expected a whole number"
    if isinstance(field, models.JSONField):  # Source.authors
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            return "expected a list of names (text)"
        return None
    if isinstance(field, (models.CharField, models.TextField, models.DateField)):
        return None if isinstance(value, str) else "expected text"
    return None


def _check_shape(model, item, where):
    """Refuse, naming where (`events[3].citations[0].quote`), anything whose type is not what `model` expects."""
    if not isinstance(item, dict):
        raise BackupError(f"{where}: expected an object, found {_json_type(item)}.")
    fields = {field.name: field for field in _plain_fields(model)}
    if "slug" in fields and not isinstance(item.get("slug"), str):
        raise BackupError(f"{where}.slug: expected text, found {_json_type(item.get('slug'))}.")
    for name, value in item.items():
        if name in fields and (problem := _type_problem(fields[name], value)):
            raise BackupError(f"{where}.{name}: {problem}, found {_json_type(value)}.")
    for name, kind in REFERENCES.get(model, {}).items():
        value = item.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            expected = "a whole number" if kind is int else "text"
            raise BackupError(f"{where}.{name}: expected {expected} or null, found {_json_type(value)}.")
    for name, kind in NESTED.get(model, {}).items():
        values = item.get(name, [])
        if not isinstance(values, list):
            raise BackupError(f"{where}.{name}: expected a list, found {_json_type(values)}.")
        for index, value in enumerate(values):
            if kind is str:
                if not isinstance(value, str):
                    raise BackupError(f"{where}.{name}[{index}]: expected a slug (text), found {_json_type(value)}.")
            else:
                _check_shape(kind, value, f"{where}.{name}[{index}]")


def _json_type(value):
    names = {bool: "true or false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _check_references(data):
    """Every slug the backup refers to is defined in it; the problems, listed."""
    actors = {item.get("slug") for item in data.get("actors", [])}
    themes = {item.get("slug") for item in data.get("themes", [])}
    passages = {
        (source.get("slug"), passage.get("ordinal"))
        for source in data.get("sources", [])
        for passage in source.get("passages", [])
    }
    sources = {source.get("slug") for source in data.get("sources", [])}
    timelines = {item.get("slug") for item in data.get("timelines", [])}
    problems = []
    for period in data.get("periods", []):
        unknown = [f"timeline {name}" for name in period.get("timelines", []) if name not in timelines]
        if unknown:
            problems.append(f"period {period.get('slug')} refers to unknown {', '.join(unknown)}")
    for event in data.get("events", []):
        slug = event.get("slug")
        unknown = [f"actor {name}" for name in event.get("actors", []) if name not in actors]
        unknown += [f"theme {name}" for name in event.get("themes", []) if name not in themes]
        unknown += [f"timeline {name}" for name in event.get("timelines", []) if name not in timelines]
        for citation in event.get("citations", []):
            if citation.get("source") is not None and (citation.get("source"), citation.get("passage")) not in passages:
                unknown.append(f"passage {citation.get('source')} ¶{citation.get('passage')}")
            if citation.get("orphaned_from") is not None and citation["orphaned_from"] not in sources:
                unknown.append(f"source {citation['orphaned_from']}")
        if unknown:
            problems.append(f"event {slug} refers to unknown {', '.join(unknown)}")
    if problems:
        raise BackupError("The backup refers to slugs it does not define: " + "; ".join(problems) + ".")


def _conflicts(data):
    found = []
    for key, model in TOP_LEVEL.items():
        slugs = [item.get("slug") for item in data.get(key, [])]
        existing = sorted(model.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if existing:
            found.append(f"{key} {', '.join(existing[:5])}{' …' if len(existing) > 5 else ''}")
    return found


def timeline_delete():
    """Delete everything a backup holds: events, citations, sources (passages, versions, mentions), actors, themes, periods, timelines."""
    try:
        Citation.objects.all().delete()
        Event.objects.all().delete()
        Source.objects.all().delete()
        for model in (Actor, Theme, Period, Timeline):
            model.objects.all().delete()
    except ProtectedError as exc:
        raise BackupError(f"The timeline cannot be replaced: other records depend on it ({exc.args[0]}).") from None


def _default_timeline(data):
    """The site's default timeline, for a backup made before timelines; made (published) when the site has none."""
    timeline = Timeline.objects.default()
    if timeline is None:
        demo = any(item.get("slug") == DEMO_EVENT for item in data.get("events", []) if isinstance(item, dict))
        names = DEMO_TIMELINE if demo else GENERIC_TIMELINE
        timeline = Timeline.objects.filter(slug=names["slug"]).first() or Timeline(**names, status=Timeline.Status.PUBLISHED)
        timeline.is_default = True
        timeline.save()
    return timeline


def _restore_timestamps(objects_with_items):
    """auto_now and auto_now_add set “now” on save; put back the backup's times."""
    for obj, item in objects_with_items:
        model = type(obj)
        values = {
            name: model._meta.get_field(name).to_python(item[name]) for name in ("created_at", "updated_at") if item.get(name)
        }
        if values:
            model.objects.filter(pk=obj.pk).update(**values)


def timeline_import(*, data, replace=False):
    """
    Load a backup made by timeline_export(). All or nothing: any problem raises BackupError and
    nothing is written, no file either. Returns how many objects of each kind were created.
    """
    with stored_files_removed_on_error(), transaction.atomic():
        return _timeline_import(data=data, replace=replace)


def _timeline_import(*, data, replace):
    _check_header(data)
    for key, model in TOP_LEVEL.items():
        if not isinstance(data.get(key, []), list):
            raise BackupError(f'"{key}" must be a list.')
        for index, item in enumerate(data.get(key, [])):
            _check_shape(model, item, f"{key}[{index}]")
    _check_references(data)
    if replace:
        timeline_delete()
    else:
        conflicts = _conflicts(data)
        if conflicts:
            raise BackupError(
                "The database already holds " + "; ".join(conflicts) + ". Import into an empty timeline, "
                "or pass --replace to replace the whole timeline with the backup."
            )
    # Passages, date mentions and versions are bulk-created and timestamps restored with update(),
    # which send no signals: the validators are told here (they move on commit, never on a refusal).
    content_changed()
    created = Counter()
    timestamps = []
    try:
        with transaction.atomic():
            timelines = {}
            for item in data.get("timelines", []):
                timeline = _build(Timeline, item, f"timeline {item.get('slug')}")
                _check(timeline, f"timeline {timeline.slug}")
                timeline.save()
                timelines[timeline.slug] = timeline
                timestamps.append((timeline, item))
                created["timelines"] += 1
            # A backup from before timelines: its events and periods go into the site's default timeline.
            fallback = None if "timelines" in data else _default_timeline(data)
            actors, themes, periods = {}, {}, {}
            for key, model, registry in (("actors", Actor, actors), ("themes", Theme, themes), ("periods", Period, periods)):
                for item in data.get(key, []):
                    nested = ("timelines",) if model is Period else ()
                    obj = _build(model, item, f"{model._meta.verbose_name} {item.get('slug')}", nested=nested)
                    _check(obj, f"{model._meta.verbose_name} {obj.slug}", exclude=["date_lower", "date_upper", "date_precision"])
                    obj.save()
                    if model is Period:
                        obj.timelines.set(
                            [timelines[slug] for slug in item.get("timelines", [])] if fallback is None else [fallback]
                        )
                    registry[obj.slug] = obj
                    created[key] += 1

            users = {getattr(user, user.USERNAME_FIELD): user for user in get_user_model().objects.all()}
            sources, passages = {}, {}
            for item in data.get("sources", []):
                where = f"source {item.get('slug')}"
                source = _build(Source, item, where, nested=("passages", "versions"))
                _check(source, where)
                source.save()
                sources[source.slug] = source
                timestamps.append((source, item))
                created["sources"] += 1
                new_passages = []
                for passage_item in item.get("passages", []):
                    passage = _build(
                        Passage, passage_item, f"{where} passage {passage_item.get('ordinal')}", nested=("date_mentions",)
                    )
                    passage.source = source
                    _check(passage, f"{where} ¶{passage.ordinal}", exclude=["source"])
                    new_passages.append(passage)
                Passage.objects.bulk_create(new_passages)
                created["passages"] += len(new_passages)
                by_ordinal = {passage.ordinal: passage for passage in source.passages.all()}
                mentions = []
                for passage_item in item.get("passages", []):
                    passage = by_ordinal[passage_item.get("ordinal")]
                    passages[(source.slug, passage.ordinal)] = passage
                    for mention_item in passage_item.get("date_mentions", []):
                        mention = _build(DateMention, mention_item, f"{where} ¶{passage.ordinal} date", nested=("dismissed_by",))
                        mention.passage = passage
                        mention.dismissed_by = users.get(mention_item.get("dismissed_by"))
                        mention.lower, mention.upper = _mention_bounds(mention, f"{where} ¶{passage.ordinal} date")
                        _check(mention, f"{where} ¶{passage.ordinal} date {mention.text}", exclude=["passage", "dismissed_by"])
                        mentions.append(mention)
                DateMention.objects.bulk_create(mentions)
                created["date mentions"] += len(mentions)
                versions = []
                for index, version_item in enumerate(item.get("versions", [])):
                    version = _build(
                        SourceVersion, version_item, f"{where} version {version_item.get('number')}", nested=("archive_data",)
                    )
                    version.source = source
                    _archive_restore(version, version_item, f"{where} versions[{index}]")
                    _check(version, f"{where} version {version.number}", exclude=["source"])
                    versions.append(version)
                SourceVersion.objects.bulk_create(versions)
                created["source versions"] += len(versions)

            for item in data.get("events", []):
                where = f"event {item.get('slug')}"
                event = _build(Event, item, where, nested=("actors", "themes", "timelines", "citations", "media"))
                _check(event, where, exclude=["date_lower", "date_upper", "date_precision"])
                event.save()
                event.actors.set([actors[slug] for slug in item.get("actors", [])])
                event.themes.set([themes[slug] for slug in item.get("themes", [])])
                event.timelines.set([timelines[slug] for slug in item.get("timelines", [])] if fallback is None else [fallback])
                if item.get("media") is not None:
                    _media_restore(event, item["media"], where)
                timestamps.append((event, item))
                created["events"] += 1
                for citation_item in item.get("citations", []):
                    citation = _build(Citation, citation_item, f"{where} citation", nested=("source", "passage", "orphaned_from"))
                    citation.event = event
                    if citation_item.get("source") is not None:
                        citation.passage = passages[(citation_item["source"], citation_item.get("passage"))]
                    if citation_item.get("orphaned_from") is not None:
                        citation.orphaned_from = sources[citation_item["orphaned_from"]]
                    # The backup's anchor is the truth: checked field by field, never re-anchored.
                    _check(
                        citation,
                        f"{where} citation {citation.ordinal}",
                        run_clean=False,
                        exclude=["event", "passage", "orphaned_from"],
                    )
                    citation.save()
                    timestamps.append((citation, citation_item))
                    created["citations"] += 1
            _restore_timestamps(timestamps)
    except IntegrityError as exc:
        raise BackupError(f"The backup contradicts itself (a duplicate or an impossible value): {exc}.") from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        # What _check_shape cannot foresee (two passages with one ordinal, say): still a message, never a traceback.
        raise BackupError(f"The backup is inconsistent ({type(exc).__name__}: {exc}); was it edited by hand?") from None
    return created

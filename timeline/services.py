"""
The editorial service layer: every write that changes what readers see goes through one of these
functions — publishing, unpublishing and deleting events, deleting and reviewing citations,
dismissing candidates, making an event from a candidate, re-anchoring citations after a source is
re-imported, loading a curated timeline. The admin, the API and the management commands call them.
Each writes through save() or delete(), so django-simple-history records it, and timeline.receivers
moves the HTTP validators when its transaction commits.
"""

import re
from collections import Counter
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from sources.anchoring import quote_anchor
from sources.models import DateMention, Passage, PassageRole, Source
from sources.reanchor import NewText, OldAnchor
from sources.validation import validation_error_text
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline
from timeline.slugs import slug_from
from timeline.timelinejs import THEME_SLUG_MAX_LENGTH, TimelineJSRefused, imported_slug, imported_slug_former


class TimelineDataError(Exception):
    """A timeline data file that cannot be loaded; the message lists every problem."""


# --- The publish rule ------------------------------------------------------------------------------


def event_evidence_check(*, status: str, evidence_count: int, removing: bool = False) -> None:
    """
    The publish rule, written once: a published event has at least one citation anchored in a
    passage. Raises a ValidationError for an event that would be published without evidence
    (`removing`: because its last citation is about to go).
    """
    if status != Event.Status.PUBLISHED or evidence_count > 0:
        return
    if removing:
        message = "This is the only citation of a published event: add another one first, or unpublish the event."
    else:
        message = "A published event needs at least one citation. Attach its evidence first, or keep it a draft."
    raise ValidationError(message, code="published_without_citation")


@transaction.atomic
def event_publish(*, event: Event) -> Event:
    """Publish `event` if it has evidence; a ValidationError says why not."""
    event_evidence_check(status=Event.Status.PUBLISHED, evidence_count=event.citations.evidence().count())
    return _event_status_change(event, Event.Status.PUBLISHED, reason="published")


@transaction.atomic
def event_unpublish(*, event: Event) -> Event:
    """Take `event` back to draft: readers no longer see it anywhere."""
    return _event_status_change(event, Event.Status.DRAFT, reason="unpublished")


def _event_status_change(event, status, *, reason):
    if event.status != status:
        event.status = status
        event._change_reason = reason  # the history says why
        event.save()
    return event


@transaction.atomic
def event_delete(*, event: Event) -> None:
    """Delete `event` and its citations; the history keeps both. A published event is unpublished first (the history says so)."""
    if event.status == Event.Status.PUBLISHED:
        event_unpublish(event=event)
    event.delete()


def event_delete_allowed(*, event: Event, user) -> bool:
    """
    Who may delete an event: whoever holds delete_event; and an editor (add_event) the draft they
    made themselves (a mistake), as the history records its creation. Published events are not theirs to delete.
    """
    if user.has_perm("timeline.delete_event"):
        return True
    if event.status != Event.Status.DRAFT or not user.has_perm("timeline.add_event"):
        return False
    first = event.history.order_by("history_date", "history_id").first()
    return first is not None and first.history_user_id == user.pk


# --- Labels: actors, themes, timelines -------------------------------------------------------------

# An event's labels an editor may add or remove in bulk: the kind, and the event's relation that holds it.
LABEL_RELATIONS = {"actor": "actors", "theme": "themes", "timeline": "timelines"}


@transaction.atomic
def events_label_change(*, events, kind: str, label, add: bool, user=None) -> tuple[int, int]:
    """
    Add the actor, theme or timeline `label` to each of `events` (or remove it, `add=False`), one
    history record per event changed, saying who and why; the validators move once, on commit.
    Returns how many events changed and how many were left as they were (they already had it, or lacked it).
    """
    relation = LABEL_RELATIONS[kind]
    events = list(events)
    through = getattr(Event, relation).through
    having = set(through.objects.filter(event__in=events, **{kind: label}).values_list("event_id", flat=True))
    reason = f"{'added' if add else 'removed'} {kind} {label.slug}"
    changed = 0
    for event in events:
        if (event.pk in having) == add:
            continue
        # django-simple-history records the relation's change on the event, with this user and reason.
        event._change_reason = reason
        if user is not None:
            event._history_user = user
        if add:
            getattr(event, relation).add(label)
        else:
            getattr(event, relation).remove(label)
        changed += 1
    return changed, len(events) - changed


# --- Titles and slugs ------------------------------------------------------------------------------


def event_slug_unique(title: str, *, exclude_pk=None) -> str:
    """slug_from(title), with -2, -3… when another event has it."""
    base = slug_from(title)
    slug, number = base, 1
    others = Event.objects.exclude(pk=exclude_pk) if exclude_pk else Event.objects.all()
    while others.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def event_slug_follows_title(event: Event) -> bool:
    """Until its first publication an event's slug is its title's: no reader has a link to it yet."""
    return event.published_at is None


# Words a dated sentence starts with before its subject: "On 17 May 2023, …", "In mid-2015 …".
LEADING_WORDS_RE = re.compile(r"^(?:(?:on|in|by|during|since|from|at|around|about|between|and|the|of)\b[\s,]*)+", re.I)
SHORT_TITLE_WORDS = 8


def short_title(sentence: str, date_text: str = "") -> str:
    """A short title to edit, from a dated sentence: its first words once its date is left out."""
    text = sentence.replace(date_text, " ", 1) if date_text else sentence
    text = LEADING_WORDS_RE.sub("", " ".join(text.split()).lstrip(" ,;:–—-")).lstrip(" ,;:–—-")
    words = text.split()
    title = " ".join(words[:SHORT_TITLE_WORDS]).rstrip(" ,;:.–—-")
    if len(words) > SHORT_TITLE_WORDS:
        title += "…"
    return (title[:1].upper() + title[1:]) or Truncator(sentence).chars(80)


# --- Citations -----------------------------------------------------------------------------------


@transaction.atomic
def citation_delete(*, citation: Citation) -> None:
    """Delete a citation, unless it is the last evidence of a published event (then a ValidationError says so)."""
    event = citation.event
    if citation.passage_id is not None:
        remaining = event.citations.evidence().exclude(pk=citation.pk).count()
        event_evidence_check(status=event.status, evidence_count=remaining, removing=True)
    citation.delete()


@transaction.atomic
def citation_review_mark(*, citation: Citation) -> bool:
    """An editor checked a citation a re-import moved or updated: it is anchored again. False for an orphan (it needs a passage first) or one already anchored."""
    if citation.passage_id is None or citation.anchor_status == Citation.AnchorStatus.ANCHORED:
        return False
    citation.anchor_status = Citation.AnchorStatus.ANCHORED
    citation._change_reason = "reviewed"
    citation.save()
    return True


def citations_reanchor(*, source: Source, new_passages: list[Passage]) -> Counter:
    """
    Move every citation of `source` (and every one orphaned from it before) into the new passages of
    a re-import: kept, moved, updated (quote changed, flagged for review) or orphaned (flagged, never
    deleted). Where each goes is sources.reanchor's answer; all are placed before any is written.
    Runs inside the import's transaction (sources.signals.passages_replaced).
    """
    new_text = NewText(source.text, new_passages)
    citations = Citation.objects.filter(Q(passage__source=source) | Q(orphaned_from=source)).select_related("passage", "event")
    placements = [(citation, new_text.place(_old_anchor(citation))) for citation in citations]
    outcomes = Counter()
    for citation, placement in placements:
        _citation_anchor_write(citation, placement, source=source, new_passages=new_passages)
        outcomes[placement.outcome] += 1
    return outcomes


def _old_anchor(citation):
    if citation.passage_id is None:
        return OldAnchor(quote=citation.quote, prefix=citation.prefix, suffix=citation.suffix)
    return OldAnchor(
        quote=citation.quote, prefix=citation.prefix, suffix=citation.suffix,
        offset=citation.passage.start + citation.start, passage_text=citation.passage.text,
    )  # fmt: skip


def _citation_anchor_write(citation, placement, *, source, new_passages):
    """Write one citation's new anchor (or its orphaning); the history records the change and its reason."""
    Status = Citation.AnchorStatus
    if placement.outcome == "orphaned":
        if citation.passage_id is not None:
            citation.previous_quote = citation.quote
        citation.passage, citation.start, citation.end = None, 0, 0
        citation.anchor_status, citation.orphaned_from = Status.ORPHANED, source
    else:
        citation.passage = new_passages[placement.passage_index]
        citation.start, citation.end = placement.start, placement.end
        citation.prefix, citation.suffix = placement.prefix, placement.suffix
        citation.orphaned_from = None
        if placement.outcome == "updated":
            citation.previous_quote, citation.quote = citation.quote, placement.quote
            citation.anchor_status = Status.UPDATED
        elif placement.outcome == "moved" and citation.anchor_status != Status.UPDATED:  # a pending review stays pending
            citation.anchor_status = Status.MOVED
    citation._change_reason = f"re-import of {source.slug}: {placement.outcome}"
    citation.save()


def citation_passage_find(*, source, quote, ordinal=None):
    """The passage of `source` that holds `quote`: the one numbered `ordinal`, else the first citable one."""
    passages = source.passages.all()
    if ordinal is not None:
        passages = passages.filter(ordinal=ordinal)
    matches = [passage for passage in passages if quote in passage.text]
    matches.sort(key=lambda passage: passage.role == PassageRole.BOILERPLATE)
    return matches[0] if matches else None


# --- Candidates (date mentions) ------------------------------------------------------------------


@transaction.atomic
def mention_dismiss(*, mention: DateMention, user) -> DateMention:
    """Not an event: the candidate is hidden for good, and stays dismissed across re-imports."""
    mention.dismissed, mention.dismissed_by, mention.dismissed_at = True, user, timezone.now()
    mention.save(update_fields=["dismissed", "dismissed_by", "dismissed_at"])
    return mention


@transaction.atomic
def event_from_mention_create(*, mention: DateMention) -> Event:
    """
    A draft event dated as a date mention says, citing the mention's sentence in its passage: the
    one click from a candidate to an event the editor then titles, annotates and publishes.
    """
    sentence = mention.sentence.strip() or mention.passage.text
    title = short_title(sentence, mention.text)
    event = Event(title=title, slug=event_slug_unique(title), date=mention.edtf, status=Event.Status.DRAFT)
    event.full_clean()
    event.save()
    if default := Timeline.objects.default():
        event.timelines.add(default)
    citation_from_mention_create(mention=mention, event=event)
    return event


@transaction.atomic
def citation_from_mention_create(*, mention: DateMention, event: Event) -> Citation:
    """`event` cites the mention's sentence, claiming the date the mention gives (a candidate that an existing event covers)."""
    passage = mention.passage
    sentence, start = mention.sentence.strip(), mention.sentence_start
    if not sentence:
        sentence, start = passage.text, 0
    ordinal = (event.citations.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0) + 1
    citation = Citation(
        event=event, passage=passage, quote=sentence, start=start, stance=Citation.Stance.SUPPORTS,
        claimed_date=mention.edtf, ordinal=ordinal,
    )  # fmt: skip
    citation.end = citation.start + len(sentence)
    citation.full_clean()
    citation.save()
    return citation


@transaction.atomic
def event_duplicate(*, event: Event) -> Event:
    """A draft copy of `event` (title “… (copy)”, its own slug) with its actors, themes, timelines and citations."""
    title = f"{event.title} (copy)"
    copy = Event(
        title=title, slug=event_slug_unique(title), date=event.date, display_date=event.display_date,
        annotation=event.annotation, is_turning_point=event.is_turning_point, status=Event.Status.DRAFT,
    )  # fmt: skip
    copy._change_reason = f"duplicated from {event.slug}"
    copy.save()
    copy.actors.set(event.actors.all())
    copy.themes.set(event.themes.all())
    copy.timelines.set(event.timelines.all())
    for citation in event.citations.all():
        citation.pk = None
        citation.event = copy
        citation.save()
    return copy


# --- Curated timelines kept as data --------------------------------------------------------------


@transaction.atomic
def timeline_load(*, path):
    """
    Load actors, themes, periods and events with their citations from a YAML file. Objects are
    matched by slug and only created, never overwritten, so editors' changes survive a second load.
    Events are created as drafts and published through event_publish once their citations are in.
    Everything is checked first; one problem refuses the whole file.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TimelineDataError(f"{path}: cannot be read as YAML ({exc}).") from None
    created, problems = Counter(), []

    def create(model, slug, **fields):
        if model.objects.filter(slug=slug).exists():
            return None
        obj = model(slug=slug, **fields)
        try:
            obj.full_clean()
        except ValidationError as exc:
            problems.append(f"{model._meta.verbose_name} {slug}: {validation_error_text(exc)}")
            return None
        obj.save()
        created[model._meta.verbose_name_plural] += 1
        return obj

    timeline = _timeline_load(data.get("timeline"), create=create)
    for item in data.get("actors", []):
        create(Actor, item["slug"], name=item["name"], kind=item.get("kind", Actor.Kind.STATE))
    for item in data.get("themes", []):
        create(Theme, item["slug"], name=item["name"], description=item.get("description", ""))
    for item in data.get("periods", []):
        period = create(
            Period, item["slug"], name=item["name"], date=str(item["date"]), description=item.get("description", "").strip()
        )
        if period is not None and timeline is not None:
            period.timelines.add(timeline)

    actors = {actor.slug: actor for actor in Actor.objects.all()}
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    sources = {source.slug: source for source in Source.objects.all()}
    for item in data.get("events", []):
        slug = item["slug"]
        unknown = [name for name in item.get("actors", []) if name not in actors] + [
            name for name in item.get("themes", []) if name not in themes
        ]
        if unknown:
            problems.append(f"event {slug}: unknown actor or theme slug(s) {', '.join(unknown)}.")
            continue
        event = create(
            Event,
            slug,
            title=item["title"],
            date=str(item["date"]),
            annotation=item.get("annotation", "").strip(),
            is_turning_point=item.get("turning_point", False),
            status=Event.Status.DRAFT,
        )
        if event is None:
            continue
        event.actors.set([actors[name] for name in item.get("actors", [])])
        event.themes.set([themes[name] for name in item.get("themes", [])])
        if timeline is not None:
            event.timelines.add(timeline)
        for ordinal, cited in enumerate(item.get("citations", []), start=1):
            if _citation_load(event, ordinal, cited, sources=sources, problems=problems):
                created["citations"] += 1
        if item.get("status", Event.Status.PUBLISHED) == Event.Status.PUBLISHED:
            try:
                event_publish(event=event)
            except ValidationError as exc:
                problems.append(f"event {slug}: {validation_error_text(exc)}")
    if problems:
        raise TimelineDataError(f"{path}: {len(problems)} problem(s), nothing loaded:\n" + "\n".join(problems))
    return created


def _timeline_load(item, *, create):
    """The file's timeline (created when new, published: its events are published one by one), or None when it names none."""
    if not item:
        return None
    fields = {
        "title": item["title"], "intro": item.get("intro", "").strip(), "language": item.get("language", "en"),
        "direction": item.get("direction", Timeline.Direction.LTR), "status": Timeline.Status.PUBLISHED,
        "is_default": bool(item.get("default")) or not Timeline.objects.exists(),
    }  # fmt: skip
    return create(Timeline, item["slug"], **fields) or Timeline.objects.filter(slug=item["slug"]).first()


def _citation_load(event, ordinal, cited, *, sources, problems):
    source = sources.get(cited["source"])
    if source is None:
        problems.append(f"event {event.slug}: source {cited['source']} is not imported; import it first.")
        return None
    passage = citation_passage_find(source=source, quote=cited["quote"], ordinal=cited.get("passage"))
    if passage is None:
        problems.append(f"event {event.slug}: quote not found in {source.slug}: “{cited['quote'][:80]}”.")
        return None
    start, end, prefix, suffix = quote_anchor(passage, cited["quote"])
    citation = Citation(
        event=event, passage=passage, ordinal=ordinal, quote=cited["quote"], start=start, end=end,
        prefix=prefix, suffix=suffix, stance=cited.get("stance", Citation.Stance.SUPPORTS), note=cited.get("note", "").strip(),
        claimed_date=str(cited.get("claimed_date", "")),
    )  # fmt: skip
    try:
        citation.full_clean()
    except ValidationError as exc:
        problems.append(f"event {event.slug}: citation {ordinal}: {validation_error_text(exc)}")
        return None
    citation.save()
    return citation


# --- Timelines from TimelineJS -------------------------------------------------------------------


def _fields_set(obj, fields):
    """Set `fields` on `obj`; whether any value changed (an unchanged object is not saved again)."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _imported_save(obj, fields, *, noun, where, counts, problems):
    """
    Set `fields` on an event or period of a TimelineJS file and save it when it is new or changed,
    counting "<noun> created" or "<noun> updated"; False when it is invalid (the problem is recorded).
    Its date bounds are derived on save, so they are not checked before.
    """
    is_new = obj.pk is None
    if not (_fields_set(obj, fields) or is_new):
        return True
    try:
        obj.full_clean(exclude=["date_lower", "date_upper", "date_precision"])
    except ValidationError as exc:
        problems.append(f"{where}: {validation_error_text(exc)}")
        return False
    obj.save()
    counts[f"{noun} {'created' if is_new else 'updated'}"] += 1
    return True


@transaction.atomic
def timeline_timelinejs_import(*, plan, slug: str, progress=iter) -> Counter:
    """
    Write a TimelineJS plan (timeline.timelinejs) as the timeline `slug`: created as a draft, or
    updated when it exists. Its events are matched by slug (the file's unique_id): new ones are drafts
    (an editor attaches citations, then publishes), existing ones keep their status, citations, actors
    and uploaded images. Groups become themes, eras periods, media links. All or nothing: every
    problem is collected and raised together (timeline.timelinejs.TimelineJSRefused), and nothing is
    written. Re-importing the same file changes nothing. Returns what was created and updated.
    """
    counts, problems = Counter(), []
    timeline = Timeline.objects.filter(slug=slug).first()
    if timeline is None:
        timeline = Timeline(slug=slug, status=Timeline.Status.DRAFT)
    if _fields_set(timeline, {"title": plan.title or timeline.title or slug, "intro": plan.intro or timeline.intro}):
        try:
            timeline.full_clean()
        except ValidationError as exc:
            raise TimelineJSRefused([f"timeline {slug}: {validation_error_text(exc)}"]) from None
        counts["timeline created" if timeline.pk is None else "timeline updated"] += 1
        timeline.save()

    found = {
        event.slug: event for event in Event.objects.filter(slug__in=_planned_slugs(plan.events)).select_related("media_item")
    }
    mine = set(
        Event.timelines.through.objects.filter(timeline=timeline, event__in=found.values()).values_list("event_id", flat=True)
    )
    events = _imported_matches(plan.events, found, ours=mine)
    found_periods = {period.slug: period for period in Period.objects.filter(slug__in=_planned_slugs(plan.periods))}
    periods = _imported_matches(plan.periods, found_periods)
    for item in plan.events:
        other = events.get(item.slug)
        if other is not None and other.pk not in mine:
            problems.append(
                f"{item.where}: the slug “{item.slug}” is taken by an event of another timeline (“{other.title}”). "
                "Give this event a different unique_id."
            )
    for item in plan.periods:
        other = periods.get(item.slug)
        if other is not None and other.date != item.date and not other.timelines.filter(pk=timeline.pk).exists():
            problems.append(
                f"{item.where}: a period “{other.slug}” with other dates ({other.date_display}) exists already. "
                "Rename the era, or give it the same dates to share that period."
            )
    if problems:
        raise TimelineJSRefused(problems)

    themes = _group_themes(plan, counts)
    for item in progress(plan.events):
        event = events.get(item.slug) or Event(slug=item.slug, status=Event.Status.DRAFT)
        fields = {"title": item.title, "date": item.date, "annotation": item.annotation, "display_date": item.display_date}
        if event.slug != item.slug and event_slug_follows_title(event) and item.slug not in found:
            fields["slug"] = item.slug  # found by its former slug, and no reader has a link to it yet: it may read well now
        is_new = event.pk is None
        if not _imported_save(event, fields, noun="events", where=item.where, counts=counts, problems=problems):
            continue
        if is_new or event.pk not in mine:
            event.timelines.add(timeline)
        if item.group and (is_new or not event.themes.filter(pk=themes[item.group].pk).exists()):
            event.themes.add(themes[item.group])
        if item.media is not None:
            _media_link_set(event, item, counts, problems)
    for item in plan.periods:
        period = periods.get(item.slug) or Period(slug=item.slug)
        is_new = period.pk is None
        fields = {"name": item.name, "date": item.date, "description": item.description}
        if not _imported_save(period, fields, noun="periods", where=item.where, counts=counts, problems=problems):
            continue
        if is_new or not period.timelines.filter(pk=timeline.pk).exists():
            period.timelines.add(timeline)
    if problems:
        raise TimelineJSRefused(problems)  # the transaction is rolled back: nothing was written
    counts["events"] = len(plan.events)
    return counts


def _planned_slugs(items):
    return {slug for item in items for slug in (item.slug, item.former_slug) if slug}


def _imported_matches(items, found, *, ours=None):
    """
    The existing row (of `found`, by slug) each planned item updates, by the item's slug: the row with
    its slug, else the row with its former slug (a file imported before slugs kept their dashes), a
    row matched once only. With `ours` (the pks of the rows the timeline holds), a former slug finds
    only one of those, and they are matched first; a row of `found` that is not ours is still matched
    by its slug, so the caller can refuse to take it over.
    """
    matches, claimed = {}, set()
    for attribute, only_ours in (("slug", True), ("former_slug", True), ("slug", False)):
        for item in items:
            row = found.get(getattr(item, attribute))
            if (
                item.slug in matches
                or row is None
                or row.pk in claimed
                or (only_ours and ours is not None and row.pk not in ours)
            ):
                continue
            matches[item.slug] = row
            claimed.add(row.pk)
    return matches


def _group_themes(plan, counts):
    """The theme of each group the file names: found by its slug (or the one an earlier import gave it), else created."""
    slugs = {
        item.group: (
            imported_slug(item.group, max_length=THEME_SLUG_MAX_LENGTH) or "group",
            imported_slug_former(item.group, max_length=THEME_SLUG_MAX_LENGTH) or "group",
        )
        for item in plan.events
        if item.group
    }
    found = {theme.slug: theme for theme in Theme.objects.filter(slug__in={slug for pair in slugs.values() for slug in pair})}
    themes = {}
    for group, (slug, former_slug) in slugs.items():
        themes[group] = found.get(slug) or found.get(former_slug)
        if themes[group] is None:
            themes[group] = found[slug] = Theme.objects.create(slug=slug, name=group)
            counts["themes created"] += 1
    return themes


def _media_link_set(event, item, counts, problems):
    """The file's media as the event's link; an image an editor uploaded is never replaced by a link."""
    try:
        media = event.media_item
    except EventMedia.DoesNotExist:
        media = EventMedia(event=event, kind=EventMedia.Kind.LINK)
    if media.kind == EventMedia.Kind.IMAGE and media.pk is not None:
        return
    fields = {"url": item.media.url, "credit": item.media.credit, "caption": item.media.caption}
    if _fields_set(media, fields) or media.pk is None:
        try:
            media.full_clean()
        except ValidationError as exc:
            problems.append(f"{item.where}: media: {validation_error_text(exc)}")
            return
        media.save()
        counts["media links"] += 1

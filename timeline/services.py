"""
The editorial service layer: every write that changes what readers see goes through one of these
functions — publishing, unpublishing and deleting events, deleting and reviewing citations,
dismissing candidates, making an event from a candidate, re-anchoring citations after a source is
re-imported, loading a curated timeline. The admin, the API and the management commands call them.
Each writes through save() or delete(), so django-simple-history records it, and timeline.receivers
moves the HTTP validators when its transaction commits.
"""

from collections import Counter
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator, slugify

from sources.anchoring import quote_anchor
from sources.models import DateMention, Passage, PassageRole, Source
from sources.reanchor import NewText, OldAnchor
from sources.validation import validation_error_text
from timeline.models import Actor, Citation, Event, Period, Theme


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
    """Delete `event` and its citations; the history keeps both."""
    event.delete()


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
    passage = mention.passage
    sentence = mention.sentence.strip() or passage.text
    title = Truncator(sentence).chars(120)
    base = slugify(Truncator(sentence).words(8, truncate=""))[:60].strip("-") or "event"
    slug = f"{base}-{mention.pk}"
    suffix = 1
    while Event.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{mention.pk}-{suffix}"
    event = Event(title=title, slug=slug, date=mention.edtf, status=Event.Status.DRAFT)
    event.full_clean()
    event.save()
    citation = Citation(
        event=event, passage=passage, quote=sentence, start=mention.sentence_start, stance=Citation.Stance.SUPPORTS
    )
    citation.end = citation.start + len(sentence)
    citation.full_clean()
    citation.save()
    return event


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

    for item in data.get("actors", []):
        create(Actor, item["slug"], name=item["name"], kind=item.get("kind", Actor.Kind.STATE))
    for item in data.get("themes", []):
        create(Theme, item["slug"], name=item["name"], description=item.get("description", ""))
    for item in data.get("periods", []):
        create(Period, item["slug"], name=item["name"], date=str(item["date"]), description=item.get("description", "").strip())

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

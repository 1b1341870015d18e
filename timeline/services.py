"""Writes that span events, citations and passages: loading a curated timeline kept as data."""

from collections import Counter
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.anchoring import quote_anchor
from sources.models import PassageRole, Source
from timeline.models import Actor, Citation, Event, Period, Theme


class TimelineDataError(Exception):
    """A timeline data file that cannot be loaded; the message lists every problem."""


def _validation_text(exc):
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def citation_passage_find(*, source, quote, ordinal=None):
    """The passage of `source` that holds `quote`: the one numbered `ordinal`, else the first citable one."""
    passages = source.passages.all()
    if ordinal is not None:
        passages = passages.filter(ordinal=ordinal)
    matches = [passage for passage in passages if quote in passage.text]
    matches.sort(key=lambda passage: passage.role == PassageRole.BOILERPLATE)
    return matches[0] if matches else None


@transaction.atomic
def timeline_load(*, path):
    """
    Load actors, themes, periods and events with their citations from a YAML file. Objects are
    matched by slug and only created, never overwritten, so editors' changes survive a second load.
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
            problems.append(f"{model._meta.verbose_name} {slug}: {_validation_text(exc)}")
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
        citations = item.get("citations", [])
        status = item.get("status", Event.Status.PUBLISHED)
        if status == Event.Status.PUBLISHED and not citations:
            problems.append(f"event {slug}: published without a citation; attach evidence or make it a draft.")
            continue
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
            status=status,
        )
        if event is None:
            continue
        event.actors.set([actors[name] for name in item.get("actors", [])])
        event.themes.set([themes[name] for name in item.get("themes", [])])
        for ordinal, cited in enumerate(citations, start=1):
            source = sources.get(cited["source"])
            if source is None:
                problems.append(f"event {slug}: source {cited['source']} is not imported; import it first.")
                continue
            passage = citation_passage_find(source=source, quote=cited["quote"], ordinal=cited.get("passage"))
            if passage is None:
                problems.append(f"event {slug}: quote not found in {source.slug}: “{cited['quote'][:80]}”.")
                continue
            start, end, prefix, suffix = quote_anchor(passage, cited["quote"])
            citation = Citation(
                event=event, passage=passage, ordinal=ordinal, quote=cited["quote"], start=start, end=end,
                prefix=prefix, suffix=suffix, stance=cited.get("stance", Citation.Stance.SUPPORTS), note=cited.get("note", "").strip(),
            )  # fmt: skip
            try:
                citation.full_clean()
            except ValidationError as exc:
                problems.append(f"event {slug}: citation {ordinal}: {_validation_text(exc)}")
                continue
            citation.save()
            created["citations"] += 1
    if problems:
        raise TimelineDataError(f"{path}: {len(problems)} problem(s), nothing loaded:\n" + "\n".join(problems))
    return created


@transaction.atomic
def event_from_mention_create(*, mention):
    """
    A draft event dated as a date mention says, citing the mention's sentence in its passage: the
    one click from a candidate to an event the editor then titles, annotates and publishes.
    """
    from django.utils.text import Truncator, slugify

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

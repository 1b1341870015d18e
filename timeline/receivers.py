"""
What the timeline layer does when something below or beside it changes: citations follow a
re-import's new passages, and every write to what readers see moves the HTTP validators.

The validators (timeline.caching) are right by construction: rather than each write path
remembering to move the content version, a receiver does it for every save and delete of the
models readers, the API, the exports, the widget, the feed and the sitemap show — whether the write
comes from a service, an admin form, the API, a command or the shell — and for changes to events'
actors, themes and timelines (and periods' timelines). Only writes that send no signals need an explicit content_changed():
QuerySet.update() and bulk_create(). There are two: a re-import (sources.importing bulk-creates
passages; it also saves the Source, but the receiver of passages_replaced says so on its own) and a
backup restored (timeline.backup). Date mentions and source versions are not shown to readers: a
dismissed candidate moves the version (it is a save), but deleting mentions is left to the
database's fast delete, which a delete receiver would disable.

The kept tallies (timeline.tallies) follow the same writes, in the same transaction: an event saved,
deleted or relinked (either side of its actors, themes and timelines), a citation saved, moved or
deleted, an actor, theme or source deleted (the cascade removes links and sends no m2m_changed:
their events are read before and refreshed after). A timeline deleted takes its tallies
and snapshots with it. Writes that send no signals refresh or rebuild explicitly (timeline.synthetic,
a re-import below).
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver

from sources.models import DateMention, Passage, Source
from sources.signals import passages_replaced
from timeline.caching import content_changed
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline
from timeline.services import citations_reanchor
from timeline.tallies import tallies_forget, tallies_refresh

# Saved or deleted, these change what some reader, API client, export, widget, feed or sitemap sees.
CONTENT_MODELS = (Event, Citation, Actor, Theme, Period, Timeline, Source, Passage, EventMedia)
# Saved only through save() by the editors (a candidate dismissed); bulk-created and deleted by imports.
SAVED_CONTENT_MODELS = (DateMention,)


@receiver(passages_replaced, dispatch_uid="timeline.citations_follow_passages")
def citations_follow_passages(sender, *, source, new_passages, **kwargs):
    """A re-import replaced the passages of `source`: its citations move into the new ones (or are orphaned)."""
    using = source._state.db
    content_changed(using=using)  # the passages were bulk-created: no post_save was sent
    cited_by = set(Citation.objects.using(using).filter(passage__source=source).values_list("event_id", flat=True))
    outcomes = citations_reanchor(source=source, new_passages=new_passages)
    tallies_refresh(cited_by, using=using)  # orphaned citations no longer count for the source
    return outcomes


def content_written(sender, *, using=None, **kwargs):
    """A row readers may see was saved or deleted: the validators move when the transaction commits."""
    content_changed(using=using)


def content_relations_written(sender, *, action, using=None, **kwargs):
    """An event's actors, themes or timelines, or a period's timelines, changed (either side of the relation)."""
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed(using=using)


def content_receivers_connect():
    """Connect the receivers that move the validators (TimelineConfig.ready)."""
    for model in CONTENT_MODELS + SAVED_CONTENT_MODELS:
        post_save.connect(content_written, sender=model, dispatch_uid=f"timeline.content_saved.{model._meta.label}")
    for model in CONTENT_MODELS:
        post_delete.connect(content_written, sender=model, dispatch_uid=f"timeline.content_deleted.{model._meta.label}")
    for through in (Event.actors.through, Event.themes.through, Event.timelines.through, Period.timelines.through):
        m2m_changed.connect(
            content_relations_written, sender=through, dispatch_uid=f"timeline.content_related.{through._meta.label}"
        )


# --- Kept tallies ----------------------------------------------------------------------------------


def tallies_event_saved(sender, *, instance, using=None, raw=False, **kwargs):
    if not raw:
        tallies_refresh([instance.pk], using=using)


def tallies_event_deleting(sender, *, instance, using=None, **kwargs):
    """Subtract the event while its snapshots still exist (the delete cascades to them)."""
    tallies_forget([instance.pk], using=using)


def _is_event_delete(origin):
    return isinstance(origin, Event) or (isinstance(origin, QuerySet) and origin.model is Event)


def tallies_citation_loaded(sender, *, instance, **kwargs):
    """Remember the event a citation was read with: moved to another one, both are refreshed."""
    instance._tallied_event_id = instance.__dict__.get("event_id")


def tallies_citation_saved(sender, *, instance, using=None, raw=False, **kwargs):
    if raw:
        return
    tallies_refresh([instance.event_id, getattr(instance, "_tallied_event_id", None)], using=using)
    instance._tallied_event_id = instance.event_id


def tallies_citation_deleted(sender, *, instance, using=None, origin=None, **kwargs):
    if not _is_event_delete(origin):  # deleting the event already took it out of every tally
        tallies_refresh([instance.event_id], using=using)


def tallies_relations_changed(sender, *, instance, action, reverse, pk_set, using=None, **kwargs):
    """An event's actors, themes or timelines changed, from the event's side or the other (`reverse`: pk_set are events)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            tallies_refresh([instance.pk], using=using)
        return
    if action == "pre_clear":  # the links are gone by post_clear: read their events now
        other = next(field.name for field in sender._meta.get_fields() if field.is_relation and field.name != "event")
        links = sender.objects.using(using).filter(**{other: instance})
        instance._tallied_events = list(links.values_list("event_id", flat=True))
    elif action in ("post_add", "post_remove"):
        tallies_refresh(pk_set or (), using=using)
    elif action == "post_clear":
        tallies_refresh(getattr(instance, "_tallied_events", ()), using=using)


# What an event is counted under through each model; deleting one removes those links without m2m_changed.
# Not passages: a cited passage cannot be deleted (Citation.passage protects it), and a re-import deletes
# thousands of uncited ones, which would each cost a query here.
TALLIED_LINKS = {
    Actor: (Event.actors.through, "actor"),
    Theme: (Event.themes.through, "theme"),
    Source: (Citation, "passage__source"),
}


def tallies_label_deleting(sender, *, instance, using=None, **kwargs):
    link, column = TALLIED_LINKS[sender]
    instance._tallied_events = list(link.objects.using(using).filter(**{column: instance}).values_list("event_id", flat=True))


def tallies_label_deleted(sender, *, instance, using=None, **kwargs):
    tallies_refresh(getattr(instance, "_tallied_events", ()), using=using)


def tallies_receivers_connect():
    """Connect the receivers that keep the tallies (TimelineConfig.ready)."""
    post_save.connect(tallies_event_saved, sender=Event, dispatch_uid="timeline.tallies.event_saved")
    pre_delete.connect(tallies_event_deleting, sender=Event, dispatch_uid="timeline.tallies.event_deleting")
    post_init.connect(tallies_citation_loaded, sender=Citation, dispatch_uid="timeline.tallies.citation_loaded")
    post_save.connect(tallies_citation_saved, sender=Citation, dispatch_uid="timeline.tallies.citation_saved")
    post_delete.connect(tallies_citation_deleted, sender=Citation, dispatch_uid="timeline.tallies.citation_deleted")
    for through in (Event.actors.through, Event.themes.through, Event.timelines.through):
        m2m_changed.connect(
            tallies_relations_changed, sender=through, dispatch_uid=f"timeline.tallies.related.{through._meta.label}"
        )
    for model in TALLIED_LINKS:
        pre_delete.connect(tallies_label_deleting, sender=model, dispatch_uid=f"timeline.tallies.deleting.{model._meta.label}")
        post_delete.connect(tallies_label_deleted, sender=model, dispatch_uid=f"timeline.tallies.deleted.{model._meta.label}")

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
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from sources.models import DateMention, Passage, Source
from sources.signals import passages_replaced
from timeline.caching import content_changed
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline
from timeline.services import citations_reanchor

# Saved or deleted, these change what some reader, API client, export, widget, feed or sitemap sees.
CONTENT_MODELS = (Event, Citation, Actor, Theme, Period, Timeline, Source, Passage, EventMedia)
# Saved only through save() by the editors (a candidate dismissed); bulk-created and deleted by imports.
SAVED_CONTENT_MODELS = (DateMention,)


@receiver(passages_replaced, dispatch_uid="timeline.citations_follow_passages")
def citations_follow_passages(sender, *, source, new_passages, **kwargs):
    """A re-import replaced the passages of `source`: its citations move into the new ones (or are orphaned)."""
    content_changed(using=source._state.db)  # the passages were bulk-created: no post_save was sent
    return citations_reanchor(source=source, new_passages=new_passages)


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

"""What the timeline layer does when the sources layer below it announces a change."""

from django.dispatch import receiver

from sources.signals import passages_replaced
from timeline.services import citations_reanchor


@receiver(passages_replaced, dispatch_uid="timeline.citations_follow_passages")
def citations_follow_passages(sender, *, source, new_passages, **kwargs):
    """A re-import replaced the passages of `source`: its citations move into the new ones (or are orphaned)."""
    return citations_reanchor(source=source, new_passages=new_passages)

"""Who sees what: drafts are for editors only."""


def can_see_drafts(user):
    """Editors see drafts: staff, or users allowed to view events."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("timeline.view_event")))

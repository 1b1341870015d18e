"""Who sees what: drafts are for editors only."""

# The reader's pages show drafts to an editor who asks (?drafts=1, the "Show drafts" toggle); the
# event page shows a draft to any editor ("View on site" from the admin). Where drafts show, the
# response is private and never stored (timeline.caching.drafts_never_stored).
DRAFTS_PARAMETER = "drafts"


def drafts_requested(request):
    """Whether this request asks for drafts and may see them: an editor with ?drafts=1."""
    return request.GET.get(DRAFTS_PARAMETER) == "1" and can_see_drafts(request.user)


def can_see_drafts(user):
    """Editors see drafts: staff, or users allowed to view events."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("timeline.view_event")))

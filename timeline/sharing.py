"""
Query strings of timeline URLs, shared by the page, the widget and the panels: the filter parameters
of a URL, the widget's options, and the links and snippets of the "Download" and "Embed this view" panels.
"""

from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from timeline.exports import EXPORT_RENDERERS, timeline_title
from timeline.filters import EventFilter
from timeline.models import Theme
from timeline.permissions import drafts_requested

EMBED_DEFAULT_LIMIT = 20
EMBED_MAX_LIMIT = 100
SCHEMES = ("auto", "light", "dark")
DOWNLOAD_LABELS = {
    "csv": "CSV (spreadsheet)",
    "ics": "iCalendar (calendar apps)",
    "timelinejs": "TimelineJS JSON",
    "csljson": "CSL-JSON (Zotero, citation managers)",
    "bibtex": "BibTeX (LaTeX)",
}
EXPORT_FORMATS = [renderer.format for renderer in EXPORT_RENDERERS]


def query_clean(query_dict, drop=("page",)):
    """The query string without empty values (what a submitted form adds) and without `drop`."""
    return urlencode([(key, value) for key, values in query_dict.lists() if key not in drop for value in values if value.strip()])


def filter_query(query):
    """
    The EventFilter parameters of `query` (a QueryDict), empty values dropped: what the page, the
    widget, the exports and the API all understand. Pagination, format and widget options are not in it.
    """
    names = EventFilter.base_filters.keys()
    pairs = [(name, value) for name in names for value in query.getlist(name) if value.strip()]
    result = QueryDict(mutable=True)
    for name, value in pairs:
        result.appendlist(name, value)
    return result


def timeline_filter_query(query, timeline):
    """filter_query(query) for `timeline`'s events: its slug first, whatever `timeline` the query named."""
    result = QueryDict(mutable=True)
    result["timeline"] = timeline.slug
    for name, values in filter_query(query).lists():
        if name != "timeline":
            result.setlist(name, values)
    return result


def embed_options(query):
    """(filter parameters, colour scheme, event limit) of a widget URL's query."""
    filters = filter_query(query)
    scheme = query.get("scheme", "")
    # `theme=light|dark` also names the colour scheme (as in early snippets), unless a theme has that slug.
    named = [value for value in filters.getlist("theme") if value in ("light", "dark")]
    if named and not Theme.objects.filter(slug__in=named).exists():
        filters.setlist("theme", [value for value in filters.getlist("theme") if value not in named])
        if not filters.getlist("theme"):
            del filters["theme"]
        scheme = scheme or named[-1]
    try:
        limit = int(query.get("limit", EMBED_DEFAULT_LIMIT))
    except ValueError:
        limit = EMBED_DEFAULT_LIMIT
    limit = min(max(limit, 1), EMBED_MAX_LIMIT)
    # Light unless the embedder asks: a widget sits in someone else's page, whose scheme it cannot know.
    return filters, scheme if scheme in SCHEMES else "light", limit


WIDGET_VIEWS = ("axis", "list", "story")
WIDGET_TITLE_MAX = 200


def widget_options(query):
    """The widget's own options besides filters, scheme and limit: view (axis, list or story) and title."""
    view = query.get("view", "")
    return {"view": view if view in WIDGET_VIEWS else "axis", "title": query.get("title", "").strip()[:WIDGET_TITLE_MAX]}


def widget_query(filters, scheme, limit, view="axis", title=""):
    query = filters.copy()
    if scheme != "light":
        query["scheme"] = scheme
    if limit != EMBED_DEFAULT_LIMIT:
        query["limit"] = str(limit)
    if view != "axis":
        query["view"] = view
    if title:
        query["title"] = title
    return query.urlencode()


def url_with_query(path, query):
    return f"{path}?{query}" if query else path


def share_context(request, timeline=None):
    """Links and snippets for a timeline page's "Download" and "Embed this view" panels: `timeline`'s events, filtered."""
    filters = filter_query(request.GET) if timeline is None else timeline_filter_query(request.GET, timeline)
    query = filters.urlencode()
    events_api = reverse("api:event-list")
    downloads = [
        {"format": renderer.format, "label": DOWNLOAD_LABELS.get(renderer.format, renderer.format),
         "url": url_with_query(events_api, urlencode([("format", renderer.format)]) + (f"&{query}" if query else ""))}
        for renderer in EXPORT_RENDERERS
    ]  # fmt: skip
    attributes = "".join(
        f' data-{name.replace("_", "-")}="{escape(" ".join(filters.getlist(name)) if name in ("actor", "theme", "source") else filters.getlist(name)[-1])}"'
        for name in filters
    )
    widget_src = request.build_absolute_uri(url_with_query(reverse("embed_timeline"), query))
    script_snippet = (
        f'<div data-citeline{attributes} data-limit="{EMBED_DEFAULT_LIMIT}"></div>\n'
        f'<script src="{escape(request.build_absolute_uri(reverse("embed_script")))}" async></script>'
    )
    iframe_snippet = (
        f'<iframe src="{escape(widget_src)}" title="{escape(timeline.title if timeline else timeline_title())}" width="100%" height="600" '
        'loading="lazy" style="border:0"></iframe>'
    )
    return {
        "query": query,
        "downloads": downloads,
        "json_url": url_with_query(events_api, query),
        # The preview beside the snippets shows drafts too when the page does; the snippets never ask for them.
        "widget_url": url_with_query(reverse("embed_timeline"), query + ("&" if query else "") + "drafts=1")
        if drafts_requested(request)
        else url_with_query(reverse("embed_timeline"), query),
        "script_snippet": script_snippet,
        "iframe_snippet": iframe_snippet,
    }

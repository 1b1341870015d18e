"""
Embedding: the compact widget page (/embed/timeline/), the script that turns `<div data-citeline>`
into widgets (/embed.js), oEmbed for content management systems (/oembed), and the links and
snippets of the timeline page's "Download" and "Embed this view" panels.

The widget is filtered by the shared EventFilter, reads nothing of the visitor's session (no cookie,
no Vary: Cookie, so a CDN can carry it) and may be framed by any site.
"""

import hashlib
import os
from functools import cache
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape, format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from timeline.exports import EXPORT_RENDERERS, timeline_title
from timeline.filters import EventFilter
from timeline.middleware import cache_headers, cache_validators, not_modified
from timeline.models import Event, Theme

EMBED_DEFAULT_LIMIT = 20
EMBED_MAX_LIMIT = 100
SCHEMES = ("auto", "light", "dark")
OEMBED_DEFAULT_SIZE = (600, 600)
EMBED_SCRIPT = "citeline/embed.js"
# The widget may be framed by any site; every other page by none (settings.CONTENT_SECURITY_POLICY).
FRAME_ANY_ORIGIN = {"frame-ancestors": ["*"]}
DOWNLOAD_LABELS = {
    "csv": "CSV (spreadsheet)",
    "ics": "iCalendar (calendar apps)",
    "timelinejs": "TimelineJS JSON",
    "csljson": "CSL-JSON (Zotero, citation managers)",
    "bibtex": "BibTeX (LaTeX)",
}


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
    return filters, scheme if scheme in SCHEMES else "auto", limit


def _widget_query(filters, scheme, limit):
    query = filters.copy()
    if scheme != "auto":
        query["scheme"] = scheme
    if limit != EMBED_DEFAULT_LIMIT:
        query["limit"] = str(limit)
    return query.urlencode()


def _url(path, query):
    return f"{path}?{query}" if query else path


def _public(response, *, etag, last_modified):
    cache_headers(response, etag=etag, last_modified=last_modified)
    return response


@xframe_options_exempt
@csp_replace(FRAME_ANY_ORIGIN)
@require_safe
def embed_timeline(request):
    """The widget: the filtered events, compact, self-contained, framable by any site."""
    etag, last_modified = cache_validators(request)
    response = not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        filters, scheme, limit = embed_options(request.GET)
        filterset = EventFilter(filters, queryset=Event.objects.published().for_reader())
        events, total = [], 0
        if filterset.is_valid():
            queryset = filterset.qs.order_by("date_lower", "date_upper", "title", "pk")
            total = queryset.count()
            events = list(queryset[:limit])
        query = filters.urlencode()
        context = {
            "events": events,
            "total": total,
            "errors": filterset.errors,
            "scheme": scheme,
            "title": timeline_title(),
            "site_url": request.build_absolute_uri(_url(reverse("timeline:index"), query)),
        }
        response = render(request, "embed/timeline.html", context)
    return _public(response, etag=etag, last_modified=last_modified)


@cache
def _script(path, mtime):
    content = open(path, "rb").read()
    return content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


@require_safe
def embed_script(request):
    """/embed.js, served at a stable address from the static file, with validators and caching headers."""
    path = finders.find(EMBED_SCRIPT)
    if path is None:
        raise Http404("embed.js is missing from the static files.")
    content, etag = _script(path, os.stat(path).st_mtime_ns)
    response = not_modified(request, etag=etag, last_modified=None)
    if response is None:
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response, etag=etag, last_modified=None)


def _site_hosts(request):
    hosts = {request.get_host().lower()}
    hosts.update(host.lower() for host in settings.ALLOWED_HOSTS if host and not host.startswith(".") and host != "*")
    return hosts


def _positive(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@require_safe
def oembed(request):
    """oEmbed 1.0 (JSON, type rich) for URLs of the timeline page or the widget on this site."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is offered.", status=501, content_type="text/plain; charset=utf-8")
    url = urlsplit(request.GET.get("url", ""))
    if url.scheme not in ("http", "https") or not url.hostname:
        raise Http404("Give the URL of a Citeline timeline on this site: url=https://…/?actor=…")
    if url.netloc.lower() not in _site_hosts(request) and url.hostname.lower() not in _site_hosts(request):
        raise Http404("This URL is not on this site.")
    try:
        match = resolve(url.path or "/")
    except Resolver404:
        raise Http404("This URL is not a timeline on this site.") from None
    if match.view_name not in ("timeline:index", "embed_timeline"):
        raise Http404("Only timeline URLs can be embedded.")

    etag, last_modified = cache_validators(request)
    response = not_modified(request, etag=etag, last_modified=last_modified)
    if response is not None:
        return _public(response, etag=etag, last_modified=last_modified)
    filters, scheme, limit = embed_options(QueryDict(url.query))
    width, height = OEMBED_DEFAULT_SIZE
    width = min(width, _positive(request.GET.get("maxwidth")) or width)
    height = min(height, _positive(request.GET.get("maxheight")) or height)
    title = timeline_title()
    src = request.build_absolute_uri(_url(reverse("embed_timeline"), _widget_query(filters, scheme, limit)))
    html = format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy" style="border:0;max-width:100%"></iframe>',
        src, title, width, height,
    )  # fmt: skip
    data = {
        "type": "rich",
        "version": "1.0",
        "title": title,
        "provider_name": "Citeline",
        "provider_url": request.build_absolute_uri(reverse("timeline:index")),
        "cache_age": 300,
        "html": str(html),
        "width": width,
        "height": height,
    }
    return _public(JsonResponse(data), etag=etag, last_modified=last_modified)


def share_context(request):
    """Links and snippets for the timeline page's "Download" and "Embed this view" panels."""
    filters = filter_query(request.GET)
    query = filters.urlencode()
    events_api = reverse("api:event-list")
    downloads = [
        {"format": renderer.format, "label": DOWNLOAD_LABELS.get(renderer.format, renderer.format),
         "url": _url(events_api, urlencode([("format", renderer.format)]) + (f"&{query}" if query else ""))}
        for renderer in EXPORT_RENDERERS
    ]  # fmt: skip
    attributes = "".join(
        f' data-{name.replace("_", "-")}="{escape(" ".join(filters.getlist(name)) if name in ("actor", "theme", "source") else filters.getlist(name)[-1])}"'
        for name in filters
    )
    widget_src = request.build_absolute_uri(_url(reverse("embed_timeline"), query))
    script_snippet = (
        f'<div data-citeline{attributes} data-limit="{EMBED_DEFAULT_LIMIT}"></div>\n'
        f'<script src="{escape(request.build_absolute_uri(reverse("embed_script")))}" async></script>'
    )
    iframe_snippet = (
        f'<iframe src="{escape(widget_src)}" title="{escape(timeline_title())}" width="100%" height="600" '
        'loading="lazy" style="border:0"></iframe>'
    )
    return {
        "query": query,
        "downloads": downloads,
        "json_url": _url(events_api, query),
        "widget_url": _url(reverse("embed_timeline"), query),
        "script_snippet": script_snippet,
        "iframe_snippet": iframe_snippet,
    }

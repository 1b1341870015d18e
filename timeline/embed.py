"""
Embedding: the compact widget page (/embed/timeline/), the script that turns `<div data-citeline>`
into widgets (/embed.js) and oEmbed for content management systems (/oembed). The panels' links and
snippets are timeline.sharing.

The widget is filtered by the shared EventFilter, reads nothing of the visitor's session (no cookie,
no Vary: Cookie, so a CDN can carry it) and may be framed by any site.
"""

import hashlib
import os
from functools import cache
from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from timeline.caching import cache_headers, cache_validators, not_modified
from timeline.exports import timeline_title
from timeline.filters import EventFilter
from timeline.models import Event
from timeline.sharing import embed_options, url_with_query, widget_query

OEMBED_DEFAULT_SIZE = (600, 600)
EMBED_SCRIPT = "citeline/embed.js"
# The widget may be framed by any site; every other page by none (settings.CONTENT_SECURITY_POLICY).
FRAME_ANY_ORIGIN = {"frame-ancestors": ["*"]}


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
            "site_url": request.build_absolute_uri(url_with_query(reverse("timeline:index"), query)),
        }
        response = render(request, "embed/timeline.html", context)
    return cache_headers(response, etag=etag, last_modified=last_modified)


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
    return cache_headers(response, etag=etag, last_modified=None)


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
        return cache_headers(response, etag=etag, last_modified=last_modified)
    filters, scheme, limit = embed_options(QueryDict(url.query))
    width, height = OEMBED_DEFAULT_SIZE
    width = min(width, _positive(request.GET.get("maxwidth")) or width)
    height = min(height, _positive(request.GET.get("maxheight")) or height)
    title = timeline_title()
    src = request.build_absolute_uri(url_with_query(reverse("embed_timeline"), widget_query(filters, scheme, limit)))
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
    return cache_headers(JsonResponse(data), etag=etag, last_modified=last_modified)

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
from django.views.decorators.vary import vary_on_headers

from timeline.axis import axis_build
from timeline.caching import (
    cache_headers,
    cache_validators,
    cached_by_version,
    drafts_never_stored,
    not_modified,
    rendered_once,
    version_key,
)
from timeline.exports import timeline_title
from timeline.filters import EventFilter
from timeline.models import Timeline
from timeline.permissions import DRAFTS_PARAMETER
from timeline.sharing import embed_options, timeline_filter_query, url_with_query, widget_options, widget_query
from timeline.tallies import tallied_timeline, tally_total

OEMBED_DEFAULT_SIZE = (600, 600)
EMBED_SCRIPT = "citeline/embed.js"
# The widget may be framed by any site; every other page by none (settings.CONTENT_SECURITY_POLICY).
FRAME_ANY_ORIGIN = {"frame-ancestors": ["*"]}


WIDGET_AXIS_MARKS = 60  # the widget's axis clusters sooner than the page's, to stay light


@xframe_options_exempt
@csp_replace(FRAME_ANY_ORIGIN)
@vary_on_headers("HX-Target")
@require_safe
def embed_timeline(request):
    """
    The widget: the filtered events, compact, self-contained, framable by any site. `timeline=<slug>`
    shows one timeline's events (all timelines' without it); an unknown or draft timeline is said, with no events.
    view=axis (the default) draws the axis above a compact list, view=list the list alone, view=story one
    event at a time; HX-Target: axis answers the axis alone (axis.js). Only with ?drafts=1 (the preview on
    the timeline page with "Show drafts") does it read the session: an editor then sees drafts (and draft
    timelines), in a response no cache keeps.
    """
    if DRAFTS_PARAMETER in request.GET:
        return drafts_never_stored(_embed_render(request))
    # The ETag names the variant (HX-Target: axis answers the axis alone); the widget never reads the
    # session, so one rendering per ETag serves every visitor.
    etag, last_modified = cache_validators(request, variant=f"HX-Target={request.headers.get('HX-Target', '')}")
    response = not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = rendered_once(request, etag, lambda: _embed_render(request), anonymous_only=False)
    return cache_headers(response, etag=etag, last_modified=last_modified)


def _embed_render(request):
    """The widget's page: the events EventFilter lets this request see (drafts only in an editor's preview)."""
    filters, scheme, limit = embed_options(request.GET)
    options = widget_options(request.GET)
    # for_reader() only on the list: the axis adds its own (story mode) and two prefetches of citations clash.
    filterset = EventFilter(filters, request=request)
    valid = filterset.is_valid()
    timeline = filterset.form.cleaned_data.get("timeline") if valid else None
    axis = None
    if options["view"] != "list":
        # The axis reads its own parameters (window, event, lanes) beside the filters.
        axis_query = filters.copy()
        for name in ("window", "event", "lanes", "view"):
            if request.GET.get(name):
                axis_query[name] = request.GET[name]
        periods = list(timeline.periods.all()) if timeline is not None else []
        axis = axis_build(
            filterset,
            query_dict=axis_query,
            timeline=timeline,
            periods=periods,
            view=options["view"],
            max_marks=WIDGET_AXIS_MARKS,
            tallies_of=None if filterset.drafts else timeline,
        )
        if request.headers.get("HX-Target") == "axis":
            return render(request, "timeline/includes/axis.html", {"axis": axis, "axis_skip_to": "list"})
    events, total = [], 0
    if valid and options["view"] != "story":
        queryset = filterset.qs.for_reader().order_by("date_lower", "date_upper", "title", "pk")
        if not filterset.drafts and tallied_timeline(filterset, timeline) is not None:
            total = tally_total(timeline)  # one timeline's published events, unfiltered: its kept tally
        elif not filterset.drafts:
            # A COUNT over every matching published event: once per content version and filters, not per request.
            total = cached_by_version(version_key("embed-total", path=request.path, params=filters), queryset.count)
        else:  # an editor's drafts preview: counted afresh, never shared
            total = queryset.count()
        events = list(queryset[:limit])
    context = {
        "events": events,
        "total": total,
        "errors": filterset.errors,
        "scheme": scheme,
        "title": options["title"] or (timeline.title if timeline else timeline_title()),
        "timeline": timeline,
        "view": options["view"],
        "axis": axis,
        "axis_skip_to": "list",
        "site_url": request.build_absolute_uri(_page_url(filters, timeline)),
    }
    return render(request, "embed/timeline.html", context)


def _page_url(filters, timeline):
    """The reader's page of a widget's view: its timeline's page (the default timeline's for none), filtered alike."""
    query = filters.copy()
    query.pop("timeline", None)
    return url_with_query(timeline.get_absolute_url() if timeline else reverse("timeline:index"), query.urlencode())


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


def _oembed_timeline(match, filters):
    """
    The published timeline a URL shows: /timelines/<slug>/'s, a `timeline` parameter's, `/`'s default;
    None for a widget URL naming none (every timeline). An unknown or draft timeline is a 404.
    """
    slug = match.kwargs.get("slug") or filters.get("timeline")
    published = Timeline.objects.published()
    if slug:
        timeline = published.filter(slug=slug).first()
        if timeline is None:
            raise Http404(f"There is no published timeline “{slug}” on this site; /timelines/ lists them.")
        return timeline
    if match.view_name == "timeline:index":
        timeline = published.filter(is_default=True).first()
        if timeline is None:
            raise Http404("This site has no published timeline yet.")
        return timeline
    return None


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
    if match.view_name not in ("timeline:index", "timeline:timeline_detail", "embed_timeline"):
        raise Http404("Only timeline URLs can be embedded.")

    etag, last_modified = cache_validators(request)
    response = not_modified(request, etag=etag, last_modified=last_modified)
    if response is not None:
        return cache_headers(response, etag=etag, last_modified=last_modified)
    filters, scheme, limit = embed_options(QueryDict(url.query))
    timeline = _oembed_timeline(match, filters)
    if timeline is not None:
        filters = timeline_filter_query(filters, timeline)
    options = widget_options(QueryDict(url.query))
    width, height = OEMBED_DEFAULT_SIZE
    width = min(width, _positive(request.GET.get("maxwidth")) or width)
    height = min(height, _positive(request.GET.get("maxheight")) or height)
    title = options["title"] or (timeline.title if timeline else timeline_title())
    src = request.build_absolute_uri(url_with_query(reverse("embed_timeline"), widget_query(filters, scheme, limit, **options)))
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
        # Not in oEmbed 1.0: the widget's views, each as a ready URL (add view=… to the url to choose one).
        "citeline_views": {
            view: request.build_absolute_uri(
                url_with_query(reverse("embed_timeline"), widget_query(filters, scheme, limit, view=view, title=options["title"]))
            )
            for view in ("axis", "list", "story")
        },
    }
    return cache_headers(JsonResponse(data), etag=etag, last_modified=last_modified)

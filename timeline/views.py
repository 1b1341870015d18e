"""
The reader: the timeline, event, passage and source pages. Each page is one template; htmx
requests get a named partial of it (django-template-partials), never a separate fragment view.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Prefetch
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from sources.models import PASSAGES_PER_PAGE, Passage, PassageRole, Source, SourceVersion
from timeline import citing
from timeline.axis import axis_build
from timeline.caching import cached_by_version, drafts_never_stored, public_for_readers, version_key
from timeline.filters import EventFilter
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline
from timeline.permissions import can_see_drafts, drafts_requested
from timeline.selectors import (
    citations_in_context,
    event_counts,
    event_facets,
    event_neighbours,
    events_page,
    key_moments,
    timeline_events,
    timelines_overview,
)
from timeline.sharing import EXPORT_FORMATS, query_clean, reader_query, timeline_filter_query, url_with_query

logger = logging.getLogger(__name__)

SORTS = {"date": "date", "relevance": "relevance"}
# Options a facet lists before its type-ahead; the type-ahead offers at most FACET_SUGGESTIONS.
FACET_LIMIT = 12
# A facet with at most this many options lists them all (a list read at a glance; past it, the page would grow with it).
FACET_ALL_UP_TO = 25
FACET_SUGGESTIONS = 20
# Event cards per page (and per "More events"): 20 keeps a page under 100 KB of HTML with room for
# annotations longer than the synthetic ones (issue 15; tests/timeline/test_page_weight.py weighs it).
EVENTS_PER_PAGE = 20
# Marks the page's axis draws one by one before it groups them into clusters (the widget's: WIDGET_AXIS_MARKS).
# A named, linked mark weighs about 160 bytes of HTML: 150 of them and a page of cards stay under 100 KB,
# where axis.MAX_MARKS (300) would weigh about 123 KB.
PAGE_AXIS_MARKS = 150
# Turning points the key-moments row shows; past that it links to all of them (the turning-points filter).
KEY_MOMENTS_LIMIT = 12
# A source page lists the events citing a passage when there are at most this many; past that, the
# passage's own page lists them.
SOURCE_BACKLINKS_LISTED = 5
# Parameters that change a page of the timeline but none of its counts.
NOT_COUNTED = ("page", "sort")


def _counts_key(request, name, *, drop=NOT_COUNTED):
    """Counts depend on the timeline (the path names it), the filters and whether the reader sees drafts, not on the page."""
    return version_key(name, path=request.path, params=request.GET, drafts=can_see_drafts(request.user), drop=drop)


def _htmx_target(request):
    """The id of the element an htmx request will swap ("results"), or None for a full page."""
    if not request.htmx or request.htmx.history_restore_request:
        return None
    # htmx 4 sends "tag#id", htmx 2 sent "id".
    return (request.htmx.target or "").rpartition("#")[2] or None


# Far past any timeline's last page, and small enough that its offset fits every database's integers.
MAX_PAGE = 10_000


def _page_number(request):
    """?page=N: 1 when missing, unreadable or below 1; a 404 past MAX_PAGE, before the number reaches the database."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:  # includes more digits than int() reads (ValueError past 4,300)
        return 1
    if number > MAX_PAGE:
        raise Http404(f"There is no page {MAX_PAGE:,}+ of the timeline.")
    return max(1, number)


def _timeline_for(request, slug):
    """
    The timeline a page shows: `slug`'s (drafts for editors only, 404 otherwise), or for `/` the
    site's default (None when there is none yet, or when it is a draft and the reader no editor).
    """
    visible = Timeline.objects.visible_to(request.user)
    if slug is None:
        return visible.filter(is_default=True).first()
    timeline = visible.filter(slug=slug).first()
    if timeline is None:
        raise Http404(f"There is no timeline “{slug}”; /timelines/ lists them.")
    return timeline


def _export_redirect(request, timeline):
    """`?format=csv` (any export) on a timeline page: the API's export of the same view, timeline included."""
    query = timeline_filter_query(request.GET, timeline)
    query["format"] = request.GET["format"]
    return HttpResponseRedirect(url_with_query(reverse("api:event-list"), query.urlencode()))


@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
@public_for_readers
@require_safe
def timeline_index(request, slug=None):
    """
    A timeline: `/` shows the site's default one, `/timelines/<slug>/` any other. Its key moments (turning
    points), filters, facet counts, the axis (whose widest zoom is the overview) and one page of events. htmx gets #results
    (filters changed), #reader (a link that also changes the form) or the next page of events
    ("more"); everyone else, the whole page. `?timeline=<slug>` leads to that timeline's page and
    `?format=<export>` to the API's export of the view.
    """
    target = _htmx_target(request)
    if target is None and any(not value.strip() for _, values in request.GET.lists() for value in values):
        # A form submitted without JavaScript sends every field; the shareable URL keeps the ones set.
        clean = query_clean(request.GET, drop=())
        return HttpResponseRedirect(f"{request.path}?{clean}" if clean else request.path)
    show_drafts = drafts_requested(request)
    if "timeline" in request.GET:
        # The page's path names its timeline; a `timeline` parameter (`/?timeline=…`) leads to that timeline's page.
        other = _timeline_for(request, request.GET["timeline"])
        query = request.GET.copy()
        del query["timeline"]
        return HttpResponseRedirect(url_with_query(other.get_absolute_url(), query.urlencode()))
    timeline = _timeline_for(request, slug)
    if timeline is None:
        return render(request, "timeline/index.html", {"timeline": None, "page_url": request.path})
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export_redirect(request, timeline)
    if target == "embed-body":  # the "Embed this view" panel, loaded when it is opened (includes/share_panel.html)
        panel = render(request, "timeline/includes/share_panel.html#embed-body", {"timeline": timeline})
        return _drafts_private(panel, show_drafts)
    page_url = reverse("timeline:index") if slug is None else timeline.get_absolute_url()
    # One URL for search engines and link previews, whichever of `/` and `/timelines/<slug>/` was asked
    # for: the slug's, which names this timeline for good, while `/` shows whichever is the default now.
    # Filters, sorting and pages are views of the same timeline: they point to it too.
    canonical_url = request.build_absolute_uri(timeline.get_absolute_url())
    published = timeline_events(timeline, drafts=show_drafts)
    filterset = EventFilter(request.GET, queryset=published, request=request)
    sort = SORTS.get(request.GET.get("sort"), "date")
    page = events_page(filterset, page=_page_number(request), sort=sort, per_page=EVENTS_PER_PAGE)
    context = {
        "timeline": timeline, "page_url": page_url, "filterset": filterset, "form": filterset.form, "page": page,
        "sort": sort, "show_years": sort == "date", "show_drafts": show_drafts, "can_see_drafts": can_see_drafts(request.user),
        "canonical_url": canonical_url, "reader_query": reader_query(request.GET),
    }  # fmt: skip
    periods = list(Period.objects.filter(timelines=timeline))
    context["periods"] = periods
    if target and target.startswith("more"):
        return _drafts_private(render(request, "timeline/index.html#events-page", context), show_drafts)
    # Without drafts, the unfiltered counts of the timeline are its kept tallies (timeline.tallies).
    tallies_of = None if show_drafts else timeline
    context["axis"] = axis_build(
        filterset, query_dict=request.GET, timeline=timeline, periods=periods, max_marks=PAGE_AXIS_MARKS, tallies_of=tallies_of
    )
    if target == "axis":  # axis.js: zoom, pan, select, story steps
        return _drafts_private(render(request, "timeline/includes/axis.html", context), show_drafts)

    # Counts are the costly part of the page (they read every matching event): computed once per
    # content version and filters, for every web process when CACHE_URL is shared.
    counts = cached_by_version(_counts_key(request, "counts"), lambda: event_counts(filterset, published, tallies_of=tallies_of))
    facets = cached_by_version(_counts_key(request, "facets"), lambda: event_facets(filterset, published, tallies_of=tallies_of))
    # Which options a facet lists follows the unfiltered counts, so the list stays put while filters change.
    leaders = facets
    if filterset.active:
        leaders = cached_by_version(
            _counts_key(request, "facets", drop=tuple(request.GET)),
            lambda: event_facets(EventFilter({}, queryset=published, request=request), published, tallies_of=tallies_of),
        )
    on_page = {event.slug for event in page.events}
    # One more than the row shows tells whether to link to all of them (the turning-points filter)
    # without counting: a large timeline has thousands, and the page must stay light.
    moments = key_moments(timeline, drafts=show_drafts, limit=KEY_MOMENTS_LIMIT + 1)
    more_moments = len(moments) > KEY_MOMENTS_LIMIT
    moments = moments[:KEY_MOMENTS_LIMIT]
    for moment in moments:  # an anchor when the event is in the list below, else its own page
        moment.href = f"#event-{moment.slug}" if moment.slug in on_page else moment.get_absolute_url()
    context |= {
        "facets": facets.listed(leaders, limit=FACET_LIMIT, all_up_to=FACET_ALL_UP_TO),
        "result_count": counts["matching"],
        "total_count": counts["total"],
        "key_moments": moments,
        "more_moments": more_moments,
        "active": filterset.active,
        "active_count": filterset.active_count,
        "dates_reversed": _dates_reversed(request, filterset),
        "query_string": query_clean(request.GET),
    }
    if target in ("results", "reader"):
        context["oob"] = target == "results"
        response = render(request, f"timeline/index.html#{target}", context)
        clean = context["query_string"]
        response["HX-Push-Url"] = f"{request.path}?{clean}" if clean else request.path
        return _drafts_private(response, show_drafts)
    return _drafts_private(render(request, "timeline/index.html", context), show_drafts)


def _dates_reversed(request, filterset):
    """From after To: both as typed, and the query that swaps them (for "From 2020 is after To 2010: swap them")."""
    typed = filterset.dates_reversed
    if typed is None:
        return None
    swapped = request.GET.copy()
    swapped.setlist("date_from", [typed[1]])
    swapped.setlist("date_to", [typed[0]])
    return {"date_from": typed[0], "date_to": typed[1], "swap_query": query_clean(swapped)}


def _drafts_private(response, drafts_shown):
    return drafts_never_stored(response) if drafts_shown else response


@public_for_readers
@require_safe
def timeline_list(request):
    """Every published timeline (and, for editors, the drafts, marked): what it is about, its span, its turning points."""
    return render(request, "timeline/timeline_list.html", {"timelines": timelines_overview(request.user)})


FACET_KINDS = {
    "actor": lambda: Actor.objects.published(),
    "theme": lambda: Theme.objects.published(),
    "source": lambda: Source.objects.defer("text"),
}


@public_for_readers
@require_safe
def facet_options(request, kind):
    """
    The type-ahead of a facet: up to FACET_SUGGESTIONS actors, themes or sources whose name contains
    what was typed (?actor=…, the field's own name), as <option>s for its <datalist>.
    """
    if kind not in FACET_KINDS:
        raise Http404("Facets are actor, theme and source.")
    typed = (request.GET.get(kind) or request.GET.get("q") or "").strip()[:100]
    name = "title" if kind == "source" else "name"
    options = FACET_KINDS[kind]().filter(**{f"{name}__icontains": typed}).order_by(name)[:FACET_SUGGESTIONS] if typed else []
    return render(request, "timeline/includes/facet_options.html", {"options": options, "name": name})


@vary_on_headers("HX-Request")
@public_for_readers
@require_safe
def event_detail(request, slug):
    """One event with every citation's quote in its passage, its date spelled out, the timelines that tell it, and how to cite it."""
    # An editor sees a draft here as readers will once it is published ("View on site" in the admin).
    event = get_object_or_404(
        Event.objects.visible_to(request.user, drafts=True)
        .select_related("media_item")
        .prefetch_related(
            "actors", "themes", Prefetch("citations", queryset=citations_in_context()),
            Prefetch("timelines", queryset=Timeline.objects.visible_to(request.user).order_by("-is_default", "title")),
        ),
        slug=slug,
    )  # fmt: skip
    preview = not Event.objects.published().filter(pk=event.pk).exists() if can_see_drafts(request.user) else False
    # The breadcrumb's timeline (the default first, when it tells the event) is the one "earlier" and "later" walk.
    timelines = event.timelines.all()
    previous, following = event_neighbours(event, timelines[0] if timelines else None)
    permalink = request.build_absolute_uri(event.get_absolute_url())
    response = render(request, "timeline/event_detail.html", {
        "event": event, "previous": previous, "following": following, "permalink": permalink, "canonical_url": permalink,
        "citation_text": citing.event_citation_text(event, permalink), "preview": preview,
    })  # fmt: skip
    return _drafts_private(response, preview)


@vary_on_headers("HX-Request")
@public_for_readers
@require_safe
def passage_detail(request, slug, ordinal):
    """
    One passage of a source with its cited quotes marked and links to its neighbours. htmx gets the
    passage alone: the timeline's citations and the event page's "previous/next passage" load it.
    """
    passage = get_object_or_404(
        Passage.objects.select_related("source").defer("source__text").prefetch_related(
            Prefetch("citations", queryset=Citation.objects.in_passage_order())
        ),
        source__slug=slug, ordinal=ordinal,
    )  # fmt: skip
    context = {"passage": passage, "source": passage.source, "current": request.GET.get("c")}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "timeline/passage_detail.html#passage", context)
    # The passage's own page lists every event that cites it (the source page lists a few per passage),
    # each with a link to its quote marked in the passage: the marks carry their ids here.
    context |= {"show_backlinks": True, "with_ids": True}
    last_ordinal = passage.source.passages.order_by("-ordinal").values_list("ordinal", flat=True).first()
    context |= {"has_previous": passage.ordinal > 1, "has_next": passage.ordinal < (last_ordinal or 0)}
    return render(request, "timeline/passage_detail.html", context)


@public_for_readers
@require_safe
def source_list(request):
    # Counted from the citations up (by their passage's primary key), never by scanning each source's passages.
    counts = cached_by_version(
        version_key("source-citation-counts", path=request.path, params={}),
        lambda: dict(
            Citation.objects.published()
            .order_by()
            .values_list("passage__source_id")
            .annotate(count=Count("pk"))
            .values_list("passage__source_id", "count")
        ),
    )
    sources = list(Source.objects.defer("text").order_by("title"))
    for source in sources:
        source.citation_count = counts.get(source.pk, 0)
    return render(request, "timeline/source_list.html", {"sources": sources})


@public_for_readers
@require_safe
def source_detail(request, slug):
    """
    A source: its metadata, how to cite it, and one page of its passages (a range of PASSAGES_PER_PAGE
    ordinals, so that a passage's page follows from its ordinal) with the cited quotes marked in place.
    """
    source = get_object_or_404(Source.objects.defer("text"), slug=slug)
    last_ordinal = source.passages.aggregate(last=Max("ordinal"))["last"] or 0
    page_count = max(1, -(-last_ordinal // PASSAGES_PER_PAGE))
    number = _page_number(request)
    if number > page_count:
        raise Http404(f"“{source.title}” has {page_count} page(s) of passages.")
    first = (number - 1) * PASSAGES_PER_PAGE + 1
    passages = source.passages.filter(ordinal__gte=first, ordinal__lt=first + PASSAGES_PER_PAGE).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.in_passage_order())
    )
    show_boilerplate = request.GET.get("boilerplate") == "1"
    if not show_boilerplate:
        passages = passages.exclude(role=PassageRole.BOILERPLATE)
    passages = list(passages)
    for passage in passages:
        # A passage many events cite lists them on its own page: the source page stays light (each
        # quote is still marked in place), whatever the number of citations.
        passage.backlinks_listed = len(passage.citations.all()) <= SOURCE_BACKLINKS_LISTED
    pages = {
        "number": number, "count": page_count, "first": first, "last": min(first + PASSAGES_PER_PAGE - 1, last_ordinal),
        "previous": number - 1 if number > 1 else None, "next": number + 1 if number < page_count else None,
    }  # fmt: skip
    archived = (
        source.versions.exclude(archive="").only("number", "archive", "fetched_at", "fetched_url", "archive_sha256").first()
    )
    return render(request, "timeline/source_detail.html", {
        "source": source, "passages": passages, "show_boilerplate": show_boilerplate, "pages": pages, "archived": archived,
        "current": request.GET.get("c"),
        "chicago": citing.source_chicago(source), "apa": citing.source_apa(source),
        "bibtex": citing.source_bibtex(source),
        "csl_json": json.dumps([citing.source_csl_json(source)], indent=2, ensure_ascii=False),
    })  # fmt: skip


@require_safe
def source_archive(request, slug, number):
    """
    The archived copy of a fetched page (a gzipped WARC file), read through Django's storage: it works
    with every web process and every storage backend, where whitenoise serves static files only.
    """
    version = get_object_or_404(SourceVersion.objects.select_related("source"), source__slug=slug, number=number)
    if not version.archive:
        raise Http404(
            f"Version {number} of “{version.source.title}” was imported from a file, not fetched: it has no archived copy."
        )
    try:
        handle = version.archive.open("rb")
    except FileNotFoundError:
        raise Http404("The archived copy is missing from the media storage (MEDIA_ROOT); re-import the URL to fetch it again.")
    response = FileResponse(handle, as_attachment=True, filename=f"{slug}-v{number}.warc.gz", content_type="application/warc")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def bad_request(request, exception):
    """
    400 with the reason when it is one a visitor can fix (too many parameters or files, a body too
    large); Django's own page says nothing. JSON under /api/, text elsewhere.
    """
    reasons = {
        TooManyFieldsSent: f"Too many query or form parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}.",
        TooManyFilesSent: f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}.",
        RequestDataTooBig: "The request body is too large.",
    }
    detail = next((reason for kind, reason in reasons.items() if isinstance(exception, kind)), "Bad request.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=400)
    return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 otherwise: for load balancers and docker healthchecks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})

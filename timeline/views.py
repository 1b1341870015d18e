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
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from sources.models import PASSAGES_PER_PAGE, Passage, PassageRole, Source
from timeline import citing
from timeline.caching import public_for_readers
from timeline.filters import EventFilter
from timeline.models import Citation, Event, Period
from timeline.overview import overview_build, spans_build
from timeline.selectors import (
    citations_in_context,
    event_facets,
    event_neighbours,
    event_years,
    events_page,
)
from timeline.sharing import query_clean

logger = logging.getLogger(__name__)

SORTS = {"date": "date", "relevance": "relevance"}


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


@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
@public_for_readers
@require_safe
def timeline_index(request):
    """
    The timeline: filters, facet counts, the overview strip and one page of events. htmx gets
    #results (filters changed), #reader (a link that also changes the form) or the next page of
    events ("more"); everyone else, the whole page.
    """
    target = _htmx_target(request)
    if target is None and any(not value.strip() for _, values in request.GET.lists() for value in values):
        # A form submitted without JavaScript sends every field; the shareable URL keeps the ones set.
        clean = query_clean(request.GET, drop=())
        return HttpResponseRedirect(f"{request.path}?{clean}" if clean else request.path)
    published = Event.objects.published()
    filterset = EventFilter(request.GET, queryset=published)
    sort = SORTS.get(request.GET.get("sort"), "date")
    page = events_page(filterset, page=_page_number(request), sort=sort)
    context = {"filterset": filterset, "form": filterset.form, "page": page, "sort": sort, "show_years": sort == "date"}
    periods = list(Period.objects.all())
    context["periods"] = periods
    if target and target.startswith("more"):
        return render(request, "timeline/index.html#events-page", context)

    years = event_years(filterset, published)
    query = request.GET.copy()
    query.pop("page", None)
    overview = overview_build(years, periods, query)
    context |= {
        "facets": event_facets(filterset, published),
        "result_count": sum(year.matching for year in years),
        "total_count": sum(year.total for year in years),
        "overview": overview,
        "spans": spans_build(overview),
        "active": filterset.active,
        "query_string": query_clean(request.GET),
    }
    if target in ("results", "reader"):
        context["oob"] = target == "results"
        response = render(request, f"timeline/index.html#{target}", context)
        clean = context["query_string"]
        response["HX-Push-Url"] = f"{request.path}?{clean}" if clean else request.path
        return response
    return render(request, "timeline/index.html", context)


@vary_on_headers("HX-Request")
@public_for_readers
@require_safe
def event_detail(request, slug):
    """One event with every citation's quote in its passage, its date spelled out, and how to cite it."""
    event = get_object_or_404(
        Event.objects.published().prefetch_related("actors", "themes", Prefetch("citations", queryset=citations_in_context())),
        slug=slug,
    )
    previous, following = event_neighbours(event)
    permalink = request.build_absolute_uri(event.get_absolute_url())
    return render(request, "timeline/event_detail.html", {
        "event": event, "previous": previous, "following": following, "permalink": permalink,
        "citation_text": citing.event_citation_text(event, permalink),
    })  # fmt: skip


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
    last_ordinal = passage.source.passages.order_by("-ordinal").values_list("ordinal", flat=True).first()
    context |= {"has_previous": passage.ordinal > 1, "has_next": passage.ordinal < (last_ordinal or 0)}
    return render(request, "timeline/passage_detail.html", context)


@public_for_readers
@require_safe
def source_list(request):
    # Counted from the citations up (by their passage's primary key), never by scanning each source's passages.
    counts = dict(
        Citation.objects.published()
        .order_by()
        .values_list("passage__source_id")
        .annotate(count=Count("pk"))
        .values_list("passage__source_id", "count")
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
    pages = {
        "number": number, "count": page_count, "first": first, "last": min(first + PASSAGES_PER_PAGE - 1, last_ordinal),
        "previous": number - 1 if number > 1 else None, "next": number + 1 if number < page_count else None,
    }  # fmt: skip
    return render(request, "timeline/source_detail.html", {
        "source": source, "passages": passages, "show_boilerplate": show_boilerplate, "pages": pages,
        "chicago": citing.source_chicago(source), "apa": citing.source_apa(source),
        "bibtex": citing.source_bibtex(source),
        "csl_json": json.dumps([citing.source_csl_json(source)], indent=2, ensure_ascii=False),
    })  # fmt: skip


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

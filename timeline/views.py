"""
The reader: the timeline, event, passage and source pages. Each page is one template; htmx
requests get a named partial of it (django-template-partials), never a separate fragment view.
"""

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from sources.models import Passage, PassageRole, Source
from timeline import citing
from timeline.filters import EventFilter
from timeline.middleware import public_for_readers
from timeline.models import Citation, Event, Period
from timeline.selectors import (
    citations_in_context,
    event_facets,
    event_neighbours,
    event_years,
    events_page,
)

logger = logging.getLogger(__name__)

SORTS = {"date": "date", "relevance": "relevance"}


def _htmx_target(request):
    """The id of the element an htmx request will swap ("results"), or None for a full page."""
    if not request.htmx or request.htmx.history_restore_request:
        return None
    # htmx 4 sends "tag#id", htmx 2 sent "id".
    return (request.htmx.target or "").rpartition("#")[2] or None


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _clean_query(query_dict, drop=("page",)):
    """The query string without empty values (what a submitted form adds) and without `drop`."""
    return urlencode([(key, value) for key, values in query_dict.lists() if key not in drop for value in values if value.strip()])


@dataclass
class Bar:
    year: int
    x: float
    y: float
    height: float
    matching_y: float
    matching_height: float
    total: int
    matching: int
    query: str


@dataclass
class Band:
    name: str
    display: str
    x: float
    y: float
    width: float
    colour: int


@dataclass
class Overview:
    first: int
    last: int
    width: int
    height: int
    bars: list
    bands: list
    ticks: list


OVERVIEW_BAR = 10  # px per year in the SVG's own coordinates; the SVG scales to the page width
OVERVIEW_CHART = 56  # height of the tallest bar
OVERVIEW_LANE = 6  # period bands run in two lanes under the bars, so overlapping periods stay visible


def _overview(years, periods, query_dict):
    """Geometry of the overview strip: one bar per year, period bands behind them, decade ticks."""
    if not years:
        return None
    first, last = years[0].year, years[-1].year
    by_year = {year.year: year for year in years}
    peak = max(year.total for year in years) or 1
    bars = []
    for number in range(first, last + 1):
        year = by_year.get(number)
        total, matching = (year.total, year.matching) if year else (0, 0)
        query = query_dict.copy()
        query.setlist("date_from", [str(number)])
        query.setlist("date_to", [str(number)])
        height, matching_height = OVERVIEW_CHART * total / peak, OVERVIEW_CHART * matching / peak
        bars.append(Bar(
            year=number, x=(number - first) * OVERVIEW_BAR, total=total, matching=matching,
            y=OVERVIEW_CHART - height, height=height, matching_y=OVERVIEW_CHART - matching_height,
            matching_height=matching_height, query=_clean_query(query),
        ))  # fmt: skip
    bands, lane_ends = [], [None, None]
    for number, period in enumerate(periods):
        start = max(period.date_lower.year, first)
        end = min(period.date_upper.year, last)
        if start > end:
            continue
        # The first lane whose last band ended before this one starts; periods come ordered by start.
        lane = next((lane for lane, lane_end in enumerate(lane_ends) if lane_end is None or lane_end < start), 1)
        lane_ends[lane] = end
        bands.append(Band(
            name=period.name, display=period.date_display, x=(start - first) * OVERVIEW_BAR,
            y=OVERVIEW_CHART + 3 + lane * OVERVIEW_LANE, width=(end - start + 1) * OVERVIEW_BAR - 1, colour=number % 5,
        ))  # fmt: skip
    ticks = [(number, (number - first) * OVERVIEW_BAR) for number in range(first, last + 1) if number % 10 == 0]
    height = OVERVIEW_CHART + 3 + 2 * OVERVIEW_LANE + 12
    return Overview(
        first=first, last=last, width=(last - first + 1) * OVERVIEW_BAR, height=height, bars=bars, bands=bands, ticks=ticks
    )


def _decades(years, query_dict):
    """The decade facet: events per decade under every filter but the dates, with the link that picks it."""
    counts = {}
    for year in years:
        decade = year.year - year.year % 10
        counts[decade] = counts.get(decade, 0) + year.matching_any_date
    decades = []
    for decade, count in sorted(counts.items()):
        query = query_dict.copy()
        query.setlist("date_from", [str(decade)])
        query.setlist("date_to", [str(decade + 9)])
        decades.append({"decade": decade, "count": count, "query": _clean_query(query)})
    return decades


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
        clean = _clean_query(request.GET, drop=())
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
    context |= {
        "facets": event_facets(filterset, published),
        "result_count": sum(year.matching for year in years),
        "total_count": sum(year.total for year in years),
        "overview": _overview(years, periods, query),
        "decades": _decades(years, query),
        "active": filterset.active,
        "query_string": _clean_query(request.GET),
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
    published = Q(passages__citations__event__status=Event.Status.PUBLISHED)
    sources = (
        Source.objects.defer("text").annotate(citation_count=Count("passages__citations", filter=published)).order_by("title")
    )
    return render(request, "timeline/source_list.html", {"sources": sources})


@public_for_readers
@require_safe
def source_detail(request, slug):
    """A source: its metadata, how to cite it, and its passages with the cited quotes marked in place."""
    source = get_object_or_404(Source.objects.defer("text"), slug=slug)
    passages = source.passages.prefetch_related(Prefetch("citations", queryset=Citation.objects.in_passage_order()))
    show_boilerplate = request.GET.get("boilerplate") == "1"
    if not show_boilerplate:
        passages = passages.exclude(role=PassageRole.BOILERPLATE)
    return render(request, "timeline/source_detail.html", {
        "source": source, "passages": passages, "show_boilerplate": show_boilerplate,
        "chicago": citing.source_chicago(source), "apa": citing.source_apa(source),
        "bibtex": citing.source_bibtex(source),
        "csl_json": json.dumps([citing.source_csl_json(source)], indent=2, ensure_ascii=False),
    })  # fmt: skip


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

import logging

from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sources.models import PassageRole, Source
from timeline.models import Citation, Event, Period

logger = logging.getLogger(__name__)


def _published_citations():
    return Citation.objects.filter(event__status=Event.Status.PUBLISHED).select_related("event").order_by("start")


@require_GET
def timeline_index(request):
    events = Event.objects.published().for_reader()
    return render(
        request,
        "timeline/index.html",
        {"events": events, "periods": Period.objects.all(), "event_count": len(events)},
    )


@require_GET
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_reader(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})


@require_GET
def source_list(request):
    published = Q(passages__citations__event__status=Event.Status.PUBLISHED)
    sources = Source.objects.annotate(citation_count=Count("passages__citations", filter=published)).order_by("title")
    return render(request, "timeline/source_list.html", {"sources": sources})


@require_GET
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    passages = source.passages.prefetch_related(Prefetch("citations", queryset=_published_citations()))
    show_boilerplate = request.GET.get("boilerplate") == "1"
    if not show_boilerplate:
        passages = passages.exclude(role=PassageRole.BOILERPLATE)
    return render(
        request,
        "timeline/source_detail.html",
        {"source": source, "passages": passages, "show_boilerplate": show_boilerplate},
    )


@never_cache
@require_GET
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

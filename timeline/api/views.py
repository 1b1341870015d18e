"""The API's viewsets: cached reads for everyone, writes for editors, exports of the event list."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.http import StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from sources.models import Source
from timeline import annotations, exports
from timeline.api.pagination import Pagination, StableOrderingFilter
from timeline.api.schema import CitelineAutoSchema, EventFilterBackend
from timeline.api.serializers import (
    ActorSerializer,
    CitationSerializer,
    EventSerializer,
    PassageSerializer,
    PeriodSerializer,
    SourceSerializer,
    ThemeSerializer,
    TimelineSerializer,
)
from timeline.caching import cache_headers, cache_validators, not_modified, rendered_get, rendered_keep
from timeline.filters import EventFilter
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline
from timeline.permissions import can_see_drafts
from timeline.services import citation_delete, event_delete


class _NotModified(exceptions.APIException):
    """A response decided before any work: a 304, or the page kept for anonymous readers."""

    def __init__(self, response):
        self.response = response


def _has_nul(data):
    """Whether a NUL character is anywhere in request data (query parameters, JSON or form fields, keys included)."""
    if isinstance(data, str):
        return "\x00" in data
    if hasattr(data, "lists"):  # QueryDict
        return any(_has_nul(key) or any(_has_nul(value) for value in values) for key, values in data.lists())
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return any(_has_nul(value) for value in data)
    return False


class CachedReadMixin:
    """
    ETag/Last-Modified on reads from the content version (timeline.caching), checked after
    authentication (an editor's view differs from a reader's) and before any work: a current client
    gets a 304. The ETag varies by URL, media type (exports) and reader. Cache-Control is public and
    short for anonymous readers, private for signed-in users.
    """

    pagination_class = Pagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if _has_nul(request.query_params) or (request.method not in ("GET", "HEAD", "OPTIONS") and _has_nul(request.data)):
            # PostgreSQL text cannot hold NUL: refused here, named, rather than failing in the database.
            raise exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        "The request contains a NUL character (\\u0000); remove it and send it again."
                    ]
                }
            )
        self.validators, self.validators_kept = None, False
        if request.method in ("GET", "HEAD"):
            reader = f"editor:{request.user.pk}" if can_see_drafts(request.user) else "reader"
            self.validators = cache_validators(request, variant=f"{request.accepted_media_type}|{reader}")
            response = not_modified(request, etag=self.validators[0], last_modified=self.validators[1])
            if response is None and self._kept_for_readers(request):
                response = rendered_get(self.validators[0])
                if response is not None:
                    self.validators_kept = True
            if response is not None:
                raise _NotModified(response)

    def _kept_for_readers(self, request):
        """Anonymous readers' reads are rendered once per ETag (content version, URL, media type) and kept."""
        return request.method == "GET" and not (request.user and request.user.is_authenticated)

    def handle_exception(self, exc):
        if isinstance(exc, _NotModified):
            return exc.response
        if isinstance(getattr(self.request, "accepted_renderer", None), exports.ExportRenderer):
            # Errors (a bad filter, say) are answered in JSON, not as a broken CSV or calendar.
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "validators", None)
        if validators and (200 <= response.status_code < 300 or response.status_code == 304):
            private = bool(request.user and request.user.is_authenticated)
            cache_headers(response, etag=validators[0], last_modified=validators[1], private=private)
            patch_vary_headers(response, ["Accept", "Authorization"])
            if response.status_code == 200 and self._kept_for_readers(request) and not getattr(self, "validators_kept", False):
                rendered_keep(validators[0], response)  # never a stream: exports are read afresh
        return response


class SlugResourceViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """A plain resource addressed by its slug: cached reads, validated writes, stable ordering."""

    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]


@extend_schema_view(list=extend_schema(summary="List actors"), retrieve=extend_schema(summary="An actor"))
class ActorViewSet(SlugResourceViewSet):
    """States, organisations and people that events involve."""

    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if can_see_drafts(self.request.user) else queryset.published()


@extend_schema_view(list=extend_schema(summary="List themes"), retrieve=extend_schema(summary="A theme"))
class ThemeViewSet(SlugResourceViewSet):
    """Themes events are about: military, nuclear, energy…"""

    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if can_see_drafts(self.request.user) else queryset.published()


@extend_schema_view(
    list=extend_schema(
        summary="List timelines",
        description="The site's timelines (published ones; drafts too for editors). Read a timeline's events with "
        "`/api/events/?timeline=<slug>`; every export takes the same parameter.",
    ),
    retrieve=extend_schema(summary="A timeline"),
)
class TimelineViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Timelines: each tells its own events; actors, themes and sources are shared across the site."""

    serializer_class = TimelineSerializer
    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["title", "slug", "created_at", "updated_at"]
    ordering = ["title", "slug"]

    def get_queryset(self):
        published = Q(events__status=Event.Status.PUBLISHED)
        return Timeline.objects.visible_to(self.request.user).annotate(
            event_count=Count("events", filter=published, distinct=True)
        )


@extend_schema_view(list=extend_schema(summary="List periods"), retrieve=extend_schema(summary="A period"))
class PeriodViewSet(SlugResourceViewSet):
    """Named intervals drawn as bands behind the events."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    ordering_fields = ["date", "name"]
    ordering_aliases = {"date": ("date_lower", "date_upper")}
    ordering = ["date_lower", "date_upper", "name"]


@extend_schema_view(
    list=extend_schema(summary="List sources"),
    retrieve=extend_schema(summary="A source's metadata"),
    update=extend_schema(summary="Edit a source's metadata"),
    partial_update=extend_schema(summary="Edit some of a source's metadata"),
)
class SourceViewSet(SlugResourceViewSet):
    """Source documents. Their text is imported with `manage.py import_sources`; the API reads it by passage."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    ordering_fields = ["title", "issued", "slug"]
    ordering = ["title"]
    http_method_names = ["get", "put", "patch", "head", "options"]

    @extend_schema(summary="A source's passages, in order", responses=PassageSerializer(many=True))
    @action(detail=True, serializer_class=PassageSerializer, filter_backends=[], pagination_class=Pagination)
    def passages(self, request, slug=None, format=None):
        source = self.get_object()
        page = self.paginate_queryset(source.passages.select_related("source").defer("source__text").order_by("ordinal", "pk"))
        return self.get_paginated_response(PassageSerializer(page, many=True, context=self.get_serializer_context()).data)


class WebAnnotationRenderer(JSONRenderer):
    """`?format=jsonld`: citations in the W3C Web Annotation Data Model (timeline.annotations)."""

    media_type = "application/ld+json"
    format = "jsonld"


@extend_schema_view(
    list=extend_schema(
        summary="List citations",
        description="`?format=jsonld`: the citations as a W3C Web Annotation collection (body: the event; target: the "
        "source, with a TextQuoteSelector and a TextPositionSelector counted in the passage's text).",
        parameters=[
            OpenApiParameter("event", str, description="Citations of this event (its slug)."),
            OpenApiParameter("format", str, enum=["json", "api", "jsonld"], description="`jsonld`: W3C Web Annotations."),
        ],
    ),
    retrieve=extend_schema(summary="A citation", description="`?format=jsonld`: as a W3C Web Annotation."),
    create=extend_schema(
        summary="Cite a passage for an event", description="The quote must be an exact substring of the passage."
    ),
    destroy=extend_schema(summary="Remove a citation", description="The only citation of a published event cannot be removed."),
)
class CitationViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Evidence: exact quotes from passages, attached to events."""

    serializer_class = CitationSerializer
    queryset = Citation.objects.select_related("event", "passage__source")
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["ordinal", "id"]
    ordering = ["event__date_lower", "event__pk", "ordinal"]

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, WebAnnotationRenderer]

    def get_queryset(self):
        queryset = super().get_queryset()
        event = self.request.query_params.get("event")
        if event and self.action == "list":
            queryset = queryset.filter(event__slug=event)
        if self.is_annotation():
            queryset = queryset.evidence()  # an orphan has no passage to point at
        if can_see_drafts(self.request.user):
            return queryset
        return queryset.published()

    def is_annotation(self):
        return isinstance(getattr(self.request, "accepted_renderer", None), WebAnnotationRenderer)

    def list(self, request, *args, **kwargs):
        if not self.is_annotation():
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        self.paginate_queryset(queryset)
        event = request.query_params.get("event")
        label = f"Evidence for “{event}”, cited on Citeline" if event else "Evidence cited on Citeline"
        data = annotations.citations_annotation_list(self.paginator.page, request, label=label)
        return Response(data, content_type=annotations.MEDIA_TYPE)

    def retrieve(self, request, *args, **kwargs):
        if not self.is_annotation():
            return super().retrieve(request, *args, **kwargs)
        return Response(annotations.citation_annotation(self.get_object(), request), content_type=annotations.MEDIA_TYPE)

    def perform_destroy(self, instance):
        try:
            citation_delete(citation=instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"non_field_errors": exc.messages}) from None


EXPORT_FORMATS = [renderer.format for renderer in exports.EXPORT_RENDERERS]
EVENT_LIST_DESCRIPTION = (
    "Published events (and drafts, for editors), filtered exactly like the timeline page. "
    "`?format=` exports the whole filtered list, unpaginated: "
    + ", ".join(f"`{renderer.format}` ({renderer.media_type})" for renderer in exports.EXPORT_RENDERERS)
    + "; CSL-JSON and BibTeX list the sources the events cite."
)


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description=EVENT_LIST_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "api", *EXPORT_FORMATS], description="Response format; exports are unpaginated."
            ),
            OpenApiParameter("turning_point", bool, description="Turning points only (`true`)."),
        ],
    ),
    retrieve=extend_schema(summary="An event, with its citations"),
    create=extend_schema(summary="Create an event", description="New events are drafts until they have a citation."),
    update=extend_schema(summary="Replace an event"),
    partial_update=extend_schema(summary="Edit an event"),
    destroy=extend_schema(summary="Delete an event and its citations"),
)
class EventViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Events with their EDTF dates, actors, themes and citations."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    filter_backends = [EventFilterBackend, StableOrderingFilter]
    filterset_class = EventFilter
    ordering_fields = ["date", "title", "updated_at", "published_at"]
    ordering_aliases = {"date": ("date_lower", "date_upper")}
    ordering = ["date_lower", "date_upper", "title"]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, *exports.EXPORT_RENDERERS]
    queryset = Event.objects.for_reader()

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.is_export():
            # An event's timelines, as this reader may see them: a draft timeline is never named to readers.
            timelines = Timeline.objects.visible_to(self.request.user).only("slug")
            queryset = queryset.prefetch_related(Prefetch("timelines", queryset=timelines))
        return queryset if can_see_drafts(self.request.user) else queryset.published()

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self.notice = hidden_notice(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self.notice = hidden_notice(serializer.instance)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "notice", None):
            response["Citeline-Notice"] = self.notice
        return response

    def is_export(self):
        return isinstance(getattr(self.request, "accepted_renderer", None), exports.ExportRenderer)

    def list(self, request, *args, **kwargs):
        if not self.is_export():
            response = super().list(request, *args, **kwargs)
        else:
            # Streamed (timeline.exports.STREAM_CHUNK events at a time): constant memory, the first bytes at once.
            renderer = request.accepted_renderer
            timeline = (
                Timeline.objects.filter(slug=request.query_params["timeline"]).first()
                if request.query_params.get("timeline")
                else None
            )
            export = exports.Export(events=self.filter_queryset(self.get_queryset()), request=request, timeline=timeline)
            response = StreamingHttpResponse(
                (part.encode(renderer.charset) if isinstance(part, str) else part for part in renderer.stream(export)),
                content_type=f"{renderer.media_type}; charset={renderer.charset}",
            )
            response["Content-Disposition"] = f'attachment; filename="{renderer.filename}"'
        notices = EventFilter(request.query_params).notices
        if notices:
            response["Citeline-Notice"] = "; ".join(notices)
        return response

    def retrieve(self, request, *args, **kwargs):
        if not self.is_export():
            return super().retrieve(request, *args, **kwargs)
        return Response(exports.Export(events=[self.get_object()], request=request))

    def perform_destroy(self, instance):
        event_delete(event=instance)


def hidden_notice(event):
    """What an editor must know about an event just written: published, yet in no published timeline, readers cannot see it."""
    if event.status != Event.Status.PUBLISHED or event.timelines.published().exists():
        return ""
    return (
        "the event is published but in no published timeline, so readers cannot see it: "
        "add a published timeline to `timelines`, or publish its timeline"
    )


@extend_schema(
    summary="Get your API token",
    description=(
        "Send an editor's `username` and `password` (JSON or form); the answer holds the token to send as "
        "`Authorization: Token <token>` on writes. The same token is returned until staff delete it in the admin "
        "(Auth Token › Tokens). Wrong passwords count towards the sign-in lockout, as in the admin."
    ),
    request=AuthTokenSerializer,
    responses={200: {"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}},
    auth=[],
)
class TokenView(ObtainAuthToken):
    """POST /api/token/: a token for scripts, in exchange for an editor's username and password."""

    schema = CitelineAutoSchema()

"""
The REST API at /api/: events (filtered by the shared EventFilter, and exported in other formats),
citations, sources with their passages, actors, themes and periods.

Anyone reads published data; editors with the model permissions write (session or token); drafts
are shown to editors only. Every write runs the model's own validation (full_clean) inside a
transaction, so the API refuses exactly what the admin refuses, with a message per field.
"""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.cache import patch_vary_headers
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import set_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from sources.models import Passage, Source
from timeline import exports
from timeline.filters import EventFilter
from timeline.middleware import cache_headers, cache_validators, not_modified
from timeline.models import Actor, Citation, Event, Period, Theme
from timeline.templatetags.citeline import markdown


def can_see_drafts(user):
    """Editors see drafts: staff, or users allowed to view events."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("timeline.view_event")))


# --- Pagination and ordering ---------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """?page=N (and ?page_size=N up to 500); the order always ends on the primary key, so pages never overlap."""

    page_size_query_param = "page_size"
    max_page_size = 500


class StableOrderingFilter(OrderingFilter):
    """
    ?ordering=date,-title. A view's `ordering_aliases` map a public name to model fields (`date` sorts
    on the date bounds, not on the EDTF text); the primary key always breaks ties.
    """

    ordering_description = "Sort order: comma-separated field names, `-` for descending (e.g. `-date,title`)."

    def get_ordering(self, request, queryset, view):
        terms = super().get_ordering(request, queryset, view) or ()
        aliases = getattr(view, "ordering_aliases", {})
        ordering = []
        for term in terms:
            descending, name = term.startswith("-"), term.lstrip("-")
            ordering += [("-" if descending else "") + field for field in aliases.get(name, (name,))]
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering


# --- Serializers ---------------------------------------------------------------------------------


class FullCleanSerializer(serializers.ModelSerializer):
    """Validates with the model's full_clean() and saves inside a transaction."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        if self.instance is not None:
            candidate = copy.copy(self.instance)
            for name, value in attrs.items():
                if name not in many_to_many:
                    setattr(candidate, name, value)
        else:
            candidate = model(**{name: value for name, value in attrs.items() if name not in many_to_many})
        # Derived fields (date bounds, timestamps) are filled on save, as in a ModelForm.
        derived = [field.name for field in model._meta.concrete_fields if not field.editable]
        try:
            candidate.full_clean(exclude=derived)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        return self.validated_from_clean(attrs, candidate)

    def validated_from_clean(self, attrs, candidate):
        """The attributes to save, given what clean() derived on `candidate`."""
        return attrs

    def create(self, validated_data):
        with transaction.atomic():
            return super().create(validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return super().update(instance, validated_data)


class ActorSerializer(FullCleanSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind"]


class ThemeSerializer(FullCleanSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name", "description"]


class PeriodSerializer(FullCleanSerializer):
    date_display = serializers.CharField(read_only=True, help_text="The date in words, e.g. “2011–2019”.")

    class Meta:
        model = Period
        fields = ["slug", "name", "description", "date", "date_lower", "date_upper", "date_precision", "date_display"]


class SourceSerializer(FullCleanSerializer):
    issued_display = serializers.CharField(read_only=True, help_text="The publication date in words, or “n.d.”.")
    page_url = serializers.SerializerMethodField(help_text="The source's page on this site, passages numbered.")
    passages_url = serializers.SerializerMethodField(help_text="The source's passages in the API, paginated.")

    class Meta:
        model = Source
        fields = [
            "slug", "title", "authors", "container", "source_type", "issued", "issued_display", "language", "url",
            "license", "license_url", "accessed", "notes", "content_hash", "media_type", "page_url", "passages_url",
            "created_at", "updated_at",
        ]  # fmt: skip
        # The text and its passages come from the importer (manage.py import_sources), never from hand edits.
        read_only_fields = ["slug", "content_hash", "media_type", "created_at", "updated_at"]

    def get_page_url(self, source) -> str:
        return self.context["request"].build_absolute_uri(source.get_absolute_url())

    def get_passages_url(self, source) -> str:
        return self.context["request"].build_absolute_uri(f"/api/sources/{source.slug}/passages/")


class PassageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The passage on the source's page (#p-N).")

    class Meta:
        model = Passage
        fields = ["id", "ordinal", "start", "end", "text", "role", "role_reason", "language", "direction", "url"]
        read_only_fields = fields

    def get_url(self, passage) -> str:
        return self.context["request"].build_absolute_uri(f"/sources/{passage.source.slug}/#{passage.anchor}")


class CitationSerializer(FullCleanSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.all(), help_text="Slug of the event.")
    passage = serializers.PrimaryKeyRelatedField(
        queryset=Passage.objects.select_related("source"),
        help_text="Id of the cited passage (see /api/sources/{slug}/passages/).",
    )
    passage_ordinal = serializers.IntegerField(source="passage.ordinal", read_only=True)
    passage_url = serializers.SerializerMethodField(help_text="Where to read the quote in its source.")
    source = SourceSerializer(source="passage.source", read_only=True)

    class Meta:
        model = Citation
        fields = [
            "id", "event", "passage", "passage_ordinal", "passage_url", "source", "ordinal", "quote", "prefix", "suffix",
            "start", "end", "stance", "note", "anchor_status",
        ]  # fmt: skip
        read_only_fields = ["prefix", "suffix", "end", "anchor_status"]
        extra_kwargs = {"start": {"required": False, "help_text": "Which occurrence of the quote, when it occurs twice."}}

    def get_passage_url(self, citation) -> str | None:
        url = citation.get_absolute_url()  # empty for an orphan, whose passage a re-import removed
        return self.context["request"].build_absolute_uri(url) if url else None

    def validated_from_clean(self, attrs, candidate):
        # clean() anchored the quote: its offsets and context are saved with it.
        return {**attrs, "start": candidate.start, "end": candidate.end, "prefix": candidate.prefix, "suffix": candidate.suffix}


class EventSerializer(FullCleanSerializer):
    url = serializers.SerializerMethodField(help_text="The event's page on this site.")
    date_display = serializers.CharField(read_only=True, help_text="The date readers see: display_date, else the EDTF in words.")
    annotation_html = serializers.SerializerMethodField(help_text="The annotation rendered from Markdown and sanitised.")
    turning_point = serializers.BooleanField(source="is_turning_point", required=False)
    actors = ActorSerializer(many=True, read_only=True)
    themes = ThemeSerializer(many=True, read_only=True)
    actor_slugs = serializers.SlugRelatedField(
        source="actors", slug_field="slug", queryset=Actor.objects.all(), many=True, write_only=True, required=False,
        help_text="Slugs of the event's actors.",
    )  # fmt: skip
    theme_slugs = serializers.SlugRelatedField(
        source="themes", slug_field="slug", queryset=Theme.objects.all(), many=True, write_only=True, required=False,
        help_text="Slugs of the event's themes.",
    )  # fmt: skip
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug", "title", "url", "date", "date_lower", "date_upper", "date_precision", "display_date", "date_display",
            "annotation", "annotation_html", "turning_point", "status", "actors", "themes", "actor_slugs", "theme_slugs",
            "citations", "published_at", "created_at", "updated_at",
        ]  # fmt: skip

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def get_annotation_html(self, event) -> str:
        return str(markdown(event.annotation))

    def validated_from_clean(self, attrs, candidate):
        publishing = attrs.get("status") == Event.Status.PUBLISHED
        has_citations = self.instance is not None and self.instance.citations.exists()
        if publishing and not has_citations:
            raise serializers.ValidationError(
                {"status": [
                    "A published event needs at least one citation. Create it as a draft, add its citations "
                    "(POST /api/citations/), then publish it."
                ]}
            )  # fmt: skip
        return attrs


# --- OpenAPI -------------------------------------------------------------------------------------

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "A list of messages per invalid field (`non_field_errors` for the whole object).",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"date": ["“2015-13” is not a valid EDTF date (…). Use YYYY, YYYY-MM or YYYY-MM-DD, …"]},
}
DETAIL_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


class CitelineAutoSchema(AutoSchema):
    """Documents the errors every operation can answer with, beside its success response."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {}
        if self.method in ("POST", "PUT", "PATCH", "DELETE") or self._is_list_view():
            errors["400"] = (FIELD_ERRORS_SCHEMA, "Invalid input or filter: a message per field.")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["401"] = (DETAIL_SCHEMA, "Not signed in: send a session cookie or `Authorization: Token <key>`.")
            errors["403"] = (DETAIL_SCHEMA, "Signed in without the permission for this change.")
        if "{" in self.path:
            errors["404"] = (DETAIL_SCHEMA, "No such object, or a draft the reader may not see.")
        for code, (schema, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(schema, code, media_types=["application/json"], direction=direction)
                responses[code] = {**response, "description": description}
        return responses


class EventFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend for the shared EventFilter, whose parameter types the schema is told, not left to guess."""


class EventFilterSchema(DjangoFilterExtension):
    """Slugs and natural-language dates are strings: say so, with each filter's help text."""

    target_class = "timeline.api.EventFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if field_name in ("actor", "theme", "source", "date_from", "date_to"):
            filter_field = copy.copy(filter_field)
            description = filter_field.extra.get("help_text") or str(filter_field.label)
            if field_name in ("actor", "theme", "source"):
                description += " Repeat the parameter for several slugs."
            set_override(filter_field, "field", {"type": "string", "description": description})
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


# --- Views ---------------------------------------------------------------------------------------


class _NotModified(exceptions.APIException):
    def __init__(self, response):
        self.response = response


class CachedReadMixin:
    """
    ETag/Last-Modified on reads from a cheap fingerprint of the data, checked after authentication
    (an editor's view differs from a reader's) and before any work: a current client gets a 304.
    Cache-Control is public and short for anonymous readers, private for signed-in users.
    """

    pagination_class = Pagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.validators = None
        if request.method in ("GET", "HEAD"):
            reader = f"editor:{request.user.pk}" if can_see_drafts(request.user) else "reader"
            self.validators = cache_validators(request, variant=f"{request.accepted_media_type}|{reader}")
            response = not_modified(request, etag=self.validators[0], last_modified=self.validators[1])
            if response is not None:
                raise _NotModified(response)

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
        return response


@extend_schema_view(
    list=extend_schema(summary="List actors"),
    retrieve=extend_schema(summary="An actor"),
)
class ActorViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """States, organisations and people that events involve."""

    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]


@extend_schema_view(list=extend_schema(summary="List themes"), retrieve=extend_schema(summary="A theme"))
class ThemeViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Themes events are about: military, nuclear, energy…"""

    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]


@extend_schema_view(list=extend_schema(summary="List periods"), retrieve=extend_schema(summary="A period"))
class PeriodViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Named intervals drawn as bands behind the events."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["date", "name"]
    ordering_aliases = {"date": ("date_lower", "date_upper")}
    ordering = ["date_lower", "date_upper", "name"]


@extend_schema_view(
    list=extend_schema(summary="List sources"),
    retrieve=extend_schema(summary="A source's metadata"),
    update=extend_schema(summary="Edit a source's metadata"),
    partial_update=extend_schema(summary="Edit some of a source's metadata"),
)
class SourceViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Source documents. Their text is imported with `manage.py import_sources`; the API reads it by passage."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    lookup_field = "slug"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["title", "issued", "slug"]
    ordering = ["title"]
    http_method_names = ["get", "put", "patch", "head", "options"]

    @extend_schema(summary="A source's passages, in order", responses=PassageSerializer(many=True))
    @action(detail=True, serializer_class=PassageSerializer, filter_backends=[], pagination_class=Pagination)
    def passages(self, request, slug=None, format=None):
        source = self.get_object()
        page = self.paginate_queryset(source.passages.select_related("source").order_by("ordinal", "pk"))
        return self.get_paginated_response(PassageSerializer(page, many=True, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List citations"),
    retrieve=extend_schema(summary="A citation"),
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

    def get_queryset(self):
        queryset = super().get_queryset()
        if can_see_drafts(self.request.user):
            return queryset
        return queryset.published()

    def perform_destroy(self, instance):
        event = instance.event
        if event.status == Event.Status.PUBLISHED and event.citations.count() == 1:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        "This is the only citation of a published event: add another or unpublish the event first."
                    ]
                }
            )
        instance.delete()


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
        return queryset if can_see_drafts(self.request.user) else queryset.published()

    def is_export(self):
        return isinstance(getattr(self.request, "accepted_renderer", None), exports.ExportRenderer)

    def list(self, request, *args, **kwargs):
        if not self.is_export():
            return super().list(request, *args, **kwargs)
        events = list(self.filter_queryset(self.get_queryset()))
        return Response(exports.Export(events=events, request=request))

    def retrieve(self, request, *args, **kwargs):
        if not self.is_export():
            return super().retrieve(request, *args, **kwargs)
        return Response(exports.Export(events=[self.get_object()], request=request))

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:  # pragma: no cover - events protect nothing today; a later model might
            raise serializers.ValidationError({"non_field_errors": ["Other records depend on this event."]}) from None

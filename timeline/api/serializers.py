"""How the API reads and writes each model; writes are validated by the model's own full_clean()."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.dates import Day
from sources.models import Passage, Source
from sources.natural_dates import date_to_edtf
from timeline.markdown import markdown_html
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline
from timeline.services import event_evidence_check, event_publish, event_unpublish


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


@extend_schema_field({"type": "string", "nullable": True, "example": "-0043-03-15"})
class DayField(serializers.Field):
    """A bound stored as a day number, written as ISO 8601 (expanded for years before 1 CE or after 9999); null when open."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return Day(value).isoformat() or None


class NaturalDateField(serializers.CharField):
    """A date in EDTF or in words ("mid-2015", "Q3 2019", "May 2023?"), read by the same reader as the forms, stored as EDTF."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault(
            "help_text",
            "EDTF (2015, 2022-07, 2007~, 2011/2019, [2015-04..2015-09]) or words (July 2022, mid-2015, Q3 2019, c. 2007, "
            "May 2023?); stored as EDTF. A numeric date whose day and month could be swapped (05/06/2023) is refused.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            return date_to_edtf(value).edtf
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None


class ActorSerializer(FullCleanSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind"]


class ThemeSerializer(FullCleanSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name", "description"]


class TimelineSerializer(serializers.ModelSerializer):
    intro_html = serializers.SerializerMethodField(help_text="The intro rendered from Markdown and sanitised.")
    url = serializers.SerializerMethodField(help_text="The timeline's page on this site.")
    events_url = serializers.SerializerMethodField(help_text="Its events in the API (`/api/events/?timeline=<slug>`).")
    event_count = serializers.IntegerField(read_only=True, help_text="How many published events it tells.")

    class Meta:
        model = Timeline
        fields = [
            "slug", "title", "intro", "intro_html", "language", "direction", "status", "is_default", "event_count", "url",
            "events_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_intro_html(self, timeline) -> str:
        return str(markdown_html(timeline.intro))

    def get_url(self, timeline) -> str:
        return self.context["request"].build_absolute_uri(timeline.get_absolute_url())

    def get_events_url(self, timeline) -> str:
        return self.context["request"].build_absolute_uri(f"/api/events/?timeline={timeline.slug}")


class PeriodSerializer(FullCleanSerializer):
    date = NaturalDateField()
    date_display = serializers.CharField(read_only=True, help_text="The date in words, e.g. “2011–2019”.")
    date_lower = DayField(help_text="First day the date can mean (ISO 8601, -0043-03-15 for 44 BCE); null when open.")
    date_upper = DayField(help_text="Last day the date can mean; null when open.")

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
    claimed_date = NaturalDateField(required=False, allow_blank=True)
    claimed_date_display = serializers.CharField(
        source="claimed_display", read_only=True, help_text="The claimed date in words, e.g. “1980”; empty without a claim."
    )

    class Meta:
        model = Citation
        fields = [
            "id", "event", "passage", "passage_ordinal", "passage_url", "source", "ordinal", "quote", "prefix", "suffix",
            "start", "end", "stance", "claimed_date", "claimed_date_display", "note", "anchor_status",
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
    date = NaturalDateField()
    url = serializers.SerializerMethodField(help_text="The event's page on this site.")
    date_lower = DayField(help_text="First day the date can mean (ISO 8601, -0043-03-15 for 44 BCE); null when open.")
    date_upper = DayField(help_text="Last day the date can mean; null when open.")
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
    timelines = serializers.SlugRelatedField(
        slug_field="slug", queryset=Timeline.objects.all(), many=True, required=False,
        help_text="Slugs of the timelines that tell the event (the site's default timeline when left out on create).",
    )  # fmt: skip
    citations = CitationSerializer(many=True, read_only=True)
    dates_disputed = serializers.BooleanField(
        read_only=True, help_text="The sources disagree on the date: it lies outside every claimed date, or claims conflict."
    )

    class Meta:
        model = Event
        fields = [
            "slug", "title", "url", "date", "date_lower", "date_upper", "date_precision", "display_date", "date_display",
            "annotation", "annotation_html", "turning_point", "status", "actors", "themes", "actor_slugs", "theme_slugs",
            "timelines", "citations", "dates_disputed", "published_at", "created_at", "updated_at",
        ]  # fmt: skip

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def get_annotation_html(self, event) -> str:
        return str(markdown_html(event.annotation))

    def validated_from_clean(self, attrs, candidate):
        if attrs.get("status") == Event.Status.PUBLISHED:
            evidence = self.instance.citations.evidence().count() if self.instance is not None else 0
            try:
                event_evidence_check(status=Event.Status.PUBLISHED, evidence_count=evidence)
            except DjangoValidationError as exc:
                hint = "Create the event as a draft, add its citations (POST /api/citations/), then publish it."
                raise serializers.ValidationError({"status": [f"{' '.join(exc.messages)} {hint}"]}) from None
        return attrs

    def create(self, validated_data):
        """A new event goes into the site's default timeline unless `timelines` names others (as one made from a candidate does)."""
        if "timelines" not in validated_data and (default := Timeline.objects.default()):
            validated_data["timelines"] = [default]
        return super().create(validated_data)

    def update(self, instance, validated_data):
        """Publishing and unpublishing go through the editorial services; the other fields are saved as they are."""
        status = validated_data.pop("status", instance.status)
        with transaction.atomic():
            event = super().update(instance, validated_data)
            if status == Event.Status.PUBLISHED and event.status != status:
                event_publish(event=event)
            elif status == Event.Status.DRAFT and event.status != status:
                event_unpublish(event=event)
        return event

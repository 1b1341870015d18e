from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Passage
from timeline.dates import date_to_edtf, edtf_display
from timeline.models import Actor, Citation, Event, Period, Theme

# htmx from our own static files (never a CDN), then the two small enhancements; without
# JavaScript the date field still reads natural language and the quote can still be typed.
EDITOR_MEDIA = forms.Media(
    js=["vendor/htmx/htmx-4.0.1.min.js", "citeline/admin/date_preview.js", "citeline/admin/quote_picker.js"],
    css={"all": ["citeline/admin/editor.css"]},
)


class NaturalDateInput(forms.TextInput):
    """A date input followed by a live preview of what it means (filled by date_preview.js)."""

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div class="citeline-date-preview" id="{}_preview" aria-live="polite"></div>', field, (attrs or {}).get("id", name)
        )


class NaturalDateField(forms.CharField):
    """Accepts EDTF or a date as a source writes it ("mid-2015", "c. 2007", "خرداد 1397") and cleans it to EDTF."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault(
            "help_text",
            "EDTF (2015, 2022-07, 2007~, 2011/2019, ../1999) or words: July 2022, June 28, 2019, mid-2015, c. 2007, "
            "before 2000, between 2011 and 2019, 15 مرداد 1397, خرداد 1397, 1392 ش. Saved as EDTF.",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return date_to_edtf(value).edtf if value else value


class EventAdminForm(forms.ModelForm):
    date = NaturalDateField()

    class Meta:
        model = Event
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget = NaturalDateInput(
            attrs={"data-preview-url": reverse("admin:timeline_event_date_preview"), "autocomplete": "off", "class": "vTextField"}
        )


class CitationInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if self.instance.status == Event.Status.PUBLISHED and not kept:
            raise ValidationError(
                "A published event needs at least one citation. Attach the evidence below, or save it as a draft.",
                code="published_without_citation",
            )


def quote_picker_html(passage):
    """The passage text in which an editor selects the quote (static/citeline/admin/quote_picker.js)."""
    if passage is None:
        return format_html(
            '<p class="citeline-picker-hint">{}</p>',
            "Pick a passage above: its text appears here, and selecting words in it fills the quote.",
        )
    return format_html(
        '<p class="citeline-picker-hint">Select the quoted words with the mouse; the quote and its offsets are filled in.</p>'
        '<div class="citeline-passage-text" dir="{}" lang="{}">{}</div>',
        passage.direction, passage.language, passage.text,
    )  # fmt: skip


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationInlineFormSet
    extra = 1
    autocomplete_fields = ["passage"]
    fields = [
        "ordinal", "passage", "quote_picker", "quote", "stance", "note", ("start", "end"), ("prefix", "suffix"),
        ("anchor_status", "previous_quote"),
    ]  # fmt: skip
    readonly_fields = ["quote_picker", "prefix", "suffix", "anchor_status", "previous_quote"]

    @admin.display(description="select the quote")
    def quote_picker(self, citation):
        return format_html(
            '<div class="citeline-quote-picker" data-url="{}">{}</div>',
            reverse("admin:timeline_event_passage_text"),
            quote_picker_html(citation.passage if citation and citation.passage_id else None),
        )


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    form = EventAdminForm
    list_display = ["title", "date", "date_display", "status", "is_turning_point", "citation_count"]
    list_filter = ["status", "is_turning_point", "date_precision", "themes", "actors"]
    search_fields = ["title", "slug", "annotation", "citations__quote"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["actors", "themes"]
    readonly_fields = ["date_lower", "date_upper", "date_precision", "published_at", "created_at", "updated_at"]
    date_hierarchy = "date_lower"
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "is_turning_point"]}),
        ("When", {"fields": ["date", "display_date", ("date_lower", "date_upper", "date_precision")]}),
        ("What", {"fields": ["annotation", "actors", "themes"]}),
        ("Record", {"classes": ["collapse"], "fields": ["published_at", "created_at", "updated_at"]}),
    ]

    @property
    def media(self):
        return super().media + EDITOR_MEDIA

    def get_urls(self):
        views = [
            path("date-preview/", self.admin_site.admin_view(self.date_preview), name="timeline_event_date_preview"),
            path("passage-text/", self.admin_site.admin_view(self.passage_text), name="timeline_event_passage_text"),
        ]
        return views + super().get_urls()

    @staticmethod
    def date_preview_html(text):
        try:
            bounds = date_to_edtf(text)
        except ValidationError as exc:
            return format_html('<span class="citeline-date-error">{}</span>', " ".join(exc.messages))
        lower = "open" if bounds.open_start else bounds.lower.isoformat()
        upper = "open" if bounds.open_end else bounds.upper.isoformat()
        calendar = " · from the Solar Hijri calendar" if bounds.calendar == "jalali" else ""
        return format_html(
            '<span class="citeline-date-ok">EDTF <code>{}</code> · {} · from {} to {} · {}{}</span>',
            bounds.edtf, edtf_display(bounds.edtf), lower, upper, bounds.precision.label, calendar,
        )  # fmt: skip

    @staticmethod
    @require_safe
    def date_preview(request):
        """What a typed date means, before saving: EDTF, the words readers see, its bounds and precision (htmx)."""
        text = request.GET.get("date", "").strip()
        return HttpResponse(EventAdmin.date_preview_html(text) if text else "")

    @staticmethod
    @require_safe
    def passage_text(request):
        """A passage's text for the quote picker (htmx)."""
        passage_id = request.GET.get("passage", "")
        passage = get_object_or_404(Passage.objects.select_related("source"), pk=passage_id) if passage_id.isdigit() else None
        return HttpResponse(quote_picker_html(passage))

    def get_queryset(self, request):
        evidence = Q(citations__passage__isnull=False)
        return super().get_queryset(request).annotate(citation_total=Count("citations", filter=evidence, distinct=True))

    @admin.display(ordering="citation_total", description="citations")
    def citation_count(self, event):
        if not event.citation_total and event.status == Event.Status.PUBLISHED:
            return "⚠ 0 — published without evidence"
        return event.citation_total

    @admin.action(description="Publish the selected events (cited ones only)")
    def publish(self, request, queryset):
        uncited = list(queryset.uncited().values_list("title", flat=True))
        published = 0
        for event in queryset.exclude(pk__in=queryset.uncited()).exclude(status=Event.Status.PUBLISHED):
            event.status = Event.Status.PUBLISHED
            event.save()
            published += 1
        self.message_user(request, f"{published} event(s) published.", messages.SUCCESS)
        if uncited:
            self.message_user(
                request,
                f"Not published, no citation yet: {', '.join(uncited)}. Attach at least one citation first.",
                messages.ERROR,
            )

    @admin.action(description="Unpublish the selected events (back to draft)")
    def unpublish(self, request, queryset):
        count = queryset.update(status=Event.Status.DRAFT)
        self.message_user(request, f"{count} event(s) returned to draft.", messages.SUCCESS)


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("needed", "needs review (updated or orphaned)"), ("orphaned", "orphaned only")]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.needs_review()
        if self.value() == "orphaned":
            return queryset.filter(anchor_status=Citation.AnchorStatus.ORPHANED)
        return queryset


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "event", "stance", "anchor_status", "source_title", "previous_quote_excerpt"]
    list_filter = [NeedsReviewFilter, "anchor_status", "stance", "passage__source", "orphaned_from"]
    search_fields = ["quote", "previous_quote", "note", "event__title", "passage__source__title", "orphaned_from__title"]
    autocomplete_fields = ["event", "passage"]
    list_select_related = ["event", "passage__source", "orphaned_from"]
    readonly_fields = ["prefix", "suffix", "anchor_status", "previous_quote", "orphaned_from"]
    actions = ["mark_reviewed"]

    @property
    def media(self):
        return super().media + EDITOR_MEDIA

    def delete_queryset(self, request, queryset):
        """ "Delete selected" deletes in bulk, past Citation.delete(): refresh the events' search vectors here."""
        event_ids = list(queryset.values_list("event_id", flat=True))
        super().delete_queryset(request, queryset)
        Event.objects.filter(pk__in=event_ids).search_vector_refresh()

    @admin.display(ordering="passage__source__title", description="source")
    def source_title(self, citation):
        if citation.passage_id is None:
            return f"⚠ orphaned from {citation.orphaned_from.title}" if citation.orphaned_from_id else "⚠ orphaned"
        return citation.passage.source.title

    @admin.display(description="previous quote")
    def previous_quote_excerpt(self, citation):
        quote = citation.previous_quote
        return quote if len(quote) <= 80 else quote[:77] + "…"

    @admin.action(description="Mark the selected updated or moved citations as reviewed")
    def mark_reviewed(self, request, queryset):
        reviewed = 0
        for citation in queryset.filter(passage__isnull=False).exclude(anchor_status=Citation.AnchorStatus.ANCHORED):
            citation.anchor_status = Citation.AnchorStatus.ANCHORED
            citation._change_reason = "reviewed"
            citation.save()
            reviewed += 1
        self.message_user(request, f"{reviewed} citation(s) marked reviewed.", messages.SUCCESS)
        orphans = queryset.filter(passage__isnull=True).count()
        if orphans:
            self.message_user(
                request,
                f"{orphans} orphaned citation(s) left as they are: open each one and pick the passage that holds its quote.",
                messages.WARNING,
            )


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "date_lower", "date_upper"]
    list_filter = ["date_precision"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["date_lower", "date_upper", "date_precision"]

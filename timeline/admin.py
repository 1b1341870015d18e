from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.db.models import Count

from timeline.models import Actor, Citation, Event, Period, Theme


class CitationInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if self.instance.status == Event.Status.PUBLISHED and not kept:
            raise ValidationError(
                "A published event needs at least one citation. Attach the evidence below, or save it as a draft.",
                code="published_without_citation",
            )


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationInlineFormSet
    extra = 1
    autocomplete_fields = ["passage"]
    fields = ["ordinal", "passage", "quote", "stance", "note", ("start", "end"), ("prefix", "suffix")]
    readonly_fields = ["prefix", "suffix"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations", distinct=True))

    @admin.display(ordering="citation_total", description="citations")
    def citation_count(self, event):
        if not event.citation_total and event.status == Event.Status.PUBLISHED:
            return "⚠ 0 — published without evidence"
        return event.citation_total

    @admin.action(description="Publish the selected events (cited ones only)")
    def publish(self, request, queryset):
        uncited = list(queryset.filter(citations__isnull=True).values_list("title", flat=True))
        published = 0
        for event in queryset.filter(citations__isnull=False).distinct().exclude(status=Event.Status.PUBLISHED):
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


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "stance", "source_title"]
    list_filter = ["stance", "passage__source"]
    search_fields = ["quote", "note", "event__title", "passage__source__title"]
    autocomplete_fields = ["event", "passage"]
    list_select_related = ["event", "passage__source"]
    readonly_fields = ["prefix", "suffix"]

    @admin.display(ordering="passage__source__title", description="source")
    def source_title(self, citation):
        return citation.passage.source.title


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

"""
The editor's workbench in the Django admin: events with their citations (natural dates with a live
preview, quotes picked by selecting words), citations to review, actors, themes and periods; and, on
the sources app's pages, the citations a re-import orphaned and the candidate events found in dates.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST, require_safe
from simple_history.admin import SimpleHistoryAdmin

from sources import admin as sources_admin
from sources.dates import edtf_display
from sources.forms import NATURAL_DATE_HELP, NaturalDateField
from sources.models import DateMention, MentionRole, Passage, Source
from sources.natural_dates import date_to_edtf
from timeline.models import Actor, Citation, Event, Period, Theme
from timeline.selectors import mention_candidates
from timeline.services import (
    citation_delete,
    citation_review_mark,
    event_delete,
    event_evidence_check,
    event_from_mention_create,
    event_publish,
    event_unpublish,
    mention_dismiss,
)

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


class EventAdminForm(forms.ModelForm):
    date = NaturalDateField(help_text=NATURAL_DATE_HELP)

    class Meta:
        model = Event
        fields = "__all__"

    def clean_date(self):
        return self.cleaned_data["date"].edtf

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget = NaturalDateInput(
            attrs={"data-preview-url": reverse("admin:timeline_event_date_preview"), "autocomplete": "off", "class": "vTextField"}
        )


class DatedAdminMixin:
    """The bounds of an EDTF date as editors read them: ISO 8601 (expanded for BCE years) and words."""

    @admin.display(ordering="date_lower", description="first day")
    def first_day(self, obj):
        return _day_words(obj.date_first) if obj and obj.date_lower is not None else "–"

    @admin.display(ordering="date_upper", description="last day")
    def last_day(self, obj):
        return _day_words(obj.date_last) if obj and obj.date_upper is not None else "–"


def _day_words(day):
    return "open" if day.is_open else f"{day.isoformat()} ({day.display()})"


class ClaimedDateInput(forms.TextInput):
    """The claimed date, with the passage's date mentions offered in a datalist (typing another date still works)."""

    mentions = ()

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        if self.mentions:
            attrs["list"] = f"{attrs.get('id', name)}_mentions"
        field = super().render(name, value, attrs, renderer)
        if not self.mentions:
            return field
        options = format_html_join(
            "", '<option value="{}">{} — “{}”</option>', ((m.edtf, m.date_display, m.text) for m in self.mentions)
        )
        return format_html('{}<datalist id="{}">{}</datalist>', field, attrs["list"], options)


class CitationAdminForm(forms.ModelForm):
    claimed_date = NaturalDateField(
        required=False,
        help_text="The date this passage gives for the event: pick one of its date mentions, or type EDTF or words "
        "(a date the passage does not state is kept, with a warning).",
    )

    class Meta:
        model = Citation
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = ClaimedDateInput(attrs={"autocomplete": "off", "class": "vTextField"})
        if self.instance.passage_id:
            widget.mentions = list(self.instance.passage.date_mentions.all())
        self.fields["claimed_date"].widget = widget

    def clean_claimed_date(self):
        bounds = self.cleaned_data["claimed_date"]
        return bounds.edtf if bounds else ""


def claim_check_html(citation):
    """Whether the passage states the claimed date, for the editor."""
    if not citation or not citation.pk or not citation.claimed_date:
        return "–"
    mention = citation.claim_mention()
    if mention is None:
        return format_html(
            '<span class="citeline-claim-warning">⚠ {} is not found in the passage: check the date, or pick one the passage states.</span>',
            citation.claimed_display,
        )
    return format_html("✓ the passage says “{}”", mention.text)


class CitationInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("passage")
        ]
        event_evidence_check(status=self.instance.status, evidence_count=len(kept))


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
    form = CitationAdminForm
    formset = CitationInlineFormSet
    extra = 1
    autocomplete_fields = ["passage"]
    fields = [
        "ordinal", "passage", "quote_picker", "quote", "stance", ("claimed_date", "claim_check"), "note", ("start", "end"),
        ("prefix", "suffix"), ("anchor_status", "previous_quote"),
    ]  # fmt: skip
    readonly_fields = ["quote_picker", "claim_check", "prefix", "suffix", "anchor_status", "previous_quote"]

    @admin.display(description="in the passage?")
    def claim_check(self, citation):
        return claim_check_html(citation)

    @admin.display(description="select the quote")
    def quote_picker(self, citation):
        return format_html(
            '<div class="citeline-quote-picker" data-url="{}">{}</div>',
            reverse("admin:timeline_event_passage_text"),
            quote_picker_html(citation.passage if citation and citation.passage_id else None),
        )


class DatesDisputedFilter(admin.SimpleListFilter):
    title = "dates disputed"
    parameter_name = "dates"

    def lookups(self, request, model_admin):
        return [("disputed", "sources disagree on the date")]

    def queryset(self, request, queryset):
        return queryset.dates_disputed() if self.value() == "disputed" else queryset


@admin.register(Event)
class EventAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    form = EventAdminForm
    list_display = ["title", "date", "date_display", "status", "is_turning_point", "citation_count"]
    list_filter = ["status", "is_turning_point", DatesDisputedFilter, "date_precision", "themes", "actors"]
    search_fields = ["title", "slug", "annotation", "citations__quote"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["actors", "themes"]
    readonly_fields = ["first_day", "last_day", "date_precision", "published_at", "created_at", "updated_at"]
    inlines = [CitationInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "is_turning_point"]}),
        ("When", {"fields": ["date", "display_date", ("first_day", "last_day", "date_precision")]}),
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
        lower = "open" if bounds.first.is_open else bounds.first.isoformat()
        upper = "open" if bounds.last.is_open else bounds.last.isoformat()
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
    @transaction.atomic  # a bulk action is one commit: the validators move once
    def publish(self, request, queryset):
        published, uncited = 0, []
        for event in queryset.exclude(status=Event.Status.PUBLISHED):
            try:
                event_publish(event=event)
            except ValidationError:
                uncited.append(event.title)
            else:
                published += 1
        self.message_user(request, f"{published} event(s) published.", messages.SUCCESS)
        if uncited:
            self.message_user(
                request,
                f"Not published, no citation yet: {', '.join(uncited)}. Attach at least one citation first.",
                messages.ERROR,
            )

    @admin.action(description="Unpublish the selected events (back to draft)")
    @transaction.atomic  # a bulk action is one commit: the validators move once
    def unpublish(self, request, queryset):
        events = list(queryset.filter(status=Event.Status.PUBLISHED))
        for event in events:
            event_unpublish(event=event)
        self.message_user(request, f"{len(events)} event(s) returned to draft.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        """The event's fields are saved here; a change of status waits for its citations (save_related)."""
        obj.requested_status = obj.status
        obj.status = Event.objects.filter(pk=obj.pk).values_list("status", flat=True).first() or Event.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Citations first, then publishing or unpublishing through the editorial services."""
        super().save_related(request, form, formsets, change)
        event = form.instance
        claims_warn(self, request, event.citations.filter(claimed_lower__isnull=False).select_related("passage"))
        requested = getattr(event, "requested_status", event.status)
        if requested == Event.Status.PUBLISHED and event.status != requested:
            event_publish(event=event)
        elif requested == Event.Status.DRAFT and event.status != requested:
            event_unpublish(event=event)

    def delete_model(self, request, obj):
        event_delete(event=obj)

    @transaction.atomic  # a bulk action is one commit: the validators move once
    def delete_queryset(self, request, queryset):
        for event in queryset:
            event_delete(event=event)


def claims_warn(model_admin, request, citations):
    """A warning for each claimed date the cited passage does not state (it is kept: the editor may know better)."""
    for citation in citations:
        if citation.claim_in_passage is False:
            model_admin.message_user(
                request,
                f"Citation {citation.ordinal}: the claimed date {citation.claimed_display} is not found in the passage "
                f"(¶{citation.passage.ordinal}). It is kept; check it, or pick a date the passage states.",
                messages.WARNING,
            )


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
    form = CitationAdminForm
    list_display = ["__str__", "event", "stance", "claimed_date", "anchor_status", "source_title", "previous_quote_excerpt"]
    list_filter = [NeedsReviewFilter, "anchor_status", "stance", "passage__source", "orphaned_from"]
    search_fields = ["quote", "previous_quote", "note", "event__title", "passage__source__title", "orphaned_from__title"]
    autocomplete_fields = ["event", "passage"]
    list_select_related = ["event", "passage__source", "orphaned_from"]
    readonly_fields = ["claim_check", "prefix", "suffix", "anchor_status", "previous_quote", "orphaned_from"]
    actions = ["mark_reviewed"]

    @admin.display(description="claimed date in the passage?")
    def claim_check(self, citation):
        return claim_check_html(citation)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        claims_warn(self, request, [obj])

    @property
    def media(self):
        return super().media + EDITOR_MEDIA

    def delete_view(self, request, object_id, extra_context=None):
        """The last evidence of a published event is not deleted: the editor is told why, on the citation's page."""
        citation = self.get_object(request, object_id)
        if request.method == "POST" and citation is not None:
            try:
                citation_delete(citation=citation)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return redirect(reverse("admin:timeline_citation_change", args=[citation.pk]))
            self.message_user(request, f"The citation “{citation}” was deleted.", messages.SUCCESS)
            return redirect(reverse("admin:timeline_citation_changelist"))
        return super().delete_view(request, object_id, extra_context)

    @transaction.atomic  # a bulk action is one commit: the validators move once
    def delete_queryset(self, request, queryset):
        """ "Delete selected" deletes one by one through citation_delete, which refuses the last evidence of a published event."""
        refused = []
        for citation in queryset.select_related("event"):
            try:
                citation_delete(citation=citation)
            except ValidationError:
                refused.append(citation.event.title)
        if refused:
            self.message_user(
                request,
                f"Not deleted, the only evidence of a published event: {', '.join(refused)}. Add another citation, or unpublish the event first.",
                messages.ERROR,
            )

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
    @transaction.atomic  # a bulk action is one commit: the validators move once
    def mark_reviewed(self, request, queryset):
        reviewed = sum(citation_review_mark(citation=citation) for citation in queryset)
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
class PeriodAdmin(DatedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "date", "first_day", "last_day"]
    list_filter = ["date_precision"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["first_day", "last_day", "date_precision"]


# --- Sources, as editors of the timeline see them ---------------------------------------------------
# The sources app's admin knows documents only; here its pages gain what cites them: the citations a
# re-import orphaned, and the candidate events found in date mentions.


class OrphanedCitationInline(admin.TabularInline):
    """Citations a re-import of this source could not place: their old quote, for an editor to re-attach."""

    model = Citation
    fk_name = "orphaned_from"
    verbose_name = "orphaned citation (needs review)"
    verbose_name_plural = "orphaned citations (need review: open each and pick the passage that holds its quote)"
    fields = ["event", "quote", "previous_quote"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class SourceAdmin(sources_admin.SourceAdmin):
    inlines = [OrphanedCitationInline, *sources_admin.SourceAdmin.inlines]


class DateMentionAdmin(sources_admin.DateMentionAdmin):
    change_list_template = "admin/sources/datemention/change_list.html"

    def get_urls(self):
        views = [
            path("candidates/", self.admin_site.admin_view(self.candidates_view), name="sources_datemention_candidates"),
            path(
                "<int:pk>/create-event/",
                self.admin_site.admin_view(self.create_event_view),
                name="sources_datemention_create_event",
            ),
            path("<int:pk>/dismiss/", self.admin_site.admin_view(self.dismiss_view), name="sources_datemention_dismiss"),
        ]
        return views + super().get_urls()

    def candidates_view(self, request):
        """Event dates the importer found that no event cites yet, grouped by date, each in its passage."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        mentions = list(
            mention_candidates().select_related("passage__source").order_by("lower", "upper", "edtf", "passage", "start")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Candidate events: {len(mentions)} dated sentence(s) no event cites yet",
            "mentions": mentions,
            "role": MentionRole.EVENT,
        }
        return TemplateResponse(request, "admin/sources/datemention/candidates.html", context)

    @method_decorator(require_POST)
    def create_event_view(self, request, pk):
        """One click: a draft event with this mention's date, citing its sentence; then its change page."""
        if not (request.user.has_perm("timeline.add_event") and request.user.has_perm("timeline.add_citation")):
            raise PermissionDenied
        mention = get_object_or_404(DateMention.objects.select_related("passage__source"), pk=pk)
        event = event_from_mention_create(mention=mention)
        self.message_user(
            request,
            f"Draft event created from “{mention.text}”: give it a title and an annotation, then publish it.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:timeline_event_change", args=[event.pk]))

    @method_decorator(require_POST)
    def dismiss_view(self, request, pk):
        """Not an event: the candidate is hidden for good (and stays dismissed across re-imports)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        mention = mention_dismiss(mention=get_object_or_404(DateMention, pk=pk), user=request.user)
        self.message_user(request, f"Dismissed “{mention.text}”.", messages.SUCCESS)
        return redirect(reverse("admin:sources_datemention_candidates"))


admin.site.unregister(Source)
admin.site.register(Source, SourceAdmin)
admin.site.unregister(DateMention)
admin.site.register(DateMention, DateMentionAdmin)

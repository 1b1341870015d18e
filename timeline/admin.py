"""
The editor's workbench in the Django admin: events with their citations (natural dates with a live
preview, quotes picked by selecting words), citations to review, actors, themes and periods; and, on
the sources app's pages, the citations a re-import orphaned and the candidate events found in dates.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
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
from sources.dates import edtf_display, edtf_year
from sources.forms import NATURAL_DATE_HELP, NaturalDateField, SlugFromNameForm
from sources.models import DateMention, MentionRole, Passage, Source
from sources.natural_dates import AmbiguousDate, date_to_edtf
from timeline.media import event_media_image_set, image_check, image_size_check
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline
from timeline.selectors import mention_candidates
from timeline.services import (
    citation_delete,
    citation_from_mention_create,
    citation_review_mark,
    event_delete,
    event_delete_allowed,
    event_duplicate,
    event_evidence_check,
    event_from_mention_create,
    event_publish,
    event_slug_follows_title,
    event_slug_unique,
    event_unpublish,
    events_label_change,
    mention_dismiss,
)

# htmx from our own static files (never a CDN), then the small enhancements; without JavaScript the
# date field still reads natural language, the quote can still be typed and citations reordered by their ordinals.
EDITOR_MEDIA = forms.Media(
    js=[
        "vendor/htmx/htmx-4.0.1.min.js",
        "citeline/admin/date_preview.js",
        "citeline/admin/quote_picker.js",
        "citeline/admin/citation_order.js",
    ],
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

    def clean_slug(self):
        """Empty, or (until first published) left as it was while the title changed: made from the title, dashes kept."""
        slug = self.cleaned_data.get("slug", "")
        title = self.data.get("title", "") or self.instance.title
        follows = self.instance.pk is None or event_slug_follows_title(self.instance)
        if not slug or (follows and "title" in self.changed_data and slug == self.instance.slug):
            return event_slug_unique(title, exclude_pk=self.instance.pk)
        return slug

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "The event's address. Leave it empty: it is made from the title and follows the title until the event is "
            "first published; after that it stays, so links keep working."
        )
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
        '<p class="citeline-picker-hint">Select the quoted words (mouse, keyboard or touch); the quote and its offsets are filled in.</p>'
        '<div class="citeline-passage-text" dir="{}" lang="{}">{}</div>',
        passage.direction, passage.language, passage.text,
    )  # fmt: skip


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationAdminForm
    formset = CitationInlineFormSet
    extra = 1
    autocomplete_fields = ["passage"]
    # What an editor decides in front; where the quote is anchored (offsets, context, re-import status) folded away.
    fieldsets = [
        (None, {"fields": ["passage", "quote_picker", "quote", "stance", ("claimed_date", "claim_check"), "note"]}),
        ("Anchor details", {
            "classes": ["collapse"],
            "fields": ["ordinal", ("start", "end"), ("prefix", "suffix"), ("anchor_status", "previous_quote")],
        }),
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


class EventLabelsChangeForm(forms.Form):
    """The bulk action's choice: add or remove, and which actor, theme or timeline (grouped by kind)."""

    LABEL_MODELS = {"actor": Actor, "theme": Theme, "timeline": Timeline}

    operation = forms.ChoiceField(
        label="Add or remove", choices=[("add", "Add to the selected events"), ("remove", "Remove from the selected events")],
        widget=forms.RadioSelect, initial="add",
    )  # fmt: skip
    label = forms.ChoiceField(
        label="Actor, theme or timeline",
        error_messages={"invalid_choice": "That actor, theme or timeline no longer exists: choose another one."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [("", "Choose one…")] + [
            (model._meta.verbose_name_plural.capitalize(), [(f"{kind}-{obj.pk}", str(obj)) for obj in model.objects.all()])
            for kind, model in self.LABEL_MODELS.items()
        ]

    def clean_label(self):
        """(kind, the actor, theme or timeline)."""
        kind, _, pk = self.cleaned_data["label"].partition("-")
        label = self.LABEL_MODELS[kind].objects.filter(pk=pk).first() if kind in self.LABEL_MODELS else None
        if label is None:
            raise ValidationError("That actor, theme or timeline no longer exists: choose another one.", code="invalid_choice")
        return kind, label


class DatesDisputedFilter(admin.SimpleListFilter):
    title = "dates disputed"
    parameter_name = "dates"

    def lookups(self, request, model_admin):
        return [("disputed", "sources disagree on the date")]

    def queryset(self, request, queryset):
        return queryset.dates_disputed() if self.value() == "disputed" else queryset


class EventMediaForm(forms.ModelForm):
    """An event's one media item: an image uploaded here (checked, resized) or a link to media elsewhere."""

    upload = forms.FileField(
        label="image file", required=False,
        help_text="JPEG, PNG, WebP or GIF. Readers get resized copies served from this site; the file is kept for backups.",
    )  # fmt: skip

    url = forms.URLField(
        label="link", required=False, max_length=1000, assume_scheme="https",
        help_text="For a link: where the media is. Readers get a card linking there; nothing is loaded from it here.",
    )  # fmt: skip

    class Meta:
        model = EventMedia
        fields = ["kind", "upload", "alt", "url", "credit", "caption"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        self.upload_data = None
        if cleaned.get("kind") == EventMedia.Kind.IMAGE:
            if upload:
                try:
                    image_size_check(upload.size, name=upload.name)  # before reading a byte of a huge file
                    self.upload_data = upload.read()
                    image_check(self.upload_data, name=upload.name)
                except ValidationError as exc:
                    self.add_error("upload", exc)
            elif not self.instance.key:
                self.add_error("upload", ValidationError("Choose the image file to upload.", code="required"))
        return cleaned

    def save(self, commit=True):
        if self.upload_data is not None and not self.errors:
            return event_media_image_set(media=self.instance, data=self.upload_data, filename=self.cleaned_data["upload"].name)
        return super().save(commit=commit)


class EventMediaInline(admin.StackedInline):
    model = EventMedia
    form = EventMediaForm
    extra = 0
    max_num = 1
    fields = ["kind", "preview", "upload", "alt", "url", "credit", "caption"]
    readonly_fields = ["preview"]
    verbose_name = verbose_name_plural = "media (one image or link)"

    @admin.display(description="current image")
    def preview(self, media):
        if not media or not media.key:
            return "–"
        return format_html(
            '<img src="{}" alt="{}" width="240"> {} × {} pixels', media.thumbnail, media.alt, media.width, media.height
        )


@admin.register(Event)
class EventAdmin(DatedAdminMixin, SimpleHistoryAdmin):
    form = EventAdminForm
    list_display = ["title", "date", "date_display", "status", "is_turning_point", "citation_count"]
    list_filter = ["status", "timelines", "is_turning_point", DatesDisputedFilter, "date_precision", "themes", "actors"]
    search_fields = ["title", "slug", "annotation", "citations__quote"]
    filter_horizontal = ["actors", "themes", "timelines"]
    readonly_fields = ["first_day", "last_day", "date_precision", "published_at", "created_at", "updated_at"]
    inlines = [CitationInline, EventMediaInline]
    actions = ["publish", "unpublish", "change_labels"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "is_turning_point", "timelines"]}),
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
        except AmbiguousDate as exc:
            # Day and month could be swapped: ask, and offer both readings as buttons that fill the field.
            buttons = format_html_join(
                " ",
                '<button type="button" class="button citeline-date-choice" data-value="{}">{}</button>',
                ((words, words) for words, _ in exc.choices),
            )
            question = " or ".join(words.removesuffix(f" {words.split()[-1]}") for words, _ in exc.choices)
            year = exc.choices[0][0].split()[-1]
            return format_html(
                '<span class="citeline-date-error citeline-date-ambiguous">{} {}? {}</span>',
                text,
                f"— {question} {year}",
                buttons,
            )
        except ValidationError as exc:
            return format_html('<span class="citeline-date-error">{}</span>', " ".join(exc.messages))
        lower = "open" if bounds.first.is_open else bounds.first.isoformat()
        upper = "open" if bounds.last.is_open else bounds.last.isoformat()
        calendar = " · from the Solar Hijri calendar" if bounds.calendar == "jalali" else ""
        return format_html(
            '<span class="citeline-date-ok">EDTF <code>{}</code> · {} · {} {} to {} · {}{}</span>',
            bounds.edtf, edtf_display(bounds.edtf), "one moment, sometime from" if bounds.is_set else "from", lower, upper,
            bounds.precision.label, calendar,
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
        published, uncited = [], []
        for event in queryset.exclude(status=Event.Status.PUBLISHED):
            try:
                event_publish(event=event)
            except ValidationError:
                uncited.append(event.title)
            else:
                published.append(event)
        self.message_user(request, f"{len(published)} event(s) published.", messages.SUCCESS)
        hidden_warn(self, request, *published)
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

    @admin.action(description="Add or remove an actor, theme or timeline…", permissions=["change"])
    def change_labels(self, request, queryset):
        """One page to choose the label and confirm; then events_label_change does it, in one transaction."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = EventLabelsChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            kind, label = form.cleaned_data["label"]
            add = form.cleaned_data["operation"] == "add"
            changed, unchanged = events_label_change(events=queryset, kind=kind, label=label, add=add, user=request.user)
            if add:
                message = f"{kind.capitalize()} “{label}” added to {changed} event(s); {unchanged} already had it."
            else:
                message = f"{kind.capitalize()} “{label}” removed from {changed} event(s); {unchanged} did not have it."
            self.message_user(request, message, messages.SUCCESS)
            if kind == "timeline" and not add:
                hidden_warn(self, request, *queryset)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add or remove an actor, theme or timeline on {queryset.count()} event(s)",
            "opts": self.model._meta,
            "form": form,
            "events": queryset.order_by("date_lower", "date_upper", "title"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "cancel_url": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/timeline/event/change_labels.html", context)

    def get_changeform_initial_data(self, request):
        """A new event goes into the site's default timeline unless the editor picks others."""
        initial = super().get_changeform_initial_data(request)
        if "timelines" not in initial and (default := Timeline.objects.default()):
            initial["timelines"] = [default.pk]
        return initial

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
        hidden_warn(self, request, event)

    def response_add(self, request, obj, post_url_continue=None):
        return self._preview_redirect(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_duplicate" in request.POST:
            copy = event_duplicate(event=obj)
            self.message_user(request, f"Saved, and duplicated as the draft “{copy.title}”: edit the copy.", messages.SUCCESS)
            return redirect(reverse("admin:timeline_event_change", args=[copy.pk]))
        return self._preview_redirect(request, obj) or super().response_change(request, obj)

    def _preview_redirect(self, request, obj):
        """ "Save and preview": the timeline with drafts shown, at this event, as readers will see it."""
        if "_preview" not in request.POST:
            return None
        self.message_user(request, f"Saved “{obj.title}”. This is the timeline with drafts shown.", messages.SUCCESS)
        query = {"drafts": "1"}
        if not obj.date_first.is_open and not obj.date_last.is_open:
            # The event's years: readers will find it among its neighbours, on the first page of them.
            query |= {"date_from": edtf_year(obj.date_first.year), "date_to": edtf_year(obj.date_last.year)}
        timeline = obj.timelines.order_by("-is_default", "title").first()
        page = timeline.get_absolute_url() if timeline else reverse("timeline:index")
        return redirect(f"{page}?{urlencode(query)}#event-{obj.slug}")

    def has_delete_permission(self, request, obj=None):
        """Besides whoever may delete events, an editor may delete a draft they made by mistake (the history keeps it)."""
        if super().has_delete_permission(request, obj):
            return True
        return obj is not None and event_delete_allowed(event=obj, user=request.user)

    def delete_model(self, request, obj):
        event_delete(event=obj)

    @transaction.atomic  # a bulk action is one commit: the validators move once
    def delete_queryset(self, request, queryset):
        for event in queryset:
            event_delete(event=event)


def hidden_warn(model_admin, request, *events):
    """
    Published events that no published timeline tells are invisible to readers. Publishing them is
    allowed, not refused: an editor launching a story publishes its events while the timeline is
    still a draft, then the timeline, and readers get it all at once. Each is said plainly, with the fix.
    """
    unseen = (
        Event.objects.filter(pk__in=[event.pk for event in events], status=Event.Status.PUBLISHED)
        .exclude(pk__in=Event.objects.published().values("pk"))
        .prefetch_related("timelines")
    )
    for event in unseen:
        drafts = [timeline.title for timeline in event.timelines.all()]
        where = f"its timelines are drafts ({', '.join(drafts)})" if drafts else "it is in no timeline"
        model_admin.message_user(
            request,
            f"“{event.title}” is published but readers cannot see it: {where}. "
            "Add it to a published timeline, or publish its timeline (Timelines › status).",
            messages.WARNING,
        )


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


class TitleSlugForm(SlugFromNameForm):
    slug_source = "title"


# Actors, themes, periods and timelines get their slug from the server when it is left empty (SlugFromNameForm),
# not from the admin's prepopulated_fields script, whose URLify drops en and em dashes.
@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    form = SlugFromNameForm


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    form = SlugFromNameForm


@admin.register(Period)
class PeriodAdmin(DatedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "date", "first_day", "last_day", "timeline_names"]
    list_filter = ["timelines", "date_precision"]
    search_fields = ["name", "slug", "description"]
    form = SlugFromNameForm
    readonly_fields = ["first_day", "last_day", "date_precision"]
    filter_horizontal = ["timelines"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("timelines")

    def get_changeform_initial_data(self, request):
        """A new period is drawn on the site's default timeline unless the editor picks others."""
        initial = super().get_changeform_initial_data(request)
        if "timelines" not in initial and (default := Timeline.objects.default()):
            initial["timelines"] = [default.pk]
        return initial

    @admin.display(description="timelines")
    def timeline_names(self, period):
        return ", ".join(timeline.title for timeline in period.timelines.all()) or "—"


@admin.register(Timeline)
class TimelineAdmin(SimpleHistoryAdmin):
    """The site's timelines: which is the default (`/`), which are published, how many events each tells."""

    list_display = ["title", "slug", "status", "is_default", "event_count", "published_event_count", "language", "direction"]
    list_filter = ["status", "is_default", "language"]
    search_fields = ["title", "slug", "intro"]
    form = TitleSlugForm
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "is_default"]}),
        ("About", {"fields": ["intro", ("language", "direction")]}),
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # One query for the changelist: the counts are annotated, never counted per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                event_total=Count("events", distinct=True),
                published_total=Count("events", filter=Q(events__status=Event.Status.PUBLISHED), distinct=True),
            )
        )

    @admin.display(ordering="event_total", description="events")
    def event_count(self, timeline):
        return timeline.event_total

    @admin.display(ordering="published_total", description="published events")
    def published_event_count(self, timeline):
        return timeline.published_total


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

    def upload_done_url(self, source):
        """After an upload, the document's candidate events: the next step from a document to an event."""
        return f"{reverse('admin:sources_datemention_candidates')}?source={source.pk}"


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
            path(
                "<int:pk>/cite-for/<int:event_pk>/",
                self.admin_site.admin_view(self.cite_for_view),
                name="sources_datemention_cite_for",
            ),
        ]
        return views + super().get_urls()

    def candidates_view(self, request):
        """Event dates the importer found that no event cites yet, grouped by date, each in its passage."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        candidates = mention_candidates().select_related("passage__source")
        source = None
        if (source_id := request.GET.get("source", "")).isdigit():
            source = Source.objects.defer("text").filter(pk=source_id).first()
        if source is not None:
            candidates = candidates.filter(passage__source=source)
        mentions = list(candidates.order_by("lower", "upper", "edtf", "passage", "start"))
        covering_events_attach(mentions)
        sources = Source.objects.filter(passages__date_mentions__in=mention_candidates()).distinct().order_by("title")
        where = f" in “{source.title}”" if source else ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Candidate events{where}: {len(mentions)} dated sentence(s) no event cites yet",
            "mentions": mentions,
            "source": source,
            "sources": sources.only("pk", "title"),
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
        if request.htmx:
            # htmx swaps the candidate for this line: the page stays where the editor was reading.
            return HttpResponse(format_html('<p class="citeline-dismissed" role="status">Dismissed “{}”.</p>', mention.text))
        self.message_user(request, f"Dismissed “{mention.text}”.", messages.SUCCESS)
        return redirect(_candidates_url(request, mention))

    @method_decorator(require_POST)
    def cite_for_view(self, request, pk, event_pk):
        """The candidate's sentence becomes a citation of an event that already covers its date; then that event's page."""
        if not (request.user.has_perm("timeline.change_event") and request.user.has_perm("timeline.add_citation")):
            raise PermissionDenied
        mention = get_object_or_404(DateMention.objects.select_related("passage__source"), pk=pk)
        event = get_object_or_404(Event, pk=event_pk)
        citation_from_mention_create(mention=mention, event=event)
        self.message_user(request, f"“{event.title}” now cites “{mention.text}” (¶{mention.passage.ordinal}).", messages.SUCCESS)
        return redirect(reverse("admin:timeline_event_change", args=[event.pk]))


def _candidates_url(request, mention):
    """Back to the candidates, of the same source when the editor was looking at one, at the next candidate."""
    url = reverse("admin:sources_datemention_candidates")
    source = request.POST.get("source") or request.GET.get("source")
    return f"{url}?source={source}" if source and source.isdigit() else url


# A candidate is "covered" by an event whose dates overlap its own and which is no vaguer than a year:
# an event of "the 2010s" covers too much to be the same happening.
COVERING_MAX_DAYS = 366


def covering_events_attach(mentions):
    """mention.covering: events that already cover each candidate's date (one query for all the candidates)."""
    for mention in mentions:
        mention.covering = []
    dated = [mention for mention in mentions if mention.upper - mention.lower <= COVERING_MAX_DAYS * 10]
    if not dated:
        return
    lower, upper = min(m.lower for m in dated), max(m.upper for m in dated)
    events = list(
        Event.objects.filter(date_lower__lte=upper, date_upper__gte=lower)
        .filter(date_upper__lte=F("date_lower") + COVERING_MAX_DAYS)
        .only("pk", "title", "date", "display_date", "status", "date_lower", "date_upper")
        .order_by("date_lower", "title")[:500]
    )
    for mention in dated:
        mention.covering = [e for e in events if e.date_lower <= mention.upper and e.date_upper >= mention.lower][:3]


admin.site.unregister(Source)
admin.site.register(Source, SourceAdmin)
admin.site.unregister(DateMention)
admin.site.register(DateMention, DateMentionAdmin)

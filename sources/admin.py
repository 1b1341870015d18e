"""Documents in the Django admin: upload through the importer, read passages, versions and date mentions."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from sources.importing import document_import
from sources.ingest import ImportRefused
from sources.models import DateMention, Passage, Source, SourceType, SourceVersion


class PassageInline(admin.TabularInline):
    model = Passage
    fields = ["ordinal", "role", "role_reason", "language", "direction", "text"]
    readonly_fields = ["ordinal", "text", "role_reason", "language", "direction"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # passages come from the importer, so their offsets always hold


class SourceVersionInline(admin.TabularInline):
    model = SourceVersion
    fields = ["number", "imported_at", "original_filename", "content_hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ["collapse"]

    def has_add_permission(self, request, obj=None):
        return False


class SourceUploadForm(forms.Form):
    """A document and the metadata a manifest entry would give it (sources.importing.document_import)."""

    file = forms.FileField(help_text="Plain text (UTF-8) or HTML. Re-uploading under an existing slug imports a new version.")
    slug = forms.SlugField(required=False, help_text="Identifies the source across re-imports; from the file name when empty.")
    title = forms.CharField(required=False, max_length=500, help_text="From the document when empty.")
    authors = forms.CharField(required=False, help_text="Separated by semicolons, in the document's order.")
    container = forms.CharField(required=False, max_length=300, label="Journal or site")
    type = forms.ChoiceField(choices=[("", "—")] + list(SourceType.choices), required=False, label="Source type")
    issued = forms.CharField(required=False, max_length=60, help_text="EDTF, e.g. 2023-07-16 or 2019~.")
    language = forms.CharField(required=False, max_length=16, help_text="e.g. en or fa; detected when empty.")
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https")
    license = forms.CharField(required=False, max_length=200)

    def clean_file(self):
        """Refuse a file by its size, before anything reads it (larger uploads wait in a temporary file, not in memory)."""
        upload = self.cleaned_data["file"]
        limit = settings.CITELINE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                "%(name)s: too large (%(size)s bytes; the limit is %(limit)s). Split the document, or raise CITELINE_IMPORT_MAX_BYTES.",
                code="too_large",
                params={"name": upload.name, "size": f"{upload.size:,}", "limit": f"{limit:,}"},
            )
        return upload

    def metadata(self):
        data = {name: value for name, value in self.cleaned_data.items() if name != "file"}
        data["authors"] = [name.strip() for name in data.get("authors", "").split(";") if name.strip()]
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "source_type", "issued", "language", "passage_count"]
    list_filter = ["source_type", "language", "media_type"]
    search_fields = ["title", "slug", "container", "authors", "notes"]
    readonly_fields = ["text", "content_hash", "original_filename", "media_type", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SourceVersionInline, PassageInline]
    change_list_template = "admin/sources/source/change_list.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "authors", "container", "source_type", "issued", "language"]}),
        ("Provenance", {"fields": ["url", "accessed", "license", "license_url", "notes"]}),
        (
            "Imported text",
            {
                "classes": ["collapse"],
                "fields": ["original_filename", "media_type", "content_hash", "created_at", "updated_at", "text"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_passage_counts()

    @admin.display(ordering="passage_count", description="passages")
    def passage_count(self, source):
        return source.passage_count

    def get_urls(self):
        return [path("upload/", self.admin_site.admin_view(self.upload_view), name="sources_source_upload")] + super().get_urls()

    def upload_view(self, request):
        """Upload a text or HTML document: the same checks and import as `manage.py import_sources`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SourceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = document_import(raw=upload.read(), filename=upload.name, metadata=form.metadata())
            except ImportRefused as exc:
                form.add_error("file" if str(exc).startswith(upload.name) else None, str(exc))
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                return redirect(reverse("admin:sources_source_change", args=[result.source.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload a document",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/sources/source/upload.html", context)


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "ordinal", "role", "language", "direction"]
    list_filter = ["role", "direction", "language", "source"]
    search_fields = ["text", "source__title", "source__slug"]
    list_select_related = ["source"]
    readonly_fields = ["source", "ordinal", "start", "end", "text", "language", "direction"]
    fields = ["source", "ordinal", "start", "end", "text", "role", "role_reason", "language", "direction"]

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        """Citation autocomplete offers citable passages only, unless the editor asks for boilerplate."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "citation":
            queryset = queryset.citable()
        return queryset, may_have_duplicates


@admin.register(DateMention)
class DateMentionAdmin(admin.ModelAdmin):
    list_display = ["text", "edtf", "first_day", "last_day", "precision", "calendar", "role", "source_slug", "dismissed"]
    list_filter = ["role", "calendar", "precision", "dismissed", "passage__source"]
    search_fields = ["text", "edtf", "passage__text", "passage__source__title"]
    list_select_related = ["passage__source"]
    readonly_fields = [
        "passage", "start", "end", "sentence_start", "sentence_end", "text", "edtf", "first_day", "last_day",
        "precision", "calendar", "dismissed_by", "dismissed_at",
    ]  # fmt: skip
    fields = [
        "passage",
        "text",
        ("start", "end"),
        "edtf",
        ("first_day", "last_day"),
        "precision",
        "calendar",
        "role",
        "dismissed",
        "dismissed_by",
        "dismissed_at",
    ]

    def has_add_permission(self, request):
        return False  # mentions come from the importer

    @admin.display(ordering="lower", description="first day")
    def first_day(self, mention):
        return mention.first.isoformat() or "open"

    @admin.display(ordering="upper", description="last day")
    def last_day(self, mention):
        return mention.last.isoformat() or "open"

    @admin.display(ordering="passage__source__slug", description="source")
    def source_slug(self, mention):
        return format_html("{} ¶{}", mention.passage.source.slug, mention.passage.ordinal)


@admin.register(SourceVersion)
class SourceVersionAdmin(admin.ModelAdmin):
    list_display = ["source", "number", "imported_at", "original_filename"]
    list_filter = ["source"]
    readonly_fields = ["source", "number", "text", "content_hash", "original_filename", "imported_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

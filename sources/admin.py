"""Documents in the Django admin: upload through the importer, read passages, versions and date mentions."""

import json
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from sources.forms import NaturalDateField, SlugFromNameForm
from sources.importing import document_import, url_import
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
    fields = ["number", "imported_at", "original_filename", "content_hash", "fetched_url", "archive"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ["collapse"]

    def has_add_permission(self, request, obj=None):
        return False


# An upload the form refused for another field is kept, named by a signed token, so that the editor
# corrects the field without choosing the file again (a browser never re-fills a file input). It is
# kept in the default storage, not on this process's disk: the corrected form may reach another web
# process. Its name starts with the time it was kept, so that old ones are found without asking the
# storage for file times (which not every storage gives).
KEPT_UPLOADS = "kept-uploads"
KEPT_UPLOAD_SALT = "citeline.sources.kept-upload"
KEPT_UPLOAD_MAX_AGE = 3600  # seconds: how long a token is good for
KEPT_UPLOAD_EXPIRY = 86400  # seconds: kept files older than this are deleted when another is kept
KEPT_UPLOAD_KEY_RE = re.compile(r"^(?P<kept_at>\d+)-[0-9a-f]{32}$")


def upload_keep(upload):
    """Store an upload's bytes for the next try of the form (deleting kept files older than a day); a signed token naming it."""
    kept_uploads_expire()
    key = f"{int(time.time())}-{secrets.token_hex(16)}"
    default_storage.save(f"{KEPT_UPLOADS}/{key}", ContentFile(upload.read()))
    upload.seek(0)
    return signing.dumps({"key": key, "name": upload.name}, salt=KEPT_UPLOAD_SALT)


def _kept_upload_path(token):
    """The storage name a token points to, or None when the token is wrong or too old."""
    try:
        data = signing.loads(token, salt=KEPT_UPLOAD_SALT, max_age=KEPT_UPLOAD_MAX_AGE)
        if KEPT_UPLOAD_KEY_RE.match(str(data["key"])):
            return f"{KEPT_UPLOADS}/{data['key']}", data["name"]
    except (signing.BadSignature, KeyError, TypeError):
        pass
    return None


def upload_kept(token):
    """(file name, bytes) of a kept upload, or None when the token is wrong, too old or its file is gone."""
    found = _kept_upload_path(token)
    if found is None:
        return None
    path, name = found
    try:
        with default_storage.open(path, "rb") as file:
            return name, file.read()
    except OSError:  # FileNotFoundError among them: deleted as expired, or by hand
        return None


def upload_kept_delete(token):
    """The kept upload is imported: nothing left to keep."""
    if found := _kept_upload_path(token):
        default_storage.delete(found[0])


def kept_uploads_expire(*, now=None):
    """Delete kept uploads older than KEPT_UPLOAD_EXPIRY (their tokens expired long ago); how many were deleted."""
    now = time.time() if now is None else now
    try:
        _, names = default_storage.listdir(KEPT_UPLOADS)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        match = KEPT_UPLOAD_KEY_RE.match(name)
        if match and now - int(match["kept_at"]) > KEPT_UPLOAD_EXPIRY:
            default_storage.delete(f"{KEPT_UPLOADS}/{name}")
            deleted += 1
    return deleted


class SourceUploadForm(forms.Form):
    """A document and its metadata (sources.importing.document_import, as a manifest entry gives them to the command)."""

    file = forms.FileField(
        required=False,
        help_text="Plain text (UTF-8), HTML or PDF. Re-uploading under an existing slug imports a new version.",
    )
    kept_file = forms.CharField(required=False, widget=forms.HiddenInput)
    slug = forms.SlugField(required=False, help_text="Identifies the source across re-imports; from the file name when empty.")
    title = forms.CharField(required=False, max_length=500, help_text="From the document when empty.")
    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="One name per line, in the document's order, e.g. Jane Doe.",
    )
    container = forms.CharField(required=False, max_length=300, label="Journal or site")
    type = forms.ChoiceField(choices=[("", "—")] + list(SourceType.choices), required=False, label="Source type")
    issued = NaturalDateField(
        required=False, help_text="When it was published, in words or EDTF: 12 June 2024, July 2022, 2019~, 2023-07-16."
    )
    language = forms.CharField(required=False, max_length=16, help_text="e.g. en or fa; detected when empty.")
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https")
    license = forms.CharField(required=False, max_length=200)

    def clean_file(self):
        """Refuse a file by its size, before anything reads it (larger uploads wait in a temporary file, not in memory)."""
        upload = self.cleaned_data["file"]
        if upload is None:
            if not upload_kept(self.data.get("kept_file", "")):
                raise forms.ValidationError("Choose the document to upload: a text (UTF-8) or HTML file.", code="required")
            return None
        limit = settings.CITELINE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                "%(name)s: too large (%(size)s bytes; the limit is %(limit)s). Split the document, or raise CITELINE_IMPORT_MAX_BYTES.",
                code="too_large",
                params={"name": upload.name, "size": f"{upload.size:,}", "limit": f"{limit:,}"},
            )
        return upload

    def document(self):
        """(file name, bytes) of the chosen file, or of the one kept from the previous try."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload.name, upload.read()
        return upload_kept(self.cleaned_data.get("kept_file", ""))

    def kept_name(self):
        kept = upload_kept(self.data.get("kept_file", "")) if self.is_bound else None
        return kept[0] if kept else ""

    def metadata(self):
        data = {name: value for name, value in self.cleaned_data.items() if name not in ("file", "kept_file")}
        # One name per line; semicolons still separate names, as they did before.
        data["authors"] = [
            name.strip() for line in data.get("authors", "").splitlines() for name in line.split(";") if name.strip()
        ]
        data["issued"] = data["issued"].edtf if data.get("issued") else ""
        return data


class SourceFromUrlForm(forms.Form):
    """A page's address: fetched, archived (WARC) and imported by sources.importing.url_import."""

    url = forms.URLField(
        max_length=1000,
        assume_scheme="https",
        label="Address (URL)",
        help_text="An http(s) page, PDF or text file. Its bytes are kept as an archived copy (WARC) beside the source.",
    )
    slug = forms.SlugField(required=False, help_text="From the address when empty; an existing slug imports a new version.")

    def metadata(self):
        return {"slug": self.cleaned_data.get("slug")}


class AuthorsField(forms.CharField):
    """Author names one per line (stored as a list), never the raw JSON "[]"."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(name) for name in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = (value or "").strip()
        if text[:1] in ("[", "{", '"'):
            # JSON pasted as it was shown before: read as JSON, so the model's check names what is wrong with it.
            try:
                return json.loads(text)
            except ValueError:
                pass
        return [name.strip() for name in text.splitlines() if name.strip()]


class SourceAdminForm(SlugFromNameForm):
    slug_source = "title"
    authors = AuthorsField(required=False, help_text="One name per line, in the order the document gives them.")
    issued = NaturalDateField(
        required=False, help_text="When it was published, in words or EDTF: 12 June 2024, July 2022, 2019~."
    )

    class Meta:
        model = Source
        fields = "__all__"

    def clean_issued(self):
        bounds = self.cleaned_data["issued"]
        return bounds.edtf if bounds else ""


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = ["title", "slug", "source_type", "issued", "language", "passage_count"]
    list_filter = ["source_type", "language", "media_type"]
    search_fields = ["title", "slug", "container", "authors", "notes"]
    readonly_fields = ["text", "content_hash", "original_filename", "media_type", "created_at", "updated_at"]
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
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="sources_source_upload"),
            path("add-from-url/", self.admin_site.admin_view(self.from_url_view), name="sources_source_from_url"),
        ] + super().get_urls()

    def from_url_view(self, request):
        """Add from URL: fetch the page (limits as `import_sources https://…`), keep the archived copy, import it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SourceFromUrlForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = url_import(url=form.cleaned_data["url"], metadata=form.metadata())
            except ImportRefused as exc:
                form.add_error("url", str(exc))
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                return redirect(self.upload_done_url(result.source))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add from URL",
            "media": self.media + form.media,
            "from_url": True,
        }
        return TemplateResponse(request, "admin/sources/source/upload.html", context)

    def upload_done_url(self, source):
        """Where an upload leads: the new document (the timeline's admin leads to its candidate events instead)."""
        return reverse("admin:sources_source_change", args=[source.pk])

    def add_view(self, request, form_url="", extra_context=None):
        """A source comes from a document: "Add" is the upload (a metadata-only form would make a source without text)."""
        return redirect(reverse("admin:sources_source_upload"))

    def upload_view(self, request):
        """Upload a text, HTML or PDF document: the same checks and import as `manage.py import_sources`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SourceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            name, raw = form.document()
            try:
                result = document_import(raw=raw, filename=name, metadata=form.metadata())
            except ImportRefused as exc:
                # The importer speaks to manifests too: an upload's metadata is this form.
                message = str(exc).replace("Fix the manifest entry.", "Correct it in the form below.")
                form.add_error(None, message)
            else:
                if form.cleaned_data.get("file") is None:
                    upload_kept_delete(form.cleaned_data.get("kept_file", ""))
                self.message_user(request, result.summary(), messages.SUCCESS)
                return redirect(self.upload_done_url(result.source))
        if form.is_bound and form.errors and request.FILES.get("file") and "file" not in form.errors:
            # Refused for another field: the file waits on the server for the corrected form.
            data = form.data.copy()
            data["kept_file"] = upload_keep(request.FILES["file"])
            form = _refused_form(form, data)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload a document",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/sources/source/upload.html", context)


def _refused_form(form, data):
    """The same refused form, its errors kept, now carrying the kept file's token."""
    errors = form.errors
    kept = SourceUploadForm(data)
    kept._errors = errors
    kept.cleaned_data = {}
    return kept


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

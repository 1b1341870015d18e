from django.contrib import admin

from sources.models import Passage, Source


class PassageInline(admin.TabularInline):
    model = Passage
    fields = ["ordinal", "role", "role_reason", "language", "direction", "text"]
    readonly_fields = ["ordinal", "text", "role_reason", "language", "direction"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # passages come from the importer, so their offsets always hold


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "source_type", "issued", "language", "passage_count"]
    list_filter = ["source_type", "language", "media_type"]
    search_fields = ["title", "slug", "container", "authors", "notes"]
    readonly_fields = ["text", "content_hash", "original_filename", "media_type", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PassageInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "authors", "container", "source_type", "issued", "language"]}),
        ("Provenance", {"fields": ["url", "accessed", "license", "license_url", "notes"]}),
        ("Imported text", {"classes": ["collapse"], "fields": ["original_filename", "media_type", "content_hash", "created_at", "updated_at", "text"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_passage_counts()

    @admin.display(ordering="passage_count", description="passages")
    def passage_count(self, source):
        return source.passage_count


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

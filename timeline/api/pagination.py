"""Pages and sort orders of the API's lists: stable, so that pages never overlap."""

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

from timeline.caching import cached_by_version, version_key
from timeline.permissions import can_see_drafts

# Parameters that change which page is shown, not how many items there are.
NOT_COUNTED = ("page", "page_size", "format", "ordering")


class Pagination(PageNumberPagination):
    """?page=N (and ?page_size=N up to 500); the order always ends on the primary key, so pages never overlap."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        """
        The total (`count`) is a COUNT over every matching item: kept under the content version, so that
        it is counted once per edit and filter rather than on every page, and stays exact.
        """
        key = version_key(
            "api-count", path=request.path, params=request.query_params, drafts=can_see_drafts(request.user), drop=NOT_COUNTED
        )

        class Paginator(DjangoPaginator):
            @cached_property
            def count(self):
                return cached_by_version(key, lambda: DjangoPaginator.count.func(self))

        self.django_paginator_class = Paginator
        return super().paginate_queryset(queryset, request, view)


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

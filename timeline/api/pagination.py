"""Pages and sort orders of the API's lists: stable, so that pages never overlap."""

from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination


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

"""Reads that are more than one filter."""

from django.db.models import Q


def events_search(queryset, query):
    """
    Events whose title, annotation or cited quotes contain every word of `query`
    (case-insensitive). Works on every database; PostgreSQL full-text ranking can replace it.
    """
    for word in query.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(annotation__icontains=word) | Q(citations__quote__icontains=word)
        )
    return queryset

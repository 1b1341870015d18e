"""
The one definition of how events are filtered. The timeline page, the embed widget, the feeds,
the exports and the API all use EventFilter, so they can never disagree about what a URL means.
"""

import django_filters
from django import forms

from sources.forms import NaturalDateField
from sources.models import Source
from timeline.models import Actor, Event, Theme, Timeline
from timeline.permissions import DRAFTS_PARAMETER, can_see_drafts
from timeline.selectors import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, events_search, search_words


class SearchField(forms.CharField):
    """Search text cut to its first SEARCH_MAX_WORDS words (of its first SEARCH_MAX_LENGTH characters): the work a search costs is bounded."""

    def clean(self, value):
        return " ".join(search_words(super().clean(value) or ""))


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class NaturalDateFilter(django_filters.Filter):
    field_class = NaturalDateField


class TimelineFilter(django_filters.ModelChoiceFilter):
    """A timeline by its slug: a draft one only where its EventFilter shows drafts."""

    def get_queryset(self, request):
        return Timeline.objects.all() if self.parent.drafts else Timeline.objects.published()


class EventFilter(django_filters.FilterSet):
    q = SearchFilter(method="filter_search", label="Search", help_text="Words in titles, annotations and quotes.")
    actor = django_filters.ModelMultipleChoiceFilter(
        field_name="actors__slug", to_field_name="slug", queryset=Actor.objects.all(), label="Actors",
        help_text="Events involving any of these actors.",
    )  # fmt: skip
    theme = django_filters.ModelMultipleChoiceFilter(
        field_name="themes__slug", to_field_name="slug", queryset=Theme.objects.all(), label="Themes",
        help_text="Events about any of these themes.",
    )  # fmt: skip
    source = django_filters.ModelMultipleChoiceFilter(
        field_name="citations__passage__source__slug", to_field_name="slug", queryset=Source.objects.all(), label="Sources",
        help_text="Events citing any of these sources.",
    )  # fmt: skip
    timeline = TimelineFilter(
        field_name="timelines", to_field_name="slug", queryset=Timeline.objects.published(),
        label="Timeline", help_text="Events of this timeline (its slug; /api/timelines/ lists them).", method="filter_timeline",
        error_messages={"invalid_choice": "There is no published timeline “%(value)s”: /timelines/ and /api/timelines/ list them."},
    )  # fmt: skip
    date_from = NaturalDateFilter(method="filter_from", label="From", help_text="e.g. 2003, March 2003, 2003-03-20.")
    date_to = NaturalDateFilter(method="filter_to", label="To", help_text="e.g. 2015, July 2022.")
    turning_point = django_filters.BooleanFilter(
        field_name="is_turning_point", label="Turning points only", widget=forms.CheckboxInput,
        method="filter_turning_point",
    )  # fmt: skip

    class Meta:
        model = Event
        fields = ["q", "timeline", "actor", "theme", "source", "date_from", "date_to", "turning_point"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, drafts=None):
        """
        Drafts, the rule for every surface: draft events and draft timelines are shown to an editor's
        request only, where the surface offers them (`drafts`): by default when the editor asks
        (?drafts=1: the pages' "Show drafts", the widget's preview); the API offers them always
        (drafts=True). Anyone else, and a filter without a request (a feed, the widget every visitor
        shares), gets no draft event whatever `queryset` holds, and published timelines only; the user
        is not even read (no session) unless drafts are offered. Without `queryset`: the events the request may see.
        """
        offered = drafts if drafts is not None else request is not None and request.GET.get(DRAFTS_PARAMETER) == "1"
        self.drafts = bool(offered and request is not None and can_see_drafts(request.user))
        if queryset is None:
            queryset = Event.objects.all() if self.drafts else Event.objects.published()
        elif not self.drafts:
            queryset = queryset.filter(status=Event.Status.PUBLISHED)
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_queryset(self, queryset):
        return self.filter_queryset_except(queryset)

    def filter_queryset_except(self, queryset, *names):
        """
        The queryset filtered by every valid filter but `names`: facet counts for actors reflect
        every active filter except the actor filter itself. An invalid value (an unreadable date)
        is left out, and the form says why.
        """
        self.errors  # validates the form, filling cleaned_data with the valid values only
        for name, value in (self.form.cleaned_data if self.is_bound else {}).items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        # Several actors, themes or sources join to many rows; one event must still appear once.
        return queryset.distinct()

    # Filters on the event's own columns: they never multiply rows, so they need no DISTINCT.
    OWN_COLUMNS = ("date_from", "date_to", "turning_point")

    def filter_queryset_own_columns(self, queryset):
        """
        `queryset` narrowed by the valid filters on the event's own columns only (dates, turning points),
        without DISTINCT: a page query sorted by date can then walk the date index from the first date asked for.
        """
        self.errors
        for name, value in (self.form.cleaned_data if self.is_bound else {}).items():
            if name in self.OWN_COLUMNS:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def active(self):
        """Names of the filters that narrow the timeline (valid and non-empty)."""
        self.errors
        # Selected actors, themes and sources are already fetched by validation: no query here.
        return [name for name, value in (self.form.cleaned_data if self.is_bound else {}).items() if value]

    @property
    def active_count(self):
        """How many filters narrow the timeline, each chosen actor, theme or source counted once: the "Filters (N)" button."""
        values = (self.form.cleaned_data if self.is_bound else {}).items() if self.active else ()
        return sum(len(value) if name in ("actor", "theme", "source") else 1 for name, value in values if value)

    @property
    def dates_reversed(self):
        """
        (From, To) as typed when both are dates and From starts after To ends, so that nothing can match
        ("From 2020 is after To 2010"); None otherwise.
        """
        self.errors
        cleaned = self.form.cleaned_data if self.is_bound else {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start is None or end is None or start.lower <= end.upper:
            return None
        return self.data.get("date_from", "").strip(), self.data.get("date_to", "").strip()

    @property
    def notices(self):
        """What the filters did not do as asked, for the page and the API to say: words of a long search left out."""
        raw = self.data.get("q", "") if self.is_bound else ""
        if not isinstance(raw, str) or len(search_words(raw)) == len(raw.split()):
            return []
        return [
            f"only the first {SEARCH_MAX_WORDS} words (and {SEARCH_MAX_LENGTH} characters) of the search were used; "
            "the rest were left out"
        ]

    def filter_search(self, queryset, name, value):
        return events_search(queryset, value) if value.strip() else queryset

    def filter_timeline(self, queryset, name, timeline):
        return queryset.in_timeline(timeline) if timeline else queryset

    def filter_from(self, queryset, name, bounds):
        return queryset.between(lower=bounds.lower)

    def filter_to(self, queryset, name, bounds):
        return queryset.between(upper=bounds.upper)

    def filter_turning_point(self, queryset, name, value):
        return queryset.filter(is_turning_point=True) if value else queryset

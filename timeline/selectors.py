"""Reads that are more than one filter: search, the timeline's pages, facet counts and key moments."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL, Window
from django.db.models.functions import RowNumber

from sources.dates import OPEN_LOWER, day_year_expression
from sources.models import DateMention, Passage, Source
from timeline.models import EVENT_FTS_TABLE, SEARCH_CONFIG, Actor, Citation, Event, Theme, Timeline, event_quotes_text
from timeline.tallies import facet_rows, tallied_timeline, tally_total, timeline_tally_annotations

# A search reads at most this much: the work (and the SQL) a search costs must not grow with what a visitor types.
SEARCH_MAX_WORDS = 20
SEARCH_MAX_LENGTH = 300
# Marks around the words SearchHeadline matched: private-use characters no text contains, so the
# snippet can be escaped first and marked up after (see the `snippet` template filter).
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"


def _is_postgresql(queryset):
    return connections[queryset.db].vendor == "postgresql"


def _search_query(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def search_words(query):
    """The words a search uses: the first SEARCH_MAX_WORDS of its first SEARCH_MAX_LENGTH characters."""
    return query[:SEARCH_MAX_LENGTH].split()[:SEARCH_MAX_WORDS]


def _like(word):
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_matching(words):
    """
    SQLite: one subquery over the FTS5 trigram index (EVENT_FTS_TABLE) for ids of events in which every
    word appears, case-insensitively, anywhere in the title, annotation or quotes. Trigrams match
    inside words, like icontains did; words under three letters, which trigrams cannot index, are
    read with LIKE on the same table.
    """
    long_words = [word for word in words if len(word) >= 3]
    conditions, params = [], []
    if long_words:
        conditions.append(f"{EVENT_FTS_TABLE} MATCH %s")
        params.append(" AND ".join('"' + word.replace('"', '""') + '"' for word in long_words))
    for word in words:
        if len(word) < 3:
            conditions.append("(title LIKE %s ESCAPE '\\' OR annotation LIKE %s ESCAPE '\\' OR quotes LIKE %s ESCAPE '\\')")
            params += [_like(word)] * 3
    return RawSQL(f"SELECT rowid FROM {EVENT_FTS_TABLE} WHERE {' AND '.join(conditions)}", params)


def events_search(queryset, query):
    """
    Events whose title, annotation or cited quotes match `query` (its first SEARCH_MAX_WORDS words). On
    PostgreSQL, full-text search (websearch syntax: "quoted phrases", or, -not) on the stored,
    GIN-indexed vector; on SQLite every word must appear somewhere, case-insensitively, found through
    an FTS5 index; one subquery whatever the number of words.
    """
    words = search_words(query)
    if not words:
        return queryset
    if _is_postgresql(queryset):
        return queryset.filter(search_vector=_search_query(" ".join(words)))
    if connections[queryset.db].vendor == "sqlite":
        return queryset.filter(pk__in=_fts_matching(words))
    for word in words:
        quoted = Citation.objects.evidence().filter(quote__icontains=word).values("event_id")
        queryset = queryset.filter(Q(title__icontains=word) | Q(annotation__icontains=word) | Q(pk__in=quoted))
    return queryset


def events_rank(queryset, query):
    """
    Annotate `search_rank` (higher is better) and, on PostgreSQL, `search_snippet`: the cited quotes
    (never the annotation, which the page shows in full just below) around the matched words, which
    sit between SNIPPET_START and SNIPPET_STOP.
    """
    query = " ".join(search_words(query))
    if _is_postgresql(queryset):
        search_query = _search_query(query)
        return queryset.annotate(
            search_rank=SearchRank(F("search_vector"), search_query),
            search_snippet=SearchHeadline(
                event_quotes_text(), search_query, config=SEARCH_CONFIG,
                start_sel=SNIPPET_START, stop_sel=SNIPPET_STOP, max_words=30, min_words=12, max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )  # fmt: skip
    in_title = Q()
    for word in query.split():
        in_title &= Q(title__icontains=word)
    return queryset.annotate(search_rank=Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField()))


# Markdown's inline marks (emphasis, code, links' brackets): a snippet shows words, never syntax.
_MARKDOWN_MARKS = re.compile(r"(\*{1,3}|_{2,3}|`+)(?=\S)(.+?)(?<=\S)\1|!?\[([^\]]*)\]\([^)]*\)")


def snippet_plain(text):
    """`text` with Markdown's inline marks dropped ("**S-300**" → "S-300", "[a](url)" → "a")."""
    return _MARKDOWN_MARKS.sub(lambda match: match.group(2) if match.group(2) is not None else match.group(3), text)


def snippet_python(text, query, *, width=220):
    """
    The fallback snippet (SQLite): a window of about `width` characters of `text` around the first
    matched word, cut between words, with an ellipsis where it cuts, the matched words marked.
    """
    words = [re.escape(word) for word in query.split() if word]
    text = snippet_plain(text or "")
    if not words or not text:
        return ""
    pattern = re.compile("|".join(words), re.IGNORECASE)
    match = pattern.search(text)
    if match is None:
        return ""
    start = max(0, match.start() - width // 3)
    end = min(len(text), start + width)
    if start > 0:  # start after the space before the cut word (never past the match)
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
    if end < len(text):  # end before the cut word (never before the match)
        space = text.rfind(" ", match.end(), end + 1)
        end = space if space >= 0 else max(end, match.end())
    body = text[start:end].strip(" …")
    window = ("…" if start else "") + body + ("…" if end < len(text) else "")
    return pattern.sub(lambda m: f"{SNIPPET_START}{m.group(0)}{SNIPPET_STOP}", window)


def snippet_headline(headline, quotes):
    """
    PostgreSQL's headline of the quotes (whole words already) with Markdown's marks dropped and an
    ellipsis where it starts after the quotes' start or ends before their end.
    """
    if not headline:
        return ""
    plain = snippet_plain(headline)
    shown = plain.replace(SNIPPET_START, "").replace(SNIPPET_STOP, "")
    text = snippet_plain(quotes)
    leading = "" if text.startswith(shown.split(" … ")[0]) else "…"
    trailing = "" if text.endswith(shown.split(" … ")[-1]) else "…"
    return f"{leading}{plain}{trailing}"


def event_year():
    """The astronomical year an event is filed under: its first possible year, or its last for "before 2000"."""
    return Case(
        When(date_lower=OPEN_LOWER, then=day_year_expression("date_upper")),
        default=day_year_expression("date_lower"),
        output_field=BigIntegerField(),
    )


def citations_in_context():
    """Citations as the event page shows them: with the last ordinal of their source, for "next passage"."""
    last_ordinal = (
        Passage.objects.filter(source_id=OuterRef("passage__source_id"))
        .order_by()
        .values("source_id")
        .annotate(last=Max("ordinal"))
        .values("last")
    )
    return (
        Citation.objects.for_reader().annotate(last_ordinal=Subquery(last_ordinal))
        .prefetch_related(Prefetch("passage__citations", queryset=Citation.objects.in_passage_order()))
    )  # fmt: skip


@dataclass
class EventPage:
    events: list
    number: int
    has_next: bool
    previous_year: int | None = None  # year of the event just before this page, to continue its heading


def events_page(filterset, *, per_page, page=1, sort="date"):
    """
    One page of the filtered timeline in a fixed number of queries: the events (with the one just
    before the page, for its year heading, and one after it, to know whether there are more), then
    their actors, themes and citations.
    """
    filterset.errors  # validates: cleaned_data holds the valid values only
    query = ((filterset.form.cleaned_data if filterset.is_bound else {}).get("q") or "").strip()
    # Filtering happens in a correlated EXISTS, so the outer query needs no DISTINCT, computes ranks and
    # snippets for the rows of this page only, and can walk the date index (event_date_order_idx) in
    # order, stopping after one page, instead of sorting every matching event. The filters on the
    # event's own columns are repeated outside, so that the walk starts at the first date asked for.
    matching = filterset.qs.filter(pk=OuterRef("pk"))
    queryset = filterset.filter_queryset_own_columns(Event.objects.all()).filter(Exists(matching)).annotate(year=event_year())
    order = ["date_lower", "date_upper", "title"]
    if query:
        queryset = events_rank(queryset, query)
        if sort == "relevance":
            order = ["-search_rank", *order]
    offset = (page - 1) * per_page
    start = max(offset - 1, 0)
    rows = list(queryset.order_by(*order).for_reader()[start : offset + per_page + 1])
    previous = rows.pop(0) if offset and rows else None
    events = rows[:per_page]
    if query:
        # Snippets come from the quotes only: the title and the annotation are shown in full anyway.
        for event in events:
            quotes = " … ".join(citation.quote for citation in event.citations.all() if citation.quote)
            if _is_postgresql(queryset):
                event.search_snippet = (
                    snippet_headline(event.search_snippet, quotes) if SNIPPET_START in event.search_snippet else ""
                )
            else:
                event.search_snippet = snippet_python(quotes, query)
    return EventPage(
        events=events,
        number=page,
        has_next=len(rows) > per_page,
        previous_year=previous.year if previous is not None and sort != "relevance" else None,
    )


@dataclass
class Facet:
    slug: str
    name: str
    count: int
    selected: bool = False


class FacetOptions(list):
    """The options a facet lists, with how many more there are (reached through the type-ahead)."""

    hidden = 0


@dataclass
class Facets:
    actor: list = field(default_factory=FacetOptions)
    theme: list = field(default_factory=FacetOptions)
    source: list = field(default_factory=FacetOptions)

    def listed(self, leaders, *, limit, all_up_to):
        """
        These facets cut to the `limit` options that lead `leaders` (the unfiltered facets: so the list stays
        put while filters change and htmx updates its counts in place) and the selected ones; the rest are
        counted in `hidden`. A page stays small whatever the number of actors, themes and sources; a facet of
        at most `all_up_to` options is listed whole.
        """
        trimmed = Facets()
        for kind in ("actor", "theme", "source"):
            if len(getattr(self, kind)) <= all_up_to:  # a short list is shown whole
                setattr(trimmed, kind, FacetOptions(getattr(self, kind)))
                continue
            keep = {option.slug for option in getattr(leaders, kind)[:limit]}
            options = FacetOptions(option for option in getattr(self, kind) if option.slug in keep or option.selected)
            options.hidden = len(getattr(self, kind)) - len(options)
            setattr(trimmed, kind, options)
        return trimmed


def event_facets(filterset, queryset, *, tallies_of=None):
    """
    Counts of events per actor, theme and source, each reflecting every active filter but its own
    (choosing a second actor shows how many events it adds): one query, a UNION of three aggregates.
    `tallies_of`: the timeline whose published events `queryset` is (never with drafts); unfiltered,
    its counts are then read from the kept tallies (timeline.tallies), the same facets in the same order.
    """
    timeline = tallied_timeline(filterset, tallies_of)
    rows = facet_rows(timeline) if timeline is not None else _facet_rows_live(filterset, queryset)
    selected = {
        name: set(filterset.form.data.getlist(name)) if hasattr(filterset.form.data, "getlist") else set()
        for name in ("actor", "theme", "source")
    }
    facets, seen = Facets(), {}
    for kind, slug, name, count in rows:
        if (kind, slug) in seen:
            seen[kind, slug].count = max(seen[kind, slug].count, count)
            continue
        seen[kind, slug] = facet = Facet(slug=slug, name=name, count=count, selected=slug in selected[kind])
        getattr(facets, kind).append(facet)
    for options in (facets.actor, facets.theme, facets.source):
        options.sort(key=lambda facet: (-facet.count, facet.name.lower()))
    return facets


def _facet_rows_live(filterset, queryset):
    """(facet, slug, name, count) rows counted from the matching events' links (event_facets)."""

    # Counted from the link rows up (event–actor, event–theme, citation), each kept when its event
    # matches (a correlated EXISTS the database runs as one hash semi-join): one pass over the links,
    # where counting per option through `IN (SELECT DISTINCT …)` re-read the matching events per option.
    def matching(*skip):
        return filterset.filter_queryset_except(queryset, *skip)

    def event_matches(events, column="event_id"):
        return Exists(events.filter(pk=OuterRef(column)))

    columns = ("facet", "slug", "name", "count")

    def linked(link_model, kind, name):
        """(facet, slug, name, count) per option of `kind`, counted over the events every other filter keeps."""
        counted = (
            link_model.objects.filter(event_matches(matching(kind))).order_by()
            .values(f"{kind}__slug", f"{kind}__name")
            .annotate(facet=Value(kind), count=Count("event_id"))
            .values_list("facet", f"{kind}__slug", f"{kind}__name", "count")
        )  # fmt: skip
        if not filterset.active:
            return [counted]
        # Listed with 0: the options of `queryset`'s events that the other filters leave without any
        # (one only a draft names stays unknown to readers). Each is a probe that stops at its first event.
        options = name.objects.filter(Exists(link_model.objects.filter(**{kind: OuterRef("pk")}).filter(event_matches(queryset))))
        return [counted, options.order_by().annotate(facet=Value(kind), count=Value(0)).values_list(*columns)]

    parts = [*linked(Event.actors.through, "actor", Actor), *linked(Event.themes.through, "theme", Theme)]
    # Sources count from the citations up (a citation's passage by its primary key), never from the
    # passages down: a source of 200,000 passages costs no more than one of ten. Sources nothing cites
    # come with 0 and are merged below.
    cited = (
        Citation.objects.evidence().filter(event_matches(matching("source"))).order_by()
        .values("passage__source__slug", "passage__source__title")
        .annotate(facet=Value("source"), count=Count("event", distinct=True))
    )  # fmt: skip
    every_source = Source.objects.order_by().annotate(facet=Value("source"), count=Value(0))
    return parts[0].union(
        *parts[1:],
        cited.values_list("facet", "passage__source__slug", "passage__source__title", "count"),
        every_source.values_list("facet", "slug", "title", "count"),
        all=True,
    )


def event_counts(filterset, queryset, *, tallies_of=None):
    """
    How many events `queryset` holds and how many of them every active filter keeps: one query.
    `tallies_of` (as for event_facets): the total is its kept tally, and so is the matching count when unfiltered.
    """
    if tallies_of is not None:
        total = tally_total(tallies_of)
        matching = total if tallied_timeline(filterset, tallies_of) is not None else filterset.qs.order_by().count()
        return {"total": total, "matching": matching}
    return queryset.order_by().aggregate(total=Count("pk"), matching=Count("pk", filter=Q(pk__in=filterset.qs.values("pk"))))


def event_neighbours(event, timeline=None):
    """The published events just before and after `event` in timeline order: of `timeline` when given."""
    published = Event.objects.published().only("slug", "title", "date", "display_date", "date_lower", "date_upper")
    if timeline is not None:
        published = published.in_timeline(timeline)
    before = (
        Q(date_lower__lt=event.date_lower)
        | Q(date_lower=event.date_lower, date_upper__lt=event.date_upper)
        | Q(date_lower=event.date_lower, date_upper=event.date_upper, title__lt=event.title)
    )
    after = (
        Q(date_lower__gt=event.date_lower)
        | Q(date_lower=event.date_lower, date_upper__gt=event.date_upper)
        | Q(date_lower=event.date_lower, date_upper=event.date_upper, title__gt=event.title)
    )
    # The redundant bound on date_lower lets the database start its walk of the date index at the event.
    previous = published.filter(before, date_lower__lte=event.date_lower).order_by("-date_lower", "-date_upper", "-title").first()
    following = published.filter(after, date_lower__gte=event.date_lower).order_by("date_lower", "date_upper", "title").first()
    return previous, following


def mention_candidates():
    """
    Candidate events: event-role date mentions in citable passages that no editor has dismissed and
    whose sentence no citation of their passage touches yet.
    """
    touching = Citation.objects.filter(
        passage=OuterRef("passage"), start__lt=OuterRef("sentence_end"), end__gt=OuterRef("sentence_start")
    )
    return DateMention.objects.open_events().exclude(Exists(touching))


# How many turning points the list of timelines names under each timeline.
TIMELINE_TURNING_POINTS = 3
TURNING_POINT_ORDER = ("event__date_lower", "event__date_upper", "event__title")


def timeline_events(timeline, *, drafts=False):
    """
    The events a timeline's page shows: its published events. A draft timeline's page is for editors
    only (the views say who), and shows the events it will publish; `drafts` (an editor's preview,
    the views check who asks) shows its draft events too.
    """
    if drafts:
        events = Event.objects.all()
    elif timeline.status == Timeline.Status.PUBLISHED:
        events = Event.objects.published()
    else:
        events = Event.objects.filter(status=Event.Status.PUBLISHED)
    return events.in_timeline(timeline)


def key_moments(timeline, *, drafts=False, limit=None):
    """
    The turning points of `timeline` in its order (date, then title), with what a card shows: its date
    and title; the first `limit` of them when given. One query; drafts (an editor's preview) as
    timeline_events reads them.
    """
    moments = (
        timeline_events(timeline, drafts=drafts).filter(is_turning_point=True)
        .only("slug", "title", "date", "display_date", "date_lower", "date_upper", "date_precision", "is_turning_point")
        .order_by("date_lower", "date_upper", "title")
    )  # fmt: skip
    return list(moments if limit is None else moments[:limit])


def timelines_overview(user):
    """
    The timelines `user` may see (published ones for readers), each with its published events' count,
    turning-point count, first and last year (open ends left out; from the kept tallies) and its first
    few turning points: two queries.
    """
    timelines = list(
        Timeline.objects.visible_to(user).annotate(**timeline_tally_annotations()).order_by("-is_default", "title", "slug")
    )
    turning_points = (
        Event.timelines.through.objects.filter(
            timeline__in=[timeline.pk for timeline in timelines], event__status=Event.Status.PUBLISHED, event__is_turning_point=True
        )
        .select_related("event").only("timeline_id", "event__slug", "event__title", "event__date", "event__display_date",
                                      "event__date_lower", "event__date_upper", "event__date_precision")
        # The first few of each timeline only: a timeline of 100,000 events has thousands of turning points.
        .annotate(place=Window(RowNumber(), partition_by=F("timeline_id"), order_by=TURNING_POINT_ORDER))
        .filter(place__lte=TIMELINE_TURNING_POINTS)
        .order_by(*TURNING_POINT_ORDER)
    )  # fmt: skip
    by_timeline = {}
    for row in turning_points:
        by_timeline.setdefault(row.timeline_id, []).append(row.event)
    for timeline in timelines:
        timeline.turning_points = by_timeline.get(timeline.pk, [])
    return timelines

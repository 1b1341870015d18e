"""
Exports of any filtered list of events, served by the events API as `?format=…`:
CSV, iCalendar, TimelineJS 3 JSON, and the cited sources as CSL-JSON and BibTeX.

The builders are pure functions of events already fetched with `Event.objects.for_reader()` (actors,
themes and citations prefetched), so an export costs the same few queries as one page of the API.
"""

import csv
import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from rest_framework.renderers import BaseRenderer

from timeline.citing import page_locator, source_bibtex, source_csl_json
from timeline.models import Event, Period, Timeline
from timeline.timelinejs import events_timelinejs

CSV_COLUMNS = [
    "slug", "title", "date", "date_lower", "date_upper", "date_precision", "date_display", "turning_point", "status",
    "actors", "themes", "annotation", "url", "citations", "sources", "quotes", "claimed_dates", "dates_disputed",
]  # fmt: skip
# Cells a spreadsheet would run as a formula are prefixed with an apostrophe (CSV injection, as OWASP advises).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def timeline_title():
    return getattr(settings, "CITELINE_TITLE", "Citeline timeline")


@dataclass
class Export:
    """What an export renders: events (for_reader) and the request, for absolute links."""

    events: list[Event]
    request: HttpRequest
    periods: list[Period] = field(default_factory=list)
    timeline: Timeline | None = None  # the one timeline exported (`?timeline=`), or None for every timeline's events

    @property
    def title(self):
        return self.timeline.title if self.timeline is not None else timeline_title()

    def absolute(self, path):
        return self.request.build_absolute_uri(path)

    def cited_sources(self):
        """The sources the events cite, each once, in order of first citation."""
        return [source for source, _ in self.cited_sources_pages()]

    def cited_sources_pages(self):
        """[(source, [page labels cited, in order of first citation])]: the pages are empty for unpaged sources."""
        sources, pages = {}, {}
        for event in self.events:
            for citation in event.citations.all():
                slug = citation.passage.source.slug
                sources.setdefault(slug, citation.passage.source)
                if citation.passage.page:
                    pages.setdefault(slug, {})[citation.passage.page] = None
        return [(source, list(pages.get(slug, {}))) for slug, source in sources.items()]


def _csv_cell(value):
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write() returns what it was given: csv.writer then formats one row at a time."""

    def write(self, value):
        return value


def _csv_row(export, event):
    citations = list(event.citations.all())
    sources = list(dict.fromkeys(citation.passage.source.slug for citation in citations))
    row = [
        event.slug, event.title, event.date, event.date_first.isoformat(), event.date_last.isoformat(),
        event.date_precision, event.date_display, "yes" if event.is_turning_point else "no", event.status,
        "; ".join(actor.name for actor in event.actors.all()), "; ".join(theme.name for theme in event.themes.all()),
        event.annotation, export.absolute(event.get_absolute_url()), len(citations), "; ".join(sources),
        " | ".join(
            citation.quote + (f" ({page_locator(citation.passage.page)})" if citation.passage.page else "") for citation in citations
        ),
        # One per citation, in the order of the quotes; empty where the passage claims no date.
        " | ".join(citation.claimed_date for citation in citations), "yes" if event.dates_disputed else "no",
    ]  # fmt: skip
    return [_csv_cell(value) for value in row]


def events_csv_stream(export):
    """The CSV one row at a time (a header, then one row per event), for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in export.events:
        yield writer.writerow(_csv_row(export, event))


def events_csv(export):
    """One row per event; lists (actors, themes, sources, quotes) joined by “; ” and “ | ”."""
    return "".join(events_csv_stream(export))


def _calendar_span(event):
    """
    First day and the day after the last (DTEND is exclusive): the whole month or year at that
    precision. None when either day is outside what iCalendar can write (1–9999 CE).
    """
    first, last = event.date_first, event.date_last
    if first.is_open:  # "before 2000": only the known end
        first = last
    if last.is_open:  # "since 2022": only the known start
        last = first
    lower, upper = first.as_date(), last.as_date()
    if lower is None or upper is None or upper == datetime.date.max:
        return None
    return lower, upper + datetime.timedelta(days=1)


def _plain_citations(event):
    lines = []
    for citation in event.citations.all():
        source = citation.passage.source
        page = f", {page_locator(citation.passage.page)}" if citation.passage.page else ""
        lines.append(f"“{citation.quote}” — {source.title}{page} ({citation.get_stance_display()})")
    return lines


def events_ical(export):
    """An iCalendar (RFC 5545) calendar of all-day events spanning each event's possible dates."""
    calendar = Calendar()
    calendar.add("prodid", "-//Citeline//Citeline timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", export.title)
    host = export.request.get_host().split(":")[0]
    left_out = []
    for event in export.events:
        span = _calendar_span(event)
        if span is None:
            left_out.append(event)
            continue
        start, end = span
        item = CalendarEvent()
        item.add("uid", f"{event.slug}@{host}")
        item.add("dtstamp", event.updated_at)
        item.add("summary", event.title)
        item.add("dtstart", start)  # a date, not a datetime: VALUE=DATE
        item.add("dtend", end)
        item.add("url", export.absolute(event.get_absolute_url()))
        description = [event.date_display, event.annotation, *_plain_citations(event)]
        item.add("description", "\n\n".join(part for part in description if part))
        themes = [theme.name for theme in event.themes.all()]
        if themes:
            item.add("categories", themes)
        calendar.add_component(item)
    if left_out:
        # RFC 5545 dates run from 1 CE to 9999 CE: say what is missing rather than drop it silently.
        names = "; ".join(f"{event.date_display}: {event.title}" for event in left_out)
        calendar.add(
            "x-comment",
            f"{len(left_out)} event{'s' if len(left_out) != 1 else ''} left out: iCalendar cannot represent dates "
            f"before 1 CE or after 9999 CE ({names}). The CSV, TimelineJS and API exports include them.",
        )
    return calendar.to_ical()


def sources_csl_json(export):
    return [source_csl_json(source, page=pages) for source, pages in export.cited_sources_pages()]


def sources_bibtex(export):
    return "\n\n".join(source_bibtex(source, page=pages) for source, pages in export.cited_sources_pages()) + "\n"


# --- Streaming: exports of any size, in constant memory ----------------------------------------------

# Events are read this many at a time (with their actors, themes and citations): memory stays flat and
# the first bytes leave after the first chunk, whatever the size of the timeline.
STREAM_CHUNK = 500


def events_in_chunks(queryset):
    """The events of a for_reader() queryset, fetched STREAM_CHUNK at a time with their prefetches."""
    return queryset.iterator(chunk_size=STREAM_CHUNK)


def _chunks(iterable, size=STREAM_CHUNK):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def events_ical_stream(export):
    """
    The iCalendar of events_ical, written one event at a time. The events left out (dates iCalendar
    cannot write) are found first from their bounds alone, so that the calendar's X-COMMENT naming
    them still comes before its events, where RFC 5545 puts calendar properties.
    """
    queryset = export.events
    left_out = [
        event for event in queryset.model.objects.filter(pk__in=queryset.values("pk")).only("date", "date_lower", "date_upper", "display_date", "title").order_by("date_lower", "pk")
        if _calendar_span(event) is None
    ]  # fmt: skip
    header = events_ical(Export(events=left_out, request=export.request, timeline=export.timeline)).decode()
    # events_ical writes the calendar with the left-out events' comment and no event: its head goes first.
    head, _, _ = header.rpartition("END:VCALENDAR")
    yield head
    for chunk in _chunks(events_in_chunks(queryset)):
        calendar = events_ical(Export(events=chunk, request=export.request)).decode()
        start, end = calendar.find("BEGIN:VEVENT"), calendar.rfind("END:VEVENT")
        if start != -1:
            yield calendar[start : end + len("END:VEVENT")] + "\r\n"
    yield "END:VCALENDAR\r\n"


def events_timelinejs_stream(export):
    """
    The TimelineJS object of timelinejs_export, written one chunk of slides at a time: "events" first,
    then "title", "eras" and "scale" (JSON objects are unordered), built from the span and count of the
    slides written, so that open eras end at the last event as they do in the whole build.
    """
    yield '{"events": ['
    count, first, last, cosmological = 0, None, None, False
    for chunk in _chunks(events_in_chunks(export.events)):
        data = events_timelinejs(Export(events=chunk, request=export.request))
        cosmological = cosmological or "scale" in data
        for slide in data["events"]:
            yield ("," if count else "") + "\n" + json.dumps(slide, ensure_ascii=False)
            count += 1
        for event in chunk:
            if not event.date_first.is_open and (first is None or event.date_first < first):
                first = event.date_first
            if not event.date_last.is_open and (last is None or event.date_last > last):
                last = event.date_last
    frame = timelinejs_export(
        Export(events=[], request=export.request, timeline=export.timeline), span=(first, last), count=count
    )
    if cosmological:
        frame["scale"] = "cosmological"
    yield "\n],\n" + json.dumps({key: value for key, value in frame.items() if key != "events"}, ensure_ascii=False)[1:]


def cited_sources_query(queryset):
    """The sources a queryset of events cites, each once, in order of first citation (by event date, then citation)."""
    from sources.models import Source
    from timeline.models import Citation

    seen = {}
    for source_id in (
        Citation.objects.evidence().filter(event__in=queryset.values("pk"))
        .order_by("event__date_lower", "event__date_upper", "event__title", "event__pk", "ordinal", "pk")
        .values_list("passage__source_id", flat=True).iterator(chunk_size=5000)
    ):  # fmt: skip
        seen.setdefault(source_id, None)
    sources = Source.objects.defer("text").in_bulk(list(seen))
    return [sources[source_id] for source_id in seen]


# --- DRF renderers: the events API serves each export under its `format` name ----------------


class ExportRenderer(BaseRenderer):
    charset = "utf-8"
    filename = "citeline"

    def build(self, export):
        raise NotImplementedError

    def stream(self, export):
        """The export as an iterator of str or bytes, for a StreamingHttpResponse; the whole build by default."""
        yield self.build(export)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        if not isinstance(data, Export):  # metadata (OPTIONS) or anything but an export: plain JSON
            return json.dumps(data, default=str).encode(self.charset)
        content = self.build(data)
        return content if isinstance(content, bytes) else content.encode(self.charset)


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"
    filename = "citeline-events.csv"
    build = staticmethod(events_csv)

    def stream(self, export):
        return events_csv_stream(Export(events=events_in_chunks(export.events), request=export.request))


class ICalendarRenderer(ExportRenderer):
    media_type = "text/calendar"
    format = "ics"
    filename = "citeline-events.ics"
    build = staticmethod(events_ical)
    stream = staticmethod(events_ical_stream)


class TimelineJSRenderer(ExportRenderer):
    media_type = "application/json"
    format = "timelinejs"
    filename = "citeline-timelinejs.json"

    def build(self, export):
        return json.dumps(timelinejs_export(export), ensure_ascii=False, indent=1)

    stream = staticmethod(events_timelinejs_stream)


def timelinejs_export(export, **frame):
    """
    The TimelineJS object of an export: with `timeline=<slug>`, that timeline's title, intro and
    periods; otherwise the site's title and the periods of the timelines the reader may see. `frame`:
    the span and count of a streamed export's slides (events_timelinejs).
    """
    timeline = export.timeline
    if timeline is not None:
        export.periods = list(timeline.periods.order_by("date_lower", "date_upper", "name"))
        return events_timelinejs(export, title=timeline.title, intro=timeline.intro, **frame)
    visible = Timeline.objects.visible_to(getattr(export.request, "user", None))
    periods = Period.objects.filter(Q(timelines__in=visible) | Q(timelines=None)).distinct()
    export.periods = list(periods.order_by("date_lower", "date_upper", "name"))
    return events_timelinejs(export, title=timeline_title(), **frame)


class CSLJSONRenderer(ExportRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csljson"
    filename = "citeline-sources.json"

    def build(self, export):
        return json.dumps(sources_csl_json(export), ensure_ascii=False, indent=1)

    def stream(self, export):
        sources = cited_sources_query(export.events)
        yield json.dumps([source_csl_json(source) for source in sources], ensure_ascii=False, indent=1)


class BibTeXRenderer(ExportRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    filename = "citeline-sources.bib"
    build = staticmethod(sources_bibtex)

    def stream(self, export):
        for number, source in enumerate(cited_sources_query(export.events)):
            yield ("\n\n" if number else "") + source_bibtex(source)
        yield "\n"


EXPORT_RENDERERS = [CSVRenderer, ICalendarRenderer, TimelineJSRenderer, CSLJSONRenderer, BibTeXRenderer]

"""
Exports of any filtered list of events, served by the events API as `?format=…`:
CSV, iCalendar, TimelineJS 3 JSON, and the cited sources as CSL-JSON and BibTeX.

The builders are pure functions of events already fetched with `Event.objects.for_reader()` (actors,
themes and citations prefetched), so an export costs the same few queries as one page of the API.
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import escape, format_html, format_html_join
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from rest_framework.renderers import BaseRenderer

from sources.dates import Precision, day_parts
from timeline.citing import source_bibtex, source_csl_json
from timeline.markdown import markdown_html
from timeline.models import Event, Period

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

    def absolute(self, path):
        return self.request.build_absolute_uri(path)

    def cited_sources(self):
        """The sources the events cite, each once, in order of first citation."""
        sources = {}
        for event in self.events:
            for citation in event.citations.all():
                sources.setdefault(citation.passage.source.slug, citation.passage.source)
        return list(sources.values())


def _csv_cell(value):
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


def events_csv(export):
    """One row per event; lists (actors, themes, sources, quotes) joined by “; ” and “ | ”."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in export.events:
        citations = list(event.citations.all())
        sources = list(dict.fromkeys(citation.passage.source.slug for citation in citations))
        row = [
            event.slug, event.title, event.date, event.date_first.isoformat(), event.date_last.isoformat(),
            event.date_precision, event.date_display, "yes" if event.is_turning_point else "no", event.status,
            "; ".join(actor.name for actor in event.actors.all()), "; ".join(theme.name for theme in event.themes.all()),
            event.annotation, export.absolute(event.get_absolute_url()), len(citations), "; ".join(sources),
            " | ".join(citation.quote for citation in citations),
            # One per citation, in the order of the quotes; empty where the passage claims no date.
            " | ".join(citation.claimed_date for citation in citations), "yes" if event.dates_disputed else "no",
        ]  # fmt: skip
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()


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
        lines.append(f"“{citation.quote}” — {source.title} ({citation.get_stance_display()})")
    return lines


def events_ical(export):
    """An iCalendar (RFC 5545) calendar of all-day events spanning each event's possible dates."""
    calendar = Calendar()
    calendar.add("prodid", "-//Citeline//Citeline timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", timeline_title())
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


def timelinejs_date(day, precision):
    """A TimelineJS date object with only the parts `precision` supports: a year is just the year (negative before 1 CE)."""
    year, month, number = day_parts(day.number)
    parts = {"year": year}
    if precision in (Precision.MONTH, Precision.DAY):
        parts["month"] = month
    if precision == Precision.DAY:
        parts["day"] = number
    return parts


def _timelinejs_dates(obj):
    """(start_date, end_date or None) of an event or a period; open ends keep only the known end."""
    first, last = obj.date_first, obj.date_last
    if first.is_open:
        first = last
    if last.is_open:
        last = first
    if first.is_open:  # "../..": a date unknown at both ends
        return {"year": 0}, None
    start, end = timelinejs_date(first, obj.date_precision), timelinejs_date(last, obj.date_precision)
    return start, (end if end != start else None)


def _timelinejs_text(export, event):
    citations = format_html_join(
        "",
        '<li><blockquote>“{}”</blockquote> — <cite><a href="{}">{}</a></cite> ({}){}</li>',
        (
            (
                citation.quote,
                export.absolute(citation.get_absolute_url()),
                citation.passage.source.title,
                citation.get_stance_display(),
                format_html(" <small>{}</small>", citation.note) if citation.note else "",
            )
            for citation in event.citations.all()
        ),
    )
    return format_html(
        '{}<ol class="citeline-citations">{}</ol><p><a href="{}">Read on Citeline</a></p>',
        markdown_html(event.annotation), citations, export.absolute(event.get_absolute_url()),
    )  # fmt: skip


def events_timelinejs(export):
    """A TimelineJS 3 data object: `title` slide, `events` slides and `eras` from the periods."""
    events = []
    for event in export.events:
        start, end = _timelinejs_dates(event)
        slide = {
            "start_date": start,
            "display_date": escape(event.date_display),
            "unique_id": event.slug,
            "text": {"headline": str(format_html("{}", event.title)), "text": str(_timelinejs_text(export, event))},
        }
        if end:
            slide["end_date"] = end
        themes = list(event.themes.all())
        if themes:
            slide["group"] = escape(themes[0].name)  # TimelineJS shows group and display_date as HTML
        events.append(slide)
    eras = []
    for period in export.periods:
        start, end = _timelinejs_dates(period)
        eras.append({"start_date": start, "end_date": end or start, "text": {"headline": str(format_html("{}", period.name))}})
    count = len(events)
    title = {
        "text": {
            "headline": str(format_html("{}", timeline_title())),
            "text": str(
                format_html("{} event{}, each citing its evidence. Made with Citeline.", count, "" if count == 1 else "s")
            ),
        }
    }
    return {"title": title, "events": events, "eras": eras}


def sources_csl_json(export):
    return [source_csl_json(source) for source in export.cited_sources()]


def sources_bibtex(export):
    return "\n\n".join(source_bibtex(source) for source in export.cited_sources()) + "\n"


# --- DRF renderers: the events API serves each export under its `format` name ----------------


class ExportRenderer(BaseRenderer):
    charset = "utf-8"
    filename = "citeline"

    def build(self, export):
        raise NotImplementedError

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


class ICalendarRenderer(ExportRenderer):
    media_type = "text/calendar"
    format = "ics"
    filename = "citeline-events.ics"
    build = staticmethod(events_ical)


class TimelineJSRenderer(ExportRenderer):
    media_type = "application/json"
    format = "timelinejs"
    filename = "citeline-timelinejs.json"

    def build(self, export):
        export.periods = list(Period.objects.all())
        return json.dumps(events_timelinejs(export), ensure_ascii=False, indent=1)


class CSLJSONRenderer(ExportRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csljson"
    filename = "citeline-sources.json"

    def build(self, export):
        return json.dumps(sources_csl_json(export), ensure_ascii=False, indent=1)


class BibTeXRenderer(ExportRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    filename = "citeline-sources.bib"
    build = staticmethod(sources_bibtex)


EXPORT_RENDERERS = [CSVRenderer, ICalendarRenderer, TimelineJSRenderer, CSLJSONRenderer, BibTeXRenderer]

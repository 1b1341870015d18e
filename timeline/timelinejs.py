"""
TimelineJS 3, both ways: reading its JSON and its Google Sheet template (as CSV) into a plan of a
timeline, and writing events as TimelineJS's JSON (the `?format=timelinejs` export).

Dates go through EDTF (sources.dates) at the precision the file gives: {"year": 2015} is "2015",
{"year": 2022, "month": 7} is "2022-07", {"year": -13800000000} is "Y-13800000000"; no month or day
is ever added, and the export writes back exactly the parts the EDTF holds, so a file read and
written again keeps its dates. Years are astronomical, as in TimelineJS (JavaScript dates): 0 is
1 BCE, -43 is 44 BCE. A time of day is not kept (Citeline dates are days).

The reader is pure: `timelinejs_read` returns a TimelineJSPlan and every problem found, each one
line naming the row and the fix; `timeline.services.timeline_timelinejs_import` writes a plan.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import nh3
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import slugify

from sources.dates import ENDPOINT_RE, Precision, day_parts, edtf_bounds, edtf_display, edtf_year
from timeline.citing import page_locator
from timeline.markdown import ALLOWED_TAGS, markdown_html
from timeline.slugs import slug_from

# The columns of TimelineJS's Google Sheet template (https://timeline.knightlab.com/docs/using-spreadsheets.html).
SHEET_COLUMNS = [
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date", "Headline", "Text",
    "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group", "Background",
]  # fmt: skip
SHEET_REQUIRED = {"Year", "Headline"}
# JavaScript dates reach 271,821 BCE to 275,760 CE; beyond, TimelineJS needs its cosmological scale.
HUMAN_SCALE_YEARS = (-271_820, 275_759)
TEXT_TAGS = ALLOWED_TAGS | {"h3", "h4", "span", "div", "i", "b", "u", "small"}
EVENT_SLUG_MAX_LENGTH, PERIOD_SLUG_MAX_LENGTH, THEME_SLUG_MAX_LENGTH = 160, 120, 120


class TimelineJSRefused(Exception):
    """The file cannot be imported; `problems` are one line each, and nothing was written."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class PlannedMedia:
    url: str
    credit: str = ""
    caption: str = ""


@dataclass
class PlannedEvent:
    where: str  # "row 4" or "events[3]", for messages
    slug: str
    title: str
    date: str
    former_slug: str = ""  # what imports made of it before slugs kept their dashes (imported_slug_former)
    annotation: str = ""
    display_date: str = ""
    group: str = ""
    media: PlannedMedia | None = None


@dataclass
class PlannedPeriod:
    where: str
    slug: str
    name: str
    date: str
    description: str = ""
    former_slug: str = ""


@dataclass
class TimelineJSPlan:
    title: str = ""
    intro: str = ""
    events: list[PlannedEvent] = field(default_factory=list)
    periods: list[PlannedPeriod] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def imported_slug(text, *, max_length):
    """The slug of an imported event, period or group's theme: the app's rule (timeline.slugs), "" when nothing is left."""
    return slug_from(str(text or ""), max_length=max_length, default="")


def imported_slug_former(text, *, max_length):
    """
    The slug imports made before they kept dashes and transliterated ("1979–1989" was 19791989): a
    re-import finds by it what an earlier import created, so it updates those rows instead of adding new ones.
    """
    return slugify(str(text or ""))[:max_length]


def plain_text(html):
    """Text of a TimelineJS headline or display date (which may hold HTML), without any tag."""
    return re.sub(r"\s+", " ", unescape(nh3.clean(str(html or ""), tags=set()))).strip()


def sanitised_html(html):
    return nh3.clean(
        str(html or ""), tags=TEXT_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()  # fmt: skip


def _integer(value, what, where, problems, *, low=None, high=None):
    """An integer from a TimelineJS date part (a number, or text such as "1,979"); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = re.sub(r"[\s,]", "", str(value)) if not isinstance(value, int) else str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"-?\d+", text):
        problems.append(f"{where}: {what} “{value}” is not a whole number. Write it in digits, e.g. 1979 or -500.")
        return None
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        problems.append(f"{where}: {what} {number} is out of range; use {low}–{high}.")
        return None
    return number


def _endpoint(parts, where, problems, *, label):
    """An EDTF endpoint from TimelineJS date parts (dict with year, month, day), or None on a problem."""
    year = _integer(parts.get("year"), f"{label} year", where, problems)
    month = _integer(parts.get("month"), f"{label} month", where, problems, low=1, high=12)
    day = _integer(parts.get("day"), f"{label} day", where, problems, low=1, high=31)
    if year is None:
        if not any(problem.startswith(f"{where}:") for problem in problems):
            problems.append(f"{where}: the {label} date has no year. Give at least a year (TimelineJS needs one too).")
        return None
    if day is not None and month is None:
        problems.append(f"{where}: the {label} date has a day but no month. Add the month, or remove the day.")
        return None
    if not -9999 <= year <= 9999:
        if month is not None:
            problems.append(
                f"{where}: the {label} date gives a month with the year {year}; EDTF writes years beyond ±9999 alone. "
                "Remove the month and day."
            )
            return None
        return edtf_year(year)
    text = edtf_year(year)
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    return text


def _edtf(start, end, where, problems):
    """EDTF for a start and an optional end (TimelineJS date objects); None on a problem (recorded)."""
    count = len(problems)
    first = _endpoint(start, where, problems, label="start") if isinstance(start, dict) else None
    if not isinstance(start, dict):
        problems.append(f"{where}: no start date. Give at least a year (start_date.year, or the Year column).")
    last = _endpoint(end, where, problems, label="end") if isinstance(end, dict) and any(end.get(k) not in (None, "") for k in ("year", "month", "day")) else None  # fmt: skip
    if len(problems) > count:
        return None
    value = first if last in (None, first) else f"{first}/{last}"
    try:
        edtf_bounds(value)
    except ValidationError as exc:
        problems.append(f"{where}: {' '.join(exc.messages)}")
        return None
    return value


def _media(media, where, problems):
    if not isinstance(media, dict) or not str(media.get("url") or "").strip():
        return None
    url = str(media["url"]).strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        problems.append(
            f"{where}: media “{url[:60]}” is not a web address. Citeline keeps media as a link (http:// or https://); "
            "put the address of the image or video there, or leave Media empty."
        )
        return None
    return PlannedMedia(url=url, credit=plain_text(media.get("credit"))[:300], caption=plain_text(media.get("caption"))[:1000])


def _slide_text(slide):
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    return plain_text(text.get("headline")), sanitised_html(text.get("text"))


def _slide_read(item, problems, *, name, position, kind, no_headline):
    """
    What reading a slide and an era share: where it is (a sheet's row, else its `position` in the file),
    named by its headline once known; that it is an object; its headline (`no_headline` the problem
    without one) and text. (where, headline, text), or None when it is not an object.
    """
    where = f"{name}: {item.get('_where') or position}" if isinstance(item, dict) else f"{name}: {position}"
    if not isinstance(item, dict):
        problems.append(f"{where}: expected an object ({kind}), found {type(item).__name__}.")
        return None
    headline, text = _slide_text(item)
    where = f"{where} (“{headline[:40]}”)" if headline else where
    if not headline:
        problems.append(f"{where}: {no_headline}")
    return where, headline, text


def plan_from_data(data, *, name="file"):
    """A TimelineJSPlan from a TimelineJS 3 JSON object (events, title, eras); TimelineJSRefused lists every problem."""
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise TimelineJSRefused([f'{name}: not a TimelineJS file: expected a JSON object with an "events" list.'])
    plan = TimelineJSPlan()
    if isinstance(data.get("title"), dict):
        plan.title, plan.intro = _slide_text(data["title"])
    slugs = {}
    for index, slide in enumerate(data["events"]):
        read = _slide_read(
            slide, problems, name=name, position=f"events[{index}]", kind="a slide",
            no_headline="no headline. Give every event a headline (text.headline, or the Headline column).",
        )  # fmt: skip
        if read is None:
            continue
        where, headline, text = read
        date = _edtf(slide.get("start_date"), slide.get("end_date"), where, problems)
        unique_id = slide.get("unique_id")
        slug = imported_slug(unique_id, max_length=EVENT_SLUG_MAX_LENGTH) or imported_slug(
            headline, max_length=EVENT_SLUG_MAX_LENGTH
        )
        former_slug = imported_slug_former(unique_id, max_length=EVENT_SLUG_MAX_LENGTH) or imported_slug_former(
            headline, max_length=EVENT_SLUG_MAX_LENGTH
        )
        if slug in slugs:
            problems.append(
                f"{where}: its slug “{slug}” is the same as that of {slugs[slug]}. Give one of them a different unique_id or headline."
            )
        slugs.setdefault(slug, where)
        display = plain_text(slide.get("display_date") or (slide.get("start_date") or {}).get("display_date"))
        if len(display) > 100:
            problems.append(f"{where}: display_date is {len(display)} characters; shorten it to 100 or fewer.")
        if len(headline) > 300:
            problems.append(f"{where}: the headline is {len(headline)} characters; shorten it to 300 or fewer.")
        if date and headline and slug:
            plan.events.append(
                PlannedEvent(
                    where=where, slug=slug, former_slug=former_slug, title=headline, date=date, annotation=text,
                    display_date=display[:100], group=plain_text(slide.get("group"))[:200],
                    media=_media(slide.get("media"), where, problems),
                )
            )  # fmt: skip
    if not data["events"]:
        problems.append(f"{name}: the file has no events. Add at least one (TimelineJS needs one too).")
    eras = data.get("eras") or []
    for index, era in enumerate(eras if isinstance(eras, list) else []):
        read = _slide_read(
            era, problems, name=name, position=f"eras[{index}]", kind="an era",
            no_headline="the era has no headline. Give it one: it names the period.",
        )  # fmt: skip
        if read is None:
            continue
        where, headline, text = read
        if not isinstance(era.get("end_date"), dict):
            problems.append(f"{where}: the era has no end date. Give it one (TimelineJS needs one too).")
            continue
        date = _edtf(era.get("start_date"), era.get("end_date"), where, problems)
        if date and headline:
            plan.periods.append(
                PlannedPeriod(
                    where=where,
                    slug=imported_slug(headline, max_length=PERIOD_SLUG_MAX_LENGTH),
                    former_slug=imported_slug_former(headline, max_length=PERIOD_SLUG_MAX_LENGTH),
                    name=headline[:200],
                    date=date,
                    description=text,
                )
            )
    if problems:
        raise TimelineJSRefused(problems)
    return plan


def _sheet_date(row, prefix):
    return {"year": row.get(f"{prefix}Year"), "month": row.get(f"{prefix}Month"), "day": row.get(f"{prefix}Day")}


def data_from_sheet(text, *, name="file"):
    """TimelineJS's JSON object from its Google Sheet template saved as CSV (rows of Type title and era included)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [column.strip() for column in reader.fieldnames or []]
    missing = sorted(SHEET_REQUIRED - set(columns))
    if missing:
        raise TimelineJSRefused(
            [
                f"{name}: line 1: the columns {', '.join(missing)} are missing. Use TimelineJS's sheet template "
                f"(columns {', '.join(SHEET_COLUMNS)}) and export it as CSV."
            ]
        )
    data = {"events": [], "eras": []}
    for line, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if not isinstance(value, list)}
        if not any(row.values()):
            continue
        kind = row.get("Type", "").lower()
        slide = {
            "_where": f"row {line}",
            "text": {"headline": row.get("Headline", ""), "text": row.get("Text", "")},
            "display_date": row.get("Display Date", ""),
            "group": row.get("Group", ""),
            "media": {
                "url": row.get("Media", ""),
                "credit": row.get("Media Credit", ""),
                "caption": row.get("Media Caption", ""),
            },
        }
        if row.get("Year"):
            slide["start_date"] = _sheet_date(row, "")
        if row.get("End Year"):
            slide["end_date"] = _sheet_date(row, "End ")
        if kind == "title" and "title" not in data:
            data["title"] = slide
        elif kind == "era":
            data["eras"].append(slide)
        else:
            data["events"].append(slide)
    return data


def timelinejs_read(path):
    """The plan of a TimelineJS JSON file or a sheet saved as CSV; TimelineJSRefused lists every problem."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TimelineJSRefused([f"{path}: no such file. Check the path."]) from None
    except UnicodeDecodeError as exc:
        raise TimelineJSRefused([f"{name}: not UTF-8 text (byte {exc.start}). Save the file as UTF-8 and try again."]) from None
    if path.suffix.lower() == ".csv":
        return plan_from_data(data_from_sheet(text, name=name), name=name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineJSRefused(
            [f"{name}: line {exc.lineno}: not valid JSON ({exc.msg}). Fix the file, or save a sheet as .csv."]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("timeline"), dict):  # the {"timeline": {...}} wrapper some tools write
        data = data["timeline"]
    return plan_from_data(data, name=name)


# --- writing ---------------------------------------------------------------------------------------


def _endpoint_parts(endpoint, day):
    """TimelineJS date parts of one EDTF endpoint: exactly the parts it gives (199X, a season: the year)."""
    match = ENDPOINT_RE.match(endpoint)
    if match and (match["long_year"] is not None or "X" not in match["year"]):
        parts = {"year": int(match["long_year"] if match["long_year"] is not None else match["year"])}
        if match["month"] and int(match["month"]) <= 12:
            parts["month"] = int(match["month"])
            if match["day"]:
                parts["day"] = int(match["day"])
        return parts
    return {"year": day_parts(day.number)[0]}


def timelinejs_dates(obj):
    """(start_date, end_date or None) of an event or period; an open end is given the known one (see the era text)."""
    ends = obj.date.split("/") if "/" in obj.date else [obj.date]
    first, last = obj.date_first, obj.date_last
    if first.is_open and last.is_open:  # "../..": nothing is known
        return None, None
    start = _endpoint_parts(ends[0], first) if not first.is_open else _endpoint_parts(ends[-1], last)
    end = _endpoint_parts(ends[-1], last) if len(ends) == 2 and not last.is_open else None
    return start, (end if end != start else None)


def _precision_parts(day, precision):
    year, month, number = day_parts(day.number)
    parts = {"year": year}
    if precision in (Precision.MONTH, Precision.DAY):
        parts["month"] = month
    if precision == Precision.DAY:
        parts["day"] = number
    return parts


def _event_text(export, event):
    citations = format_html_join(
        "",
        '<li><blockquote>“{}”</blockquote> — <cite><a href="{}">{}</a>{}</cite> ({}){}</li>',
        (
            (
                citation.quote,
                export.absolute(citation.get_absolute_url()),
                citation.passage.source.title,
                f", {page_locator(citation.passage.page)}" if citation.passage.page else "",
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


def _media_json(export, media):
    if media is None:
        return None
    if media.kind == media.Kind.IMAGE:
        if not media.renditions:
            return None
        item = {"url": export.absolute(media.src), "thumbnail": export.absolute(media.thumbnail), "alt": escape(media.alt)}
    else:
        item = {"url": media.url}
    if media.caption:
        item["caption"] = str(escape(media.caption))
    if media.credit:
        item["credit"] = str(escape(media.credit))
    return item


def _era(period, events_span):
    """An era for TimelineJS, which needs both ends: an open end stops at the first or last event, and the text says so."""
    start, end = timelinejs_dates(period)
    notes = []
    first_event, last_event = events_span
    if period.date_first.is_open and first_event is not None:
        start = _precision_parts(first_event, Precision.DAY)
        notes.append(f"Its start is open (“{edtf_display(period.date)}”); the band starts at the first event here.")
    if period.date_last.is_open:
        anchor = last_event if last_event is not None and last_event.number >= period.date_lower else period.date_first
        end = _precision_parts(anchor, Precision.DAY)
        notes.append(
            f"Still going (“{edtf_display(period.date)}”): TimelineJS needs an end, so the band stops at the last event here "
            f"({anchor.display()})."
        )
    if start is None:
        return None
    text = {"headline": str(format_html("{}", period.name))}
    description = " ".join(part for part in [escape(period.description), *map(escape, notes)] if part)
    if description:
        text["text"] = str(description)
    return {"start_date": start, "end_date": end or start, "text": text}


def events_timelinejs(export, *, title="", intro="", span=None, count=None):
    """
    A TimelineJS 3 data object: a `title` slide, one slide per event, `eras` from export.periods.
    A streamed export builds its frame apart from its slides: `span` ((first Day, last Day) of every
    event) and `count` (of slides) then stand for the events it no longer holds.
    """
    events, years = [], []
    for event in export.events:
        start, end = timelinejs_dates(event)
        if start is None:
            continue  # "date unknown" at both ends: TimelineJS cannot place it
        slide = {
            "start_date": start,
            "display_date": str(escape(event.date_display)),
            "unique_id": event.slug,
            "text": {"headline": str(format_html("{}", event.title)), "text": str(_event_text(export, event))},
        }
        if end:
            slide["end_date"] = end
        years += [start["year"], (end or start)["year"]]
        themes = list(event.themes.all())
        if themes:
            slide["group"] = str(escape(themes[0].name))  # TimelineJS shows group and display_date as HTML
        media = _media_json(export, getattr(event, "media_item", None) if _has_media(event) else None)
        if media:
            slide["media"] = media
        events.append(slide)
    lowers = [event.date_first for event in export.events if not event.date_first.is_open]
    uppers = [event.date_last for event in export.events if not event.date_last.is_open]
    if span is None:
        span = (min(lowers) if lowers else None, max(uppers) if uppers else None)
    eras = [era for era in (_era(period, span) for period in export.periods) if era]
    count = len(events) if count is None else count
    counted = format_html("{} event{}, each citing its evidence. Made with Citeline.", count, "" if count == 1 else "s")
    intro_html = markdown_html(intro) if intro else ""
    data = {
        "title": {
            "text": {
                "headline": str(format_html("{}", title)),
                "text": str(format_html("{}<p>{}</p>", intro_html, counted)),
            }
        },
        "events": events,
        "eras": eras,
    }
    if years and (min(years) < HUMAN_SCALE_YEARS[0] or max(years) > HUMAN_SCALE_YEARS[1]):
        data["scale"] = "cosmological"
    return data


def _has_media(event):
    try:
        return event.media_item is not None
    except ObjectDoesNotExist:  # the event has no media
        return False

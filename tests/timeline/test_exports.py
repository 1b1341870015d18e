"""Exports: each parsed by the library of its format and checked against the data."""

import csv
import datetime
import io
import json

import pytest
from django.http import QueryDict
from icalendar import Calendar

from tests.factories import CitationFactory, EventFactory, PeriodFactory, ThemeFactory
from timeline.citing import source_bibtex, source_csl_json
from timeline.filters import EventFilter
from timeline.models import Event, Period

pytestmark = pytest.mark.django_db

TIMELINEJS_SLIDE_KEYS = {
    "start_date",
    "end_date",
    "text",
    "media",
    "group",
    "display_date",
    "background",
    "autolink",
    "unique_id",
}
TIMELINEJS_DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date"}


def published(query=""):
    return list(
        EventFilter(QueryDict(query), queryset=Event.objects.published()).qs.order_by("date_lower", "date_upper", "title", "pk")
    )


@pytest.fixture
def dated_events():
    """Events at day, month, year and interval precision, tagged with a theme of their own."""
    theme = ThemeFactory(slug="zz-export", name="Export test")
    events = {}
    for key, date in (("day", "2024-03-05"), ("month", "2022-07"), ("year", "2015"), ("interval", "2011/2019")):
        citation = CitationFactory(event=EventFactory(slug=f"export-{key}", title=f"Export {key}", date=date))
        citation.event.themes.add(theme)
        events[key] = citation.event
    return events


def test_csv_lists_every_filtered_event(client):
    """The CSV has a header and one row per filtered event, in date order, with the event's data."""
    response = client.get("/api/events/", {"format": "csv", "actor": "russia"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="citeline-events.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = published("actor=russia")
    assert [row["slug"] for row in rows] == [event.slug for event in expected]
    first, event = rows[0], expected[0]
    assert first["title"] == event.title and first["date"] == event.date
    assert first["date_lower"] == event.date_first.isoformat() and first["date_display"] == event.date_display
    assert first["annotation"] == event.annotation
    assert int(first["citations"]) == event.citations.count()
    assert first["quotes"].split(" | ")[0] == event.citations.order_by("ordinal", "pk").first().quote


def test_exports_are_unpaginated(client):
    """An export holds every matching event, whatever the page size."""
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/events/", {"format": "csv", "page_size": 2, "page": 3}).content.decode()))
    )
    assert len(rows) == 29


@pytest.mark.parametrize("title", ["=HYPERLINK(1)", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_cannot_run_as_formulas(client, title):
    """A cell starting with = + - @, a tab or a carriage return is written with a leading apostrophe (OWASP)."""
    CitationFactory(event=EventFactory(slug="formula", title=title, annotation=title))
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events/", {"format": "csv"}).content.decode())))
    row = next(row for row in rows if row["slug"] == "formula")
    assert row["title"] == row["annotation"] == "'" + title


def test_timelinejs_escapes_every_text_it_hands_over_as_html(client, dated_events):
    """TimelineJS shows headline, text, display_date and group as HTML: a theme name or a title cannot inject markup."""
    theme = dated_events["day"].themes.get()
    theme.name = '<img src=x onerror="alert(1)">'
    theme.save()
    event = dated_events["day"]
    event.title = "<script>alert(2)</script>"
    event.annotation = "<iframe src=//evil></iframe> *ok*"
    event.save()
    slides = {
        slide["unique_id"]: slide
        for slide in client.get("/api/events/", {"format": "timelinejs", "theme": "zz-export"}).json()["events"]
    }
    slide = slides["export-day"]
    assert slide["group"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert slide["text"]["headline"] == "&lt;script&gt;alert(2)&lt;/script&gt;"
    assert "<iframe" not in slide["text"]["text"] and "<em>ok</em>" in slide["text"]["text"]
    assert all("<" not in slide["display_date"] for slide in slides.values())


def test_icalendar_all_day_events_span_their_precision(client, dated_events):
    """DTSTART is the first possible day and DTEND the day after the last, as dates: a whole month, a whole year."""
    response = client.get("/api/events/", {"format": "ics", "theme": "zz-export"})
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    items = {str(item["uid"]).split("@")[0]: item for item in calendar.walk("VEVENT")}
    assert set(items) == {event.slug for event in dated_events.values()}
    expected = {
        "export-day": (datetime.date(2024, 3, 5), datetime.date(2024, 3, 6)),
        "export-month": (datetime.date(2022, 7, 1), datetime.date(2022, 8, 1)),
        "export-year": (datetime.date(2015, 1, 1), datetime.date(2016, 1, 1)),
        "export-interval": (datetime.date(2011, 1, 1), datetime.date(2020, 1, 1)),
    }
    for slug, (start, end) in expected.items():
        item = items[slug]
        assert item.decoded("dtstart") == start and item.decoded("dtend") == end
        assert type(item.decoded("dtstart")) is datetime.date  # VALUE=DATE, not a datetime
        assert item["dtstart"].params.get("VALUE") == "DATE"
        assert str(item["summary"]) == f"Export {slug.split('-')[1]}"
        assert str(item["url"]).endswith(f"/events/{slug}/")
        assert "signed a treaty" in str(item["description"])


def test_icalendar_of_the_demo_matches_its_events(client):
    """Every published event is one VEVENT with its title."""
    calendar = Calendar.from_ical(client.get("/api/events/?format=ics").content)
    assert sorted(str(item["summary"]) for item in calendar.walk("VEVENT")) == sorted(event.title for event in published())
    assert calendar["version"] == "2.0" and calendar["prodid"]


def test_timelinejs_follows_the_timelinejs3_format(client, dated_events):
    """Slides, dates, text, group, unique_id, eras and title as TimelineJS 3 documents them."""
    PeriodFactory(slug="zz-era", name="Test era", date="2011/2019")
    response = client.get("/api/events/", {"format": "timelinejs", "theme": "zz-export"})
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert set(data) <= {"events", "title", "eras", "scale"}
    slides = {slide["unique_id"]: slide for slide in data["events"]}
    assert set(slides) == {event.slug for event in dated_events.values()}
    for slide in data["events"]:
        assert set(slide) <= TIMELINEJS_SLIDE_KEYS
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["start_date"]) <= TIMELINEJS_DATE_KEYS
        assert slide["group"] == "Export test"
        assert set(slide["text"]) == {"headline", "text"}
    # Only the parts the precision supports: never an invented day or month.
    assert slides["export-day"]["start_date"] == {"year": 2024, "month": 3, "day": 5} and "end_date" not in slides["export-day"]
    assert slides["export-month"]["start_date"] == {"year": 2022, "month": 7} and "end_date" not in slides["export-month"]
    assert slides["export-year"]["start_date"] == {"year": 2015}
    assert slides["export-interval"]["start_date"] == {"year": 2011} and slides["export-interval"]["end_date"] == {"year": 2019}
    assert slides["export-month"]["display_date"] == "July 2022"
    text = slides["export-day"]["text"]
    assert text["headline"] == "Export day"
    assert "<em>annotation</em>" in text["text"] and "signed a treaty" in text["text"]
    eras = {era["text"]["headline"]: era for era in data["eras"]}
    assert eras["Test era"]["start_date"] == {"year": 2011} and eras["Test era"]["end_date"] == {"year": 2019}
    assert len(data["eras"]) == Period.objects.count()
    assert data["title"]["text"]["headline"] and "start_date" not in data["title"]


def test_timelinejs_of_the_demo_has_every_event_once(client):
    """The demo timeline exports every published event, each with a unique id."""
    data = client.get("/api/events/?format=timelinejs").json()
    ids = [slide["unique_id"] for slide in data["events"]]
    assert sorted(ids) == sorted(event.slug for event in published()) and len(ids) == len(set(ids))


def test_csl_json_lists_the_cited_sources(client):
    """CSL-JSON holds each cited source once, as citing.source_csl_json makes it."""
    response = client.get("/api/events/", {"format": "csljson", "actor": "russia"})
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    items = json.loads(response.content)
    cited = {citation.passage.source for event in published("actor=russia") for citation in event.citations.all()}
    assert sorted(item["id"] for item in items) == sorted(source.slug for source in cited)
    for item in items:
        source = next(source for source in cited if source.slug == item["id"])
        assert item == source_csl_json(source)
        assert item["type"] and item["title"]


def test_bibtex_lists_the_cited_sources(client):
    """BibTeX has one entry per cited source, as citing.source_bibtex makes it."""
    response = client.get("/api/events/", {"format": "bibtex"})
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert 'filename="citeline-sources.bib"' in response["Content-Disposition"]
    text = response.content.decode()
    cited = {citation.passage.source for event in published() for citation in event.citations.all()}
    assert text.count("\n@") + text.startswith("@") == len(cited)
    for source in cited:
        assert source_bibtex(source) in text


def test_export_of_one_event(client):
    """An event's detail URL exports that event alone."""
    event = published()[0]
    calendar = Calendar.from_ical(client.get(f"/api/events/{event.slug}/?format=ics").content)
    assert [str(item["summary"]) for item in calendar.walk("VEVENT")] == [event.title]


def test_export_errors_are_json(client):
    """A bad filter on an export is a 400 in JSON, not a broken file."""
    response = client.get("/api/events/", {"format": "csv", "date_from": "someday"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "date_from" in response.json()


def test_exports_query_count_is_constant(client, django_assert_num_queries):
    """A whole export costs a handful of queries (per 500 events: it streams them in chunks), like a page of the API."""
    for export, queries in (("csv", 5), ("ics", 6), ("csljson", 3), ("bibtex", 3)):  # ics: first, the dates it cannot write
        with django_assert_num_queries(queries):
            client.get("/api/events/", {"format": export})
    with django_assert_num_queries(6):  # and the periods, for the eras
        client.get("/api/events/", {"format": "timelinejs"})


def test_icalendar_leaves_out_dates_before_1_ce_and_says_so(client):
    """iCalendar cannot write 44 BCE: the event is left out and a calendar comment names it."""
    CitationFactory(event=EventFactory(slug="ides-of-march", title="Caesar is killed", date="-0043-03-15"))
    response = client.get("/api/events/", {"format": "ics"})
    calendar = Calendar.from_ical(response.content)
    uids = {str(item["uid"]).split("@")[0] for item in calendar.walk("VEVENT")}
    assert "ides-of-march" not in uids and len(uids) == Event.objects.published().count() - 1
    comment = str(calendar["X-COMMENT"])
    assert "1 event left out" in comment and "15 March 44 BCE: Caesar is killed" in comment


def test_bce_dates_in_csv_and_timelinejs(client):
    """CSV writes expanded ISO 8601 days; TimelineJS negative years."""
    CitationFactory(event=EventFactory(slug="ides-of-march", title="Caesar is killed", date="-0043-03-15"))
    rows = {
        row["slug"]: row for row in csv.DictReader(io.StringIO(client.get("/api/events/", {"format": "csv"}).content.decode()))
    }
    # A spreadsheet would compute -0043-03-15 as a sum: the apostrophe keeps it text (CSV injection guard).
    assert rows["ides-of-march"]["date_lower"] == "'-0043-03-15"
    assert rows["ides-of-march"]["date_display"] == "15 March 44 BCE"
    slides = {slide["unique_id"]: slide for slide in client.get("/api/events/", {"format": "timelinejs"}).json()["events"]}
    assert slides["ides-of-march"]["start_date"] == {"year": -43, "month": 3, "day": 15}

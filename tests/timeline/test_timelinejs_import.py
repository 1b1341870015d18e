"""manage.py import_timelinejs: TimelineJS JSON and sheet CSV into a draft timeline, every refusal one line, and the round trip."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CitationFactory, EventFactory, PeriodFactory, ThemeFactory, TimelineFactory
from timeline.models import Event, EventMedia, Period, Timeline
from timeline.services import event_publish

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_timelinejs", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(path, *args):
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_timelinejs", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue().strip().splitlines()


def write(tmp_path, data, name="t.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_a_timelinejs_file_becomes_a_draft_timeline():
    """Title slide, dates at their precision (deep time, BCE), sanitised text, groups, eras and media links."""
    run(DATA / "timelinejs_cosmos.json")
    timeline = Timeline.objects.get(slug="deep-time")
    assert (timeline.title, timeline.status) == ("Deep time", "draft")
    assert "script" not in timeline.intro and "From the Big Bang" in timeline.intro
    events = {event.slug: event for event in timeline.events.all()}
    assert {slug: event.date for slug, event in events.items()} == {
        "big-bang": "Y-13800000000", "the-earth-forms": "Y-4500000000", "caesar-is-killed": "-0043-03-15",
        "apollo-11": "1969-07", "the-wall-falls": "1989-11-09/1990",
    }  # fmt: skip
    assert all(event.status == "draft" for event in events.values())
    assert "<em>begins</em>" in events["big-bang"].annotation and "onerror" not in events["big-bang"].annotation
    assert events["caesar-is-killed"].display_date == "Ides of March, 44 BCE"
    assert [theme.name for theme in events["big-bang"].themes.all()] == ["Cosmos"]
    media = EventMedia.objects.get(event=events["caesar-is-killed"])
    assert (media.kind, media.url, media.credit, media.caption) == (
        "link",
        "https://upload.example.org/caesar.jpg",
        "Museo",
        "A bust of Caesar",
    )
    assert Period.objects.get(slug="roman-empire").date == "-0027/0476"
    assert not Event.objects.published().filter(slug="big-bang").exists()


def test_importing_again_changes_nothing_and_a_changed_file_updates():
    run(DATA / "timelinejs_cosmos.json")
    assert "nothing changed" in run(DATA / "timelinejs_cosmos.json")
    data = json.loads((DATA / "timelinejs_cosmos.json").read_text())
    data["events"][3]["start_date"]["day"] = 20
    path = DATA.parent / "data" / "tmp-changed.json"
    try:
        path.write_text(json.dumps(data))
        assert "1 events updated" in run(path, "--timeline", "deep-time")
    finally:
        path.unlink()
    assert Event.objects.get(slug="apollo-11").date == "1969-07-20"


def test_the_sheet_template_as_csv():
    """The Google Sheet template's columns: title and era rows, dates, display date, group, media."""
    run(DATA / "timelinejs_sheet.csv", "--timeline", "sheet")
    timeline = Timeline.objects.get(slug="sheet")
    assert timeline.title == "A sheet timeline"
    dates = dict(timeline.events.values_list("slug", "date"))
    assert dates == {"year-only": "2015", "month-only": "2022-07", "days": "2019-06-28/2019-07-02", "bce-year": "-0500"}
    assert Event.objects.get(slug="month-only").media_item.url == "https://video.example.org/watch?v=1"
    assert Period.objects.get(slug="era-row").date == "2011/2019"


@pytest.mark.parametrize(
    ("slide", "message"),
    [
        ({"text": {"headline": "No date"}}, "events[0] (“No date”): no start date"),
        ({"start_date": {"year": "19x9"}, "text": {"headline": "Bad year"}}, "start year “19x9” is not a whole number"),
        ({"start_date": {"year": 2000, "month": 13}, "text": {"headline": "Bad month"}}, "start month 13 is out of range"),
        ({"start_date": {"year": 2023, "month": 2, "day": 29}, "text": {"headline": "No such day"}}, "not a valid EDTF date"),
        ({"start_date": {"year": 2000, "day": 3}, "text": {"headline": "Day only"}}, "has a day but no month"),
        ({"start_date": {"year": 2000}, "end_date": {"year": 1990}, "text": {"headline": "Backwards"}}, "ends before it starts"),
        ({"start_date": {"year": 2000}}, "events[0]: no headline"),
        (
            {"start_date": {"year": 2000}, "text": {"headline": "Embed"}, "media": {"url": "<iframe src=x>"}},
            "is not a web address",
        ),
        (
            {"start_date": {"year": -50000, "month": 2}, "text": {"headline": "Deep month"}},
            "EDTF writes years beyond ±9999 alone",
        ),
        ({"start_date": {"year": -4e9}, "end_date": {"year": -5e9}, "text": {"headline": "Deep span"}}, "ends before it starts"),
    ],
)
def test_each_problem_is_refused_with_one_line(tmp_path, slide, message):
    """One line per problem, naming the file, the slide and the fix; nothing is written."""
    good = {"start_date": {"year": 2001}, "text": {"headline": "Good"}}
    lines = refused(write(tmp_path, {"events": [slide, good]}), "--timeline", "refusals")
    assert len(lines) == 1 and lines[0].startswith("t.json: events[0]") and message in lines[0]
    assert not Timeline.objects.filter(slug="refusals").exists() and not Event.objects.filter(slug="good").exists()


def test_file_level_refusals(tmp_path):
    assert "not valid JSON" in refused(write(tmp_path, "{"))[0]
    assert "not a TimelineJS file" in refused(write(tmp_path, {"slides": []}))[0]
    assert "the columns Headline, Year are missing" in refused(write(tmp_path, "Date,Title\n2000,x\n", "s.csv"))[0]
    assert "row 3 (“Bad”): start year “MMX”" in refused(write(tmp_path, "Year,Headline\n2000,Good\nMMX,Bad\n", "s.csv"))[0]
    lines = refused(write(tmp_path, {"events": [{"start_date": {"year": 1}, "text": {"headline": "Twice"}}] * 2}))
    assert "same as that of" in lines[0]
    lines = refused(write(tmp_path, {"events": [{"start_date": {"year": 1}, "text": {"headline": "x"}}], "eras": [{"start_date": {"year": 1}, "text": {"headline": "Open"}}]}))  # fmt: skip
    assert "eras[0] (“Open”): the era has no end date" in lines[0]


def test_a_slug_of_another_timelines_event_is_refused(tmp_path):
    EventFactory(slug="taken", title="Someone else's", timelines=[TimelineFactory(slug="other")])
    lines = refused(
        write(tmp_path, {"events": [{"unique_id": "taken", "start_date": {"year": 2000}, "text": {"headline": "Mine"}}]})
    )
    assert "taken by an event of another timeline (“Someone else's”)" in lines[0]
    assert Event.objects.get(slug="taken").title == "Someone else's"


def test_round_trip_keeps_the_dates(client):
    """Imported, published (with evidence), exported as TimelineJS: the same date objects come back."""
    run(DATA / "timelinejs_cosmos.json")
    timeline = Timeline.objects.get(slug="deep-time")
    timeline.status = "published"
    timeline.save()
    for event in timeline.events.all():
        CitationFactory(event=event)
        event_publish(event=event)
    exported = client.get("/api/events/", {"format": "timelinejs", "timeline": "deep-time"}).json()
    original = json.loads((DATA / "timelinejs_cosmos.json").read_text())

    def numbers(date):
        return {key: int(str(value).replace(",", "")) for key, value in date.items()}

    expected = {
        slide["text"]["headline"]: (numbers(slide["start_date"]), numbers(slide.get("end_date") or {}))
        for slide in original["events"]
    }
    got = {slide["text"]["headline"]: (slide["start_date"], slide.get("end_date") or {}) for slide in exported["events"]}
    assert got == expected
    assert exported["title"]["text"]["headline"] == "Deep time" and exported["scale"] == "cosmological"
    assert [era["start_date"] for era in exported["eras"]] == [{"year": -27}]


def test_an_interval_of_deep_time_round_trips(tmp_path, client):
    """A slide from 170,000 to 160,000 years before 1 CE imports as Y-170000/Y-160000 and exports the same years."""
    slide = {
        "unique_id": "long-ago",
        "start_date": {"year": -170000},
        "end_date": {"year": -160000},
        "text": {"headline": "Long ago"},
    }
    run(write(tmp_path, {"title": {"text": {"headline": "Ages"}}, "events": [slide]}), "--timeline", "ages")
    event = Event.objects.get(slug="long-ago")
    assert event.date == "Y-170000/Y-160000" and event.date_first.year == -170000 and event.date_last.year == -160000
    Timeline.objects.filter(slug="ages").update(status="published")
    CitationFactory(event=event)
    event_publish(event=event)
    exported = client.get("/api/events/", {"format": "timelinejs", "timeline": "ages"}).json()
    assert [(s["start_date"], s["end_date"]) for s in exported["events"]] == [({"year": -170000}, {"year": -160000})]


DASHED = {
    "title": {"text": {"headline": "Iran and Iraq"}},
    "events": [
        {"start_date": {"year": 1980, "month": 9}, "text": {"headline": "Iran–Iraq war begins"}, "group": "Iran–Iraq"},
        {"unique_id": "ceasefire–1988", "start_date": {"year": 1988, "month": 8}, "text": {"headline": "Ceasefire"}},
    ],
    "eras": [{"start_date": {"year": 1980}, "end_date": {"year": 1988}, "text": {"headline": "1980–1988"}}],
}


def test_imported_slugs_keep_their_dashes(tmp_path):
    """Headlines, unique_ids, eras and groups joined by en dashes give slugs joined by "-", as the admin's do."""
    run(write(tmp_path, DASHED), "--timeline", "iran-iraq")
    assert set(Timeline.objects.get(slug="iran-iraq").events.values_list("slug", flat=True)) == {
        "iran-iraq-war-begins",
        "ceasefire-1988",
    }
    assert Period.objects.filter(slug="1980-1988").exists()
    assert list(Event.objects.get(slug="iran-iraq-war-begins").themes.values_list("slug", flat=True)) == ["iran-iraq"]


def test_a_file_imported_before_slugs_kept_dashes_is_updated_not_duplicated(tmp_path):
    """
    Rows an earlier import made with the former slugs (dashes dropped) are found and updated: no second
    event, period or theme. A draft takes the readable slug; a published event keeps its slug (readers link to it).
    """
    timeline = TimelineFactory(slug="iran-iraq", title="Iran and Iraq", status="draft")
    theme = ThemeFactory(slug="iraniraq", name="Iran–Iraq")
    draft = EventFactory(slug="iraniraq-war-begins", title="Old title", date="1980", status="draft", timelines=[timeline])
    draft.themes.add(theme)
    published = EventFactory(slug="ceasefire1988", title="Ceasefire", date="1988-08", timelines=[timeline])
    assert published.published_at is not None
    PeriodFactory(slug="19801988", name="1980–1988", date="1980/1988", timelines=[timeline])

    output = run(write(tmp_path, DASHED), "--timeline", "iran-iraq")

    assert "events created" not in output and "periods created" not in output and "themes created" not in output
    assert set(timeline.events.values_list("pk", "slug")) == {
        (draft.pk, "iran-iraq-war-begins"),
        (published.pk, "ceasefire1988"),
    }
    draft.refresh_from_db()
    assert (draft.title, draft.date) == ("Iran–Iraq war begins", "1980-09")
    assert list(draft.themes.all()) == [theme]
    assert list(Period.objects.filter(name="1980–1988").values_list("slug", flat=True)) == ["19801988"]
    assert "nothing changed" in run(write(tmp_path, DASHED), "--timeline", "iran-iraq")

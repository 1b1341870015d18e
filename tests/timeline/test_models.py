"""Events, periods and citations (timeline.models), and the passages they point into."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from sources.dates import Day, day_number, edtf_bounds
from sources.models import DateMention, Passage, Source
from tests.factories import CitationFactory, EventFactory, PeriodFactory, SourceFactory
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

D = day_number
DRAFT_SLUG = "russia-suspends-s-300-delivery"


@pytest.mark.parametrize("factory", [EventFactory, PeriodFactory], ids=["event", "period"])
def test_save_derives_date_bounds_and_precision(factory):
    """Saving a dated object stores the first and last day its EDTF date can mean, and its precision."""
    obj = factory(date="2006-12/2010-06")
    obj.refresh_from_db()
    assert (obj.date_lower, obj.date_upper, obj.date_precision) == (D(2006, 12, 1), D(2010, 6, 30), "month")


def test_save_rederives_bounds_when_the_date_changes():
    """Correcting an event's date moves its bounds with it."""
    event = EventFactory(date="2015")
    event.date = "2019-06-28"
    event.save()
    event.refresh_from_db()
    assert (event.date_lower, event.date_upper, event.date_precision) == (D(2019, 6, 28), D(2019, 6, 28), "day")


def test_save_stores_the_date_trimmed():
    """A date typed with spaces around it is stored without them."""
    event = EventFactory(date=" 2007~ ")
    event.refresh_from_db()
    assert event.date == "2007~"


@pytest.mark.parametrize("date", ["2015-13", "yesterday", "2019/2011"])
def test_full_clean_refuses_invalid_edtf_on_date(date):
    """An invalid date is reported on the date field, naming the value the editor typed."""
    event = EventFactory.build(title="Something happened", slug="something-happened", date=date, status=Event.Status.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert list(excinfo.value.message_dict) == ["date"]
    assert f"“{date}”" in excinfo.value.message_dict["date"][0]


@pytest.mark.parametrize("factory", [EventFactory, PeriodFactory], ids=["event", "period"])
def test_database_refuses_lower_bound_after_upper_bound(factory):
    """The database itself refuses a date whose first day comes after its last."""
    obj = factory(date="2015")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(date_lower=D(2016, 1, 1), date_upper=D(2015, 1, 1))


def test_published_excludes_the_demo_draft():
    """Readers see every demo event except the one draft."""
    hidden = Event.objects.exclude(pk__in=Event.objects.published())
    assert list(hidden.values_list("slug", flat=True)) == [DRAFT_SLUG]
    assert Event.objects.published().count() == Event.objects.count() - 1


def test_published_excludes_a_new_draft():
    """A newly written draft stays hidden until it is published."""
    draft = EventFactory(status=Event.Status.DRAFT)
    published = EventFactory(status=Event.Status.PUBLISHED)
    assert draft not in Event.objects.published()
    assert published in Event.objects.published()
    assert list(Event.objects.drafts().filter(pk__in=[draft.pk, published.pk])) == [draft]


def test_publishing_stamps_published_at():
    """An event gets a publication time when it is published, not while it is a draft."""
    event = EventFactory(status=Event.Status.DRAFT)
    assert event.published_at is None
    event.status = Event.Status.PUBLISHED
    event.save()
    assert event.published_at is not None


@pytest.fixture
def dated_events():
    """Events far from the demo's years, keyed by their EDTF date."""
    dates = ["1815", "1812-06/1812-12", "1790/1799", "../1700", "1850-02-24/.."]
    return {date: EventFactory(date=date) for date in dates}


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        # A window inside the event, and an event inside the window.
        (D(1815, 6, 1), D(1815, 6, 30), {"1815"}),
        (D(1810, 1, 1), D(1820, 1, 1), {"1815", "1812-06/1812-12"}),
        # Touching either end counts; a day beyond does not.
        (D(1815, 12, 31), D(1816, 6, 1), {"1815"}),
        (D(1814, 6, 1), D(1815, 1, 1), {"1815"}),
        (D(1816, 1, 1), D(1816, 12, 31), set()),
        # Intervals overlap a window that covers only part of them.
        (D(1795, 1, 1), D(1796, 1, 1), {"1790/1799"}),
        (D(1812, 12, 31), D(1813, 1, 1), {"1812-06/1812-12"}),
        # Open ends reach as far as the calendar goes.
        (D(1200, 1, 1), D(1200, 12, 31), {"../1700"}),
        (D(1900, 1, 1), D(1900, 12, 31), {"1850-02-24/.."}),
        # An open window.
        (None, D(1700, 1, 1), {"../1700"}),
        (D(1816, 1, 1), None, {"1850-02-24/.."}),
        (None, None, {"1815", "1812-06/1812-12", "1790/1799", "../1700", "1850-02-24/.."}),
    ],
)
def test_between_returns_events_overlapping_the_window(dated_events, lower, upper, expected):
    """Filtering by dates keeps every event that could have happened in the window, and no other."""
    pks = [event.pk for event in dated_events.values()]
    found = Event.objects.filter(pk__in=pks).between(lower, upper)
    assert {event.date for event in found} == expected


def test_between_chains_with_published():
    """Date filtering and the published filter combine."""
    shown = EventFactory(date="1815")
    EventFactory(date="1815", status=Event.Status.DRAFT)
    assert list(Event.objects.published().between(D(1815, 1, 1), D(1815, 12, 31))) == [shown]


@pytest.fixture
def passage():
    """The body passage "The first paragraph says that Russia and Iran signed a treaty in 2025." of a new source."""
    return SourceFactory().passages.get(ordinal=3)


def citation_for(passage, quote, **fields):
    return CitationFactory.build(event=EventFactory(), passage=passage, quote=quote, unanchored=True, **fields)


def test_citation_clean_anchors_the_quote(passage):
    """A quote typed without offsets is found in its passage, with the source text just before and after it."""
    citation = citation_for(passage, "signed a treaty")
    citation.full_clean()
    assert passage.text[citation.start : citation.end] == "signed a treaty"
    assert citation.start == len("The first paragraph says that Russia and Iran ")
    assert citation.prefix == "graph says that Russia and Iran "
    assert citation.suffix == " in 2025.\n\nA second paragraph."


def test_citation_clean_context_crosses_passage_boundaries(passage):
    """A quote at the start of a passage takes its prefix from the passage before, as a text selector does."""
    citation = citation_for(passage, "The first paragraph")
    citation.full_clean()
    assert (citation.start, citation.end) == (0, len("The first paragraph"))
    assert citation.prefix == "Heading\n\n"


def test_citation_clean_keeps_the_chosen_occurrence_of_a_repeated_quote():
    """When the quoted words occur twice, the occurrence the editor picked is the one cited."""
    source = SourceFactory(text="Heading\n\nSanctions hit Iran first. Then sanctions hit Russia. Sanctions hit both.")
    passage = source.passages.get(ordinal=3)
    second = passage.text.rindex("Sanctions hit")
    citation = citation_for(passage, "Sanctions hit", start=second, end=second + len("Sanctions hit"))
    citation.full_clean()
    assert citation.start == second
    assert citation.prefix.endswith("hit Russia. ")


def test_citation_clean_corrects_stale_offsets(passage):
    """Offsets that no longer point at the quote are replaced by the quote's real place."""
    citation = citation_for(passage, "signed a treaty", start=0, end=15)
    citation.full_clean()
    assert passage.text[citation.start : citation.end] == "signed a treaty"


def test_citation_clean_refuses_a_quote_not_in_the_passage(passage):
    """A quote the passage does not contain is refused on the quote field, naming the passage and source."""
    citation = citation_for(passage, "signed an alliance")
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert list(excinfo.value.message_dict) == ["quote"]
    assert excinfo.value.error_dict["quote"][0].code == "quote_not_in_passage"
    message = excinfo.value.message_dict["quote"][0]
    assert "¶3" in message and passage.source.slug in message


def test_citation_clean_refuses_a_quote_from_another_passage(passage):
    """Words from a neighbouring passage of the same source are not in this passage."""
    citation = citation_for(passage, "A second paragraph")
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "quote" in excinfo.value.message_dict


def test_citation_clean_refuses_an_empty_quote(passage):
    """A citation must quote something."""
    citation = citation_for(passage, "")
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "quote" in excinfo.value.message_dict


def test_citation_context_splits_the_passage_around_the_quote(passage):
    """The reader's highlight shows the passage with the quote in the middle."""
    citation = CitationFactory(passage=passage)
    before, quote, after = citation.context
    assert quote == "signed a treaty"
    assert before + quote + after == passage.text


def test_deleting_a_cited_passage_is_refused():
    """A passage that is cited cannot be deleted, and the citation survives the attempt."""
    citation = CitationFactory()
    with pytest.raises(ProtectedError):
        citation.passage.delete()
    assert Citation.objects.filter(pk=citation.pk, passage=citation.passage).exists()


def test_deleting_a_cited_demo_source_is_refused():
    """A demo source the timeline cites cannot be deleted, nor its passages, nor the citations."""
    citation = Citation.objects.select_related("passage__source").first()
    source = citation.passage.source
    passage_count = source.passages.count()
    with pytest.raises(ProtectedError):
        source.delete()
    assert Source.objects.filter(pk=source.pk).exists()
    assert source.passages.count() == passage_count
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_deleting_an_uncited_source_takes_its_passages():
    """A source nobody cites can be deleted, passages and all."""
    source = SourceFactory()
    source.delete()
    assert not Passage.objects.filter(source_id=source.pk).exists()


def test_passage_clean_accepts_text_matching_the_source(passage):
    """An imported passage is exactly the source text at its offsets."""
    passage.full_clean()


@pytest.mark.parametrize(
    "change",
    [{"text": "The first paragraph says that Russia and Iran signed an alliance in 2025."}, {"start": 10}],
    ids=["edited text", "shifted offsets"],
)
def test_passage_clean_refuses_text_not_matching_the_source(passage, change):
    """A passage edited by hand, so that it no longer matches the source at its offsets, is refused."""
    for name, value in change.items():
        setattr(passage, name, value)
    with pytest.raises(ValidationError) as excinfo:
        passage.full_clean()
    assert excinfo.value.error_dict["__all__"][0].code == "offsets_mismatch"


def test_period_str_shows_its_dates():
    """A period is listed with its name and its dates in words."""
    assert str(PeriodFactory(name="Syrian civil war", date="2011/2019")) == "Syrian civil war (2011–2019)"


def test_event_year_sql_gives_the_astronomical_year_of_any_day():
    """event_year() (SQL) agrees with the calendar at the first and last day of years in every era."""
    from timeline.selectors import event_year

    years = [-13_800_000_000, -65_000_000, -500, -44, -1, 0, 1, 400, 1600, 1900, 2000, 2024, 9999, 12000, 170_000_002]
    expected = {}
    for year in years:
        for month, day in ((1, 1), (2, 28), (3, 1), (12, 31)):
            event = EventFactory(date="2000")
            Event.objects.filter(pk=event.pk).update(date_lower=D(year, month, day), date_upper=D(year, month, day))
            expected[event.pk] = year
    found = dict(Event.objects.filter(pk__in=expected).annotate(year=event_year()).values_list("pk", "year"))
    assert found == expected


def test_bce_events_sort_before_ce_ones():
    """The Ides of March (44 BCE) come before 1 BCE, 1 CE and 2015; the Big Bang before them all."""
    dates = ["2015", "0001", "-0043-03-15", "0000", "Y-13800000000"]
    for date in dates:
        EventFactory(date=date)
    found = [event.date for event in Event.objects.filter(date__in=dates).order_by("date_lower", "date_upper")]
    assert found == ["Y-13800000000", "-0043-03-15", "0000", "0001", "2015"]


@pytest.mark.parametrize("edtf", ["Y-170000/Y-160000", "-0043-03-15", "2022-02-24/..", "../1999"])
def test_first_and_last_day_agree_for_a_date_a_mention_and_an_event(edtf):
    """The same EDTF gives the same first and last day whether read, found in a passage or given to an event and a period."""
    bounds = edtf_bounds(edtf)
    mention = DateMention(edtf=edtf, lower=bounds.lower, upper=bounds.upper)
    event, period = EventFactory(date=edtf), PeriodFactory(date=edtf)
    days = {(holder.first, holder.last) for holder in (bounds, mention)}
    days |= {(holder.date_first, holder.date_last) for holder in (event, period)}
    assert days == {(Day(bounds.lower), Day(bounds.upper))}

"""EventFilter: the one definition of what a timeline URL means."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import RequestFactory

from sources.dates import day_number
from tests.factories import CitationFactory, EventFactory, UserFactory
from timeline.filters import EventFilter
from timeline.models import Event

pytestmark = pytest.mark.django_db


def filtered(query):
    return EventFilter(QueryDict(query), queryset=Event.objects.published())


def test_several_actors_mean_any_of_them_and_each_event_once():
    """actor=russia&actor=iran keeps events with either, each listed once."""
    events = list(filtered("actor=russia&actor=iran").qs)
    assert len(events) == len(set(events))
    assert set(events) == set(Event.objects.published().filter(actors__slug__in=["russia", "iran"]))


def test_natural_language_dates_are_bounds():
    """date_from=July 2022 starts on 1 July 2022; date_to=2003-03 ends on 31 March 2003."""
    form = filtered("date_from=July+2022&date_to=2003-03").form
    assert form.is_valid()
    assert form.cleaned_data["date_from"].lower == day_number(2022, 7, 1)
    assert form.cleaned_data["date_to"].upper == day_number(2003, 3, 31)


def test_an_unreadable_date_is_a_form_error_and_the_other_filters_still_apply():
    """An unreadable date is reported on its field; the filter set still filters by the rest."""
    filterset = filtered("date_to=someday+soonish&actor=russia")
    assert "date_to" in filterset.errors
    assert set(filterset.qs) == set(Event.objects.published().filter(actors__slug="russia"))
    assert filterset.active == ["actor"]


def test_filter_queryset_except_leaves_out_the_named_filters():
    """filter_queryset_except(…, "actor") applies every filter but the actor one (for facet counts)."""
    filterset = filtered("actor=china&theme=military")
    without_actor = filterset.filter_queryset_except(Event.objects.published(), "actor")
    assert set(without_actor) == set(Event.objects.published().filter(themes__slug="military"))


def test_search_covers_titles_annotations_and_quotes():
    """q finds words in a title, an annotation or a cited quote, case-insensitively."""
    citation = CitationFactory(event__title="Quiet title", event__annotation="Quiet text.")
    assert citation.event in filtered("q=TREATY").qs
    assert citation.event in filtered("q=quiet").qs
    assert citation.event not in filtered("q=zanzibar").qs


def test_turning_point_unchecked_keeps_everything():
    """turning_point absent or false keeps every event; true keeps turning points only."""
    everything = set(Event.objects.published())
    assert set(filtered("").qs) == everything
    assert set(filtered("turning_point=false").qs) == everything
    assert set(filtered("turning_point=true").qs) == set(Event.objects.published().turning_points())


def test_search_follows_edits_to_titles_quotes_and_orphans():
    """Search finds an event by a newly cited quote and a new title, and no longer by a quote a re-import orphaned."""
    citation = CitationFactory(event__title="A quiet event", quote="signed a treaty")
    event = citation.event
    assert list(filtered("q=treaty").qs.filter(pk=event.pk)) == [event]
    event.title = "Caspian summit in Ashgabat"
    event.save()
    assert list(filtered("q=Ashgabat").qs) == [event]
    source = citation.passage.source
    citation.passage, citation.start, citation.end = None, 0, 0
    citation.anchor_status, citation.orphaned_from = citation.AnchorStatus.ORPHANED, source
    citation.save()
    assert not filtered("q=treaty").qs.filter(pk=event.pk).exists()


def test_a_search_of_2000_words_uses_the_first_20_in_one_query_and_says_so(client):
    """2,000 words: one subquery whatever their number, the rest dropped, and the page and the API say so."""

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from timeline.selectors import SEARCH_MAX_WORDS

    words = " ".join(["iran"] + [f"word{number}" for number in range(1999)])
    filterset = filtered(urlencode({"q": words}))
    assert filterset.is_valid() and len(filterset.form.cleaned_data["q"].split()) == SEARCH_MAX_WORDS
    assert filterset.notices
    with CaptureQueriesContext(connection) as queries:
        list(filterset.qs)
    assert max(query["sql"].count("SELECT") for query in queries.captured_queries) <= 3
    page = client.get("/", {"q": words})
    assert page.status_code == 200 and "only the first 20 words" in page.content.decode()
    api = client.get("/api/events/", {"q": words})
    assert api.status_code == 200 and "only the first 20 words" in api.headers["Citeline-Notice"]


@pytest.mark.parametrize("query", ["nucle", "NUCLEAR", "uclea", "S-300", "of", "%", "_", '"', "ب"])
def test_search_through_the_index_matches_what_icontains_matched(query):
    """The FTS5 trigram index (SQLite) finds exactly the events that every-word-icontains found before."""
    from django.db import connection
    from django.db.models import Q

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL searches its full-text vector: words, stemmed, not substrings")

    from timeline.models import Citation

    expected = Event.objects.published()
    for word in query.split():
        quoted = Citation.objects.evidence().filter(quote__icontains=word).values("event_id")
        expected = expected.filter(Q(title__icontains=word) | Q(annotation__icontains=word) | Q(pk__in=quoted))
    assert set(filtered(urlencode({"q": query})).qs) == set(expected)


def test_dates_in_words_of_any_era_filter():
    """From 100 BC to 100 AD keeps a 44 BC event and a 50 AD event, and drops one of 200 BC; the Ides of March come first."""
    ides = CitationFactory(event__date="-0043-03-15", event__slug="ides-of-march").event
    fifty = CitationFactory(event__date="0050", event__slug="fifty-ad").event
    older = CitationFactory(event__date="-0199", event__slug="two-hundred-bc").event
    kept = set(filtered("date_from=100+BC&date_to=100+AD").qs)
    assert {ides, fifty} <= kept and older not in kept
    assert set(filtered("date_from=from+100+BC+to+100+AD&date_to=from+100+BC+to+100+AD").qs) == kept
    assert list(filtered("").qs.order_by("date_lower", "date_upper", "title"))[:3] == [older, ides, fifty]


@pytest.mark.parametrize(
    ("user", "query", "drafts", "shown"),
    [
        ("anonymous", "drafts=1", None, False),
        ("anonymous", "", True, False),  # a surface that offers drafts (the API) still shows none to readers
        ("reader", "drafts=1", None, False),  # signed in, without the right to view drafts
        ("editor", "", None, False),  # an editor who did not ask
        ("editor", "drafts=1", None, True),
        ("editor", "", True, True),
    ],
)
def test_drafts_only_for_an_editor_where_offered(user, query, drafts, shown):
    """EventFilter decides, whatever queryset it is given: drafts only for an editor who asked (or on the API)."""
    draft = EventFactory(title="Draft in the queryset", status=Event.Status.DRAFT)
    request = RequestFactory().get("/", QueryDict(query))
    request.user = {
        "anonymous": AnonymousUser(),
        "reader": UserFactory(username="reader"),
        "editor": UserFactory(username="editor", permissions=["view_event"]),
    }[user]
    filterset = EventFilter(QueryDict(""), queryset=Event.objects.all(), request=request, drafts=drafts)
    assert filterset.qs.filter(pk=draft.pk).exists() is shown
    assert EventFilter(QueryDict(""), request=request, drafts=drafts).qs.filter(pk=draft.pk).exists() is shown

"""The reader pages (timeline, event, passage, source) and the health check."""

import re
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from sources.dates import day_number
from sources.models import Passage
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    ThemeFactory,
    UserFactory,
    default_timeline,
)
from timeline.models import Citation, Event
from timeline.sitemaps import EventSitemap
from timeline.tallies import tallies_refresh
from timeline.views import EVENTS_PER_PAGE, KEY_MOMENTS_LIMIT

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def htmx_get(client, url, target, data=None):
    return client.get(url, data or {}, headers={**HTMX, "HX-Target": target})


def event_ids(html):
    import re

    return re.findall(r'<article class="event[^"]*" id="event-([^"]+)"', html)


# Timeline


def test_timeline_lists_the_first_page_of_published_events_in_date_order(client):
    """`/` shows the first 25 published events, oldest first, grouped under year headings."""
    page = client.get("/").content.decode()
    published = list(Event.objects.published().order_by("date_lower", "date_upper", "title"))
    assert event_ids(page) == [event.slug for event in published[:EVENTS_PER_PAGE]]
    assert '<h2 class="year-heading" id="year-1979">' in page
    assert "Turning point" in page
    assert f"{len(published)} events" in page


def test_more_pages_continue_without_repeating_the_year_heading(client):
    """Page 2 continues where page 1 stopped; htmx gets the events alone, without the page around them."""
    # One more 1900 event than a page holds, before the demo's first year: 1900 runs on across the break.
    EventFactory.create_batch(EVENTS_PER_PAGE + 1, date="1900")
    published = list(Event.objects.published().order_by("date_lower", "date_upper", "title"))
    full = client.get("/", {"page": 2}).content.decode()
    assert event_ids(full) == [event.slug for event in published[EVENTS_PER_PAGE : 2 * EVENTS_PER_PAGE]]
    fragment = htmx_get(client, "/", "p#more-2", {"page": 2}).content.decode()
    assert event_ids(fragment) == event_ids(full)
    assert "<html" not in fragment and 'id="filters"' not in fragment
    assert published[EVENTS_PER_PAGE - 1].date_year == published[EVENTS_PER_PAGE].date_year == 1900
    assert 'id="year-1900"' not in fragment and 'id="year-1979"' in fragment


def test_first_page_links_to_more_with_a_real_href_and_revealed_trigger(client):
    """The "more" link works without JavaScript and loads itself when scrolled into view."""
    page = client.get("/").content.decode()
    assert 'href="?page=2"' in page and 'hx-get="?page=2"' in page and 'hx-trigger="click, revealed"' in page


def test_event_shows_date_title_chips_annotation_and_numbered_citations(client):
    """Each event shows its date in words, its chips, its annotation and its sources with a quote to expand."""
    page = client.get("/").content.decode()
    assert "24 December 1979" in page
    assert (
        '<ul class="chips" aria-label="Actors"><li>' in page
        and '<ul class="chips chips--themes" aria-label="Themes"><li>' in page
    )
    assert '<details><summary>Show the quote <span class="visually-hidden">from ' in page  # reader.js loads it into its slot
    citation = Citation.objects.filter(event__slug="islamic-revolution-in-iran").first()
    passage_url = reverse("timeline:passage_detail", args=[citation.passage.source.slug, citation.passage.ordinal])
    assert f'href="{passage_url}?c={citation.pk}"' in page


def test_filters_by_actor_and_theme(client):
    """?actor=…&theme=… keeps the events with any chosen actor and any chosen theme."""
    page = client.get("/", {"actor": "russia", "theme": "nuclear"}).content.decode()
    expected = Event.objects.published().filter(actors__slug="russia").filter(themes__slug="nuclear").distinct()
    assert sorted(event_ids(page)) == sorted(event.slug for event in expected)
    assert 0 < len(event_ids(page)) < Event.objects.published().count()
    assert f"{expected.count()} of" in page


def test_filters_by_natural_language_dates(client):
    """date_from/date_to read "2015" and "July 2022"; events overlapping the range are kept."""
    page = client.get("/", {"date_from": "2015", "date_to": "July 2022"}).content.decode()
    expected = Event.objects.published().between(day_number(2015, 1, 1), day_number(2022, 7, 31))
    assert sorted(event_ids(page)) == sorted(event.slug for event in expected)


def test_unreadable_date_gets_an_inline_message_not_a_500(client):
    """An unreadable date is named beside its field; the other filters still apply."""
    response = client.get("/", {"date_from": "the day after never", "actor": "russia"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a date Citeline can read" in page
    assert 'aria-invalid="true"' in page
    assert len(event_ids(page)) == min(EVENTS_PER_PAGE, Event.objects.published().filter(actors__slug="russia").count())


def test_turning_points_only(client):
    """?turning_point=true keeps turning points only."""
    page = client.get("/", {"turning_point": "true"}).content.decode()
    assert sorted(event_ids(page)) == sorted(Event.objects.published().turning_points().values_list("slug", flat=True))


def test_filters_by_source(client):
    """?source=… keeps the events citing that source."""
    page = client.get("/", {"source": "iran-russia-relations-new-century"}).content.decode()
    expected = Event.objects.published().filter(citations__passage__source__slug="iran-russia-relations-new-century").distinct()
    assert sorted(event_ids(page)) == sorted(event.slug for event in expected)


def test_search_finds_s300(client):
    """Searching "S-300" finds the S-300 events, with the matched words marked in a snippet."""
    page = client.get("/", {"q": "S-300"}).content.decode()
    slugs = event_ids(page)
    assert {"s-300-agreement", "s-300-delivered"} <= set(slugs)
    assert all("S-300" in Event.objects.get(slug=slug).title + Event.objects.get(slug=slug).annotation
               + " ".join(Event.objects.get(slug=slug).citations.values_list("quote", flat=True)) for slug in slugs)  # fmt: skip
    assert (
        '<p class="snippet">' in page
        and "<mark>" in page
        and "**" not in page.split('<p class="snippet">', 1)[1].split("</p>", 1)[0]
    )


def test_search_snippets_come_from_quotes_only_cut_between_words(client):
    """A snippet shows the quote around the match, cut between words with an ellipsis, never the annotation shown below it."""
    words = " ".join(f"word{n}" for n in range(80))
    citation = CitationFactory(
        event__title="Plain title", event__annotation="The **zebra** annotation, shown in full below.",
        passage=SourceFactory(text=f"Head\n\n{words} a zebra crossing {words}").passages.get(ordinal=3),
        quote=f"{words} a zebra crossing {words}",
    )  # fmt: skip
    page = client.get("/", {"q": "zebra"}).content.decode()
    article = page.split(f'id="event-{citation.event.slug}"', 1)[1].split("</article>", 1)[0]
    snippet = re.search(r'<p class="snippet">(.*?)</p>', article).group(1)
    text = re.sub(r"<[^>]+>", "", snippet).removeprefix("Matches: ")
    assert "<mark>zebra</mark>" in snippet and "crossing" in text
    assert text.startswith("…") and text.endswith("…")
    assert all(re.fullmatch(r"word\d+|a|zebra|crossing", word) for word in text.strip("…").split())  # whole words only
    assert "annotation" not in text and "**" not in snippet
    only_annotation = EventFactory(title="Other", annotation="A **quagga** stripe.")
    page = client.get("/", {"q": "quagga"}).content.decode()
    assert only_annotation.slug in event_ids(page)
    assert 'class="snippet"' not in page.split(f'id="event-{only_annotation.slug}"', 1)[1].split("</article>", 1)[0]


def test_search_looks_in_cited_quotes(client):
    """Words found only in a cited quote find the event."""
    citation = CitationFactory(event__title="Plain title", event__annotation="Plain text.")
    page = client.get("/", {"q": "treaty"}).content.decode()
    assert citation.event.slug in event_ids(page)


def test_search_relevance_order_puts_title_matches_first(client):
    """sort=relevance ranks an event whose title matches above one that only quotes the word."""
    CitationFactory(event__title="Zebra crossing", event__date="1990", event__annotation="Nothing here.")
    quoted = EventFactory(title="Unrelated", date="1980", annotation="A zebra appears.")
    page = client.get("/", {"q": "zebra", "sort": "relevance"}).content.decode()
    slugs = event_ids(page)
    assert slugs.index(Event.objects.get(title="Zebra crossing").slug) < slugs.index(quoted.slug)


def test_facet_counts_reflect_the_other_filters(client):
    """With theme=nuclear, each actor's count is the number of nuclear events with that actor."""
    response = client.get("/", {"theme": "nuclear"})
    facets = response.context["facets"]
    russia = next(option for option in facets.actor if option.slug == "russia")
    assert russia.count == Event.objects.published().filter(themes__slug="nuclear", actors__slug="russia").count()
    nuclear = next(option for option in facets.theme if option.slug == "nuclear")
    assert nuclear.selected and nuclear.count == Event.objects.published().filter(themes__slug="nuclear").count()
    military = next(option for option in facets.theme if option.slug == "military")
    assert military.count == Event.objects.published().filter(themes__slug="military").count()  # its own filter is ignored
    assert 'id="count-actor-russia" data-count="%d"' % russia.count in response.content.decode()


def test_key_moments_list_the_turning_points_in_order_linking_to_their_events(client):
    """A row of cards above the list: every turning point, in date order, its date at its precision, each a link to its event."""
    page = client.get("/").content.decode()
    row = page.split('<nav class="key-moments"', 1)[1].split("</nav>", 1)[0]
    turning_points = list(Event.objects.published().filter(is_turning_point=True).order_by("date_lower", "date_upper", "title"))
    assert len(turning_points) >= 2
    cards = re.findall(
        r'<a class="key-moment" href="([^"]+)"><span class="key-moment-date">([^<]+)</span> <span class="key-moment-title">([^<]+)</span>',
        row,
    )
    assert [title for _, _, title in cards] == [event.title for event in turning_points]
    assert [date for _, date, _ in cards] == [event.date_display for event in turning_points]
    shown = set(event_ids(page))
    for (href, _, _), event in zip(cards, turning_points, strict=True):
        # An anchor when the event is in the list below, its own page when it is further on.
        assert href == (f"#event-{event.slug}" if event.slug in shown else event.get_absolute_url())
        if event.slug in shown:
            assert f'id="event-{event.slug}"' in page
    assert page.index('class="key-moments"') < page.index('id="events"')


def test_key_moments_show_the_first_few_and_link_to_all_the_turning_points(client):
    """Past KEY_MOMENTS_LIMIT turning points, the row shows the first ones and links to the turning-points filter."""
    Event.objects.published().update(is_turning_point=True)
    assert Event.objects.published().count() > KEY_MOMENTS_LIMIT
    page = client.get("/").content.decode()
    row = page.split('<nav class="key-moments"', 1)[1].split("</nav>", 1)[0]
    assert row.count('class="key-moment"') == KEY_MOMENTS_LIMIT
    link = re.search(r'<a href="([^"]+)">All the turning points</a>', row)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
    assert "turning_point=true" in link.group(1)


def test_key_moments_are_hidden_when_the_timeline_has_no_turning_point(client):
    """A timeline without turning points shows no empty row."""
    Event.objects.update(is_turning_point=False)
    page = client.get("/").content.decode()
    assert "key-moments" not in page and "Key moments" not in page


def test_the_axis_is_the_overview_no_year_chart_or_year_list(client):
    """The old year chart and its list of years (which duplicated the axis' widest zoom) are gone; the axis and the counts stay."""
    page = client.get("/").content.decode()
    assert 'class="overview' not in page and 'class="decades' not in page
    assert "data-axis" in page
    published = Event.objects.published().in_timeline(default_timeline()).count()
    assert f"{published} events</p>" in page
    filtered = client.get("/", {"actor": "russia"}).content.decode()
    assert re.search(r"\d+ of %d events match" % published, filtered)


def test_filters_wait_behind_a_button_that_counts_the_active_ones(client):
    """The form sits in a <details> whose summary reads "Filters (N)", N the filters in use; the status comes before it."""
    plain = client.get("/").content.decode()
    assert '<summary class="filters-toggle">Filters<span id="filters-count" class="filters-count"></span></summary>' in plain
    assert plain.index('id="result-status"') < plain.index("filters-toggle") < plain.index('id="events"')
    page = client.get("/", {"actor": ["russia", "china"], "q": "treaty", "date_from": "2000"}).content.decode()
    assert 'Filters<span id="filters-count" class="filters-count"> (4)' in page
    assert '<details class="filters-panel" id="filters-panel" data-filters-panel>' in page  # closed: the results come first
    fragment = htmx_get(client, "/", "section#results", {"theme": "nuclear"}).content.decode()
    assert '<span id="filters-count" class="filters-count" hx-swap-oob="true"> (1)' in fragment


def test_from_after_to_says_so_and_offers_to_swap_them(client):
    """From 2020 and To 2010: a message naming both, with a link that swaps them, instead of a bare "0 of N events match"."""
    page = client.get("/", {"date_from": "2020", "date_to": "2010", "actor": "russia"}).content.decode()
    assert "From 2020 is after To 2010" in page and " of " not in page.split('id="result-status"', 1)[1].split("</p>", 1)[0]
    swap = re.search(r'<a href="\?([^"]+)"[^>]*>swap them</a>', page).group(1)
    assert dict(parse_qsl(swap.replace("&amp;", "&"))) == {"date_from": "2010", "date_to": "2020", "actor": "russia"}
    swapped = client.get("/", dict(parse_qsl(swap.replace("&amp;", "&")))).content.decode()
    assert "is after To" not in swapped and event_ids(swapped)
    same_year = client.get("/", {"date_from": "2015", "date_to": "2015"}).content.decode()
    assert "is after To" not in same_year


def test_htmx_filter_change_swaps_results_with_out_of_band_counts(client):
    """An htmx request from the form gets #results, the live status and the counts out of band, and a clean URL to push."""
    response = htmx_get(client, "/", "section#results", {"q": "", "actor": "russia", "date_from": ""})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert 'id="result-status" hx-swap-oob="innerHTML"' in page
    assert 'id="count-theme-nuclear"' in page and 'hx-swap-oob="true"' in page
    assert response["HX-Push-Url"] == "/?actor=russia"
    assert "HX-Request" in response["Vary"]


def test_htmx_link_swaps_the_whole_reader(client):
    """A year or decade link (htmx, target #reader) gets the form too, so it shows the new dates."""
    page = htmx_get(client, "/", "div#reader", {"date_from": "2015", "date_to": "2015"}).content.decode()
    assert page.lstrip().startswith('<div id="reader"')
    assert 'value="2015"' in page and "<html" not in page


def test_history_restore_gets_the_full_page(client):
    """htmx's back/forward restore (HX-History-Restore-Request) gets the whole page."""
    response = client.get("/", {"actor": "russia"}, headers={**HTMX, "HX-Target": "body", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_no_javascript_form_submission_redirects_to_a_clean_url(client):
    """A plain GET of the whole form drops its empty fields, so the shared URL is short."""
    response = client.get("/", {"q": "", "actor": "russia", "date_from": "", "date_to": "", "sort": ""})
    assert response.status_code == 302 and response["Location"] == "/?actor=russia"


def test_drafts_are_invisible_to_readers(client):
    """A draft is neither listed, nor counted, nor reachable by its URL."""
    draft = Event.objects.drafts().first()
    assert draft is not None
    for number in (1, 2):
        assert draft.slug not in event_ids(client.get("/", {"page": number}).content.decode())
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_annotation_markdown_is_sanitised(client):
    """Editors' Markdown renders, but script, event handlers and javascript: links never reach readers."""
    event = CitationFactory(
        event__annotation="**Bold** <script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3))"
    ).event
    page = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and "onerror" not in page and "javascript:" not in page


# Event page


def test_event_page_shows_date_in_words_precision_and_stance(client):
    """An event page spells out the date and its precision and labels disputing evidence with its note."""
    event = Event.objects.get(slug="soviet-invasion-of-afghanistan")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "24 December 1979" in page and "Known to the day" in page
    assert "disputes" in page and "Wrong year" in page


def test_event_page_quotes_in_passages_with_neighbours_and_citation(client):
    """Each citation's quote is marked in its passage, with previous/next passages on demand, and the event is citable."""
    event = Event.objects.get(slug="2003-iraq-war")
    citation = event.citations.first()
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'class="quote-mark quote-mark--%s is-current">' % citation.stance in page
    previous_url = reverse("timeline:passage_detail", args=[citation.passage.source.slug, citation.passage.ordinal - 1])
    assert f'href="{previous_url}" hx-get="{previous_url}"' in page
    assert "Cite this event" in page and f"http://testserver{event.get_absolute_url()}" in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_event_page_spells_out_approximate_and_interval_dates(client):
    """ "c. 2007" says it is approximate; an interval says it is a span."""
    approximate = CitationFactory(event__date="2007~").event
    span = CitationFactory(event__date="2011/2019").event
    assert "approximate" in client.get(approximate.get_absolute_url()).content.decode()
    page = client.get(span.get_absolute_url()).content.decode()
    assert "2011–2019" in page and "A span of time" in page and "1 January 2011 to 31 December 2019" in page


# Passages


def test_passage_page_and_its_htmx_fragment(client):
    """A passage has its own page; htmx gets the passage alone, with the chosen quote marked as current."""
    citation = Citation.objects.filter(event__status="published").select_related("passage__source").first()
    url = reverse("timeline:passage_detail", args=[citation.passage.source.slug, citation.passage.ordinal])
    full = client.get(url, {"c": citation.pk}).content.decode()
    assert "<html" in full and "is-current" in full and 'rel="next"' in full
    fragment = client.get(url, {"c": citation.pk}, headers=HTMX).content.decode()
    assert "<html" not in fragment and "is-current" in fragment
    assert f'href="{citation.passage.source.get_absolute_url()}?c={citation.pk}#q-{citation.pk}"' in fragment


def test_the_passage_pages_quote_links_land_on_their_marks(client):
    """On a passage's own page, each "the quote" link of its citing events points at a mark that exists there."""
    for passage in Passage.objects.filter(citations__event__status="published").distinct()[:5]:
        page = client.get(reverse("timeline:passage_detail", args=[passage.source.slug, passage.ordinal])).content.decode()
        targets = re.findall(r'href="#(q-\d+)"', page)
        assert targets
        assert all(f'id="{target}"' in page for target in targets), passage


def test_passage_page_404_for_a_missing_ordinal(client):
    """An ordinal past the end of the source is a 404."""
    assert client.get(reverse("timeline:passage_detail", args=["iran-russia-relations-new-century", 9999])).status_code == 404


# Sources


def test_source_page_anchors_passages_and_renders_persian_right_to_left(client):
    """Passages have stable #p-N anchors; the Persian references are marked dir=rtl lang=fa."""
    page = client.get(reverse("timeline:source_detail", args=["iran-russia-relations-new-century"])).content.decode()
    assert 'id="p-7"' in page
    assert 'id="p-7" dir="rtl" lang="fa"' in page
    assert "Cited as evidence for: <a href=" in page and "“…”" not in page


def test_source_page_marks_quotes_in_place_with_back_links(client):
    """Each cited quote is wrapped in <mark> inside its passage, the rest escaped, with a link back to the event."""
    citation = CitationFactory(
        passage=SourceFactory(text="Head\n\nA <b>bold</b> claim: they signed a treaty & more.").passages.get(ordinal=3)
    )
    page = client.get(citation.passage.source.get_absolute_url()).content.decode()
    assert (
        f'A &lt;b&gt;bold&lt;/b&gt; claim: they <mark id="q-{citation.pk}" class="quote-mark quote-mark--supports">signed a treaty</mark> &amp; more.'
        in page
    )
    assert (
        f'Cited as evidence for: <a href="{citation.event.get_absolute_url()}#c-{citation.pk}">{citation.event.title}</a>' in page
    )


def test_source_page_marks_the_quote_the_reader_came_from(client):
    """?c=<citation> (the links from a quote) marks that quote as current, and only it; the passage link leads there with #q-."""
    passage = SourceFactory(text="Head\n\nThey signed a treaty and then broke the treaty.").passages.get(ordinal=3)
    first = CitationFactory(passage=passage, quote="signed a treaty")
    second = CitationFactory(passage=passage, quote="broke the treaty")
    page = client.get(passage.source.get_absolute_url(), {"c": second.pk}).content.decode()
    assert (
        f'<mark id="q-{second.pk}" aria-current="true" class="quote-mark quote-mark--supports is-current">broke the treaty</mark>'
        in page
    )
    assert f'<mark id="q-{first.pk}" class="quote-mark quote-mark--supports">signed a treaty</mark>' in page
    assert page.count('aria-current="true"') == 2  # the mark, and its "the quote" link in the list under the passage
    url = reverse("timeline:passage_detail", args=[passage.source.slug, passage.ordinal])
    fragment = client.get(url, {"c": second.pk}, headers=HTMX).content.decode()
    assert f'href="{passage.source.get_absolute_url()}?c={second.pk}#q-{second.pk}"' in fragment
    assert 'href="/sources/' in client.get(url, {"c": "1 onmouseover=x"}, headers=HTMX).content.decode()
    assert (
        "onmouseover"
        not in client.get(url, {"c": "1 onmouseover=x"}, headers=HTMX).content.decode().split("passage-source-link", 1)[1]
    )


def test_a_citation_names_its_source_with_a_link_to_the_quote_itself(client):
    """On the timeline and the event page, a citation's source title leads to that quote, marked, in the source (?c=, #q-)."""
    citation = CitationFactory(event__title="Treaty signed")
    target = f"{citation.passage.get_absolute_url().partition('#')[0]}?c={citation.pk}#q-{citation.pk}"
    assert f'<a href="{target}">{citation.passage.source.title}</a>' in client.get("/").content.decode()
    assert (
        f'<a href="{target}">{citation.passage.source.title}</a>'
        in client.get(citation.event.get_absolute_url()).content.decode()
    )


def test_source_page_links_to_the_quote_in_the_original_with_a_text_fragment(client):
    """A source with a URL links each quote to the original page with #:~:text=."""
    source = SourceFactory(url="https://example.org/article#top", text="Head\n\nThey signed a treaty - firmly, & well.")
    citation = CitationFactory(passage=source.passages.get(ordinal=3), quote="treaty - firmly, & well")
    page = client.get(source.get_absolute_url()).content.decode()
    assert "https://example.org/article#:~:text=treaty%20%2D%20firmly%2C%20%26%20well" in page
    back_link = page.split(f'#c-{citation.pk}"', 1)[1].split("</li>", 1)[0]
    assert 'href="https://example.org/article#:~:text=treaty%20%2D%20firmly%2C%20%26%20well"' in back_link


def test_source_page_hides_boilerplate_until_asked(client):
    """The fake author block of 002 is hidden by default and shown, labelled, with ?boilerplate=1."""
    url = reverse("timeline:source_detail", args=["russia-iran-strategic-alliance-reshaping"])
    assert "Humberto Larson" not in client.get(url).content.decode()
    shown = client.get(url, {"boilerplate": "1"}).content.decode()
    assert "Humberto Larson" in shown and "Boilerplate: author profile field" in shown


def test_source_page_offers_citation_formats(client):
    """ "Cite this source" gives Chicago, APA, BibTeX and CSL-JSON."""
    page = client.get(reverse("timeline:source_detail", args=["baghai-unlikely-alliance"])).content.decode()
    assert "Baghai, Christian." in page and "Baghai, C. (2023, July 16)." in page
    assert "@misc{baghai2023" in page and "&quot;post-weblog&quot;" in page


def test_source_list(client):
    """/sources/ lists the five demo documents with their type."""
    page = client.get(reverse("timeline:source_list")).content.decode()
    assert page.count('<li>\n    <a href="/sources/') >= 5
    assert "blog post" in page and "peer-reviewed article" in page


# Query counts


def _many_events(count):
    """Add published events, with an actor, a theme and a citation each, made in bulk, up to `count` bulk events in all."""
    from sources.models import Source

    actor, theme = ActorFactory(slug="bulk-actor"), ThemeFactory(slug="bulk-theme")
    source = Source.objects.filter(slug="bulk-source").first() or SourceFactory(slug="bulk-source")
    passage = source.passages.get(ordinal=3)
    existing = Event.objects.filter(slug__startswith="bulk-").count()
    # bulk_create skips save(), which derives the date bounds: they are given here.
    events = Event.objects.bulk_create(
        EventFactory.build(title=f"Bulk {n}", slug=f"bulk-{n}", date="2015", date_lower=day_number(2015, 1, 1),
                           date_upper=day_number(2015, 12, 31), date_precision="year", annotation="Bulk event about a treaty.")
        for n in range(existing, count)
    )  # fmt: skip
    Event.actors.through.objects.bulk_create(Event.actors.through(event=event, actor=actor) for event in events)
    timeline = default_timeline()  # the demo's (its page is `/`): readers see only events of a published timeline
    Event.timelines.through.objects.bulk_create(Event.timelines.through(event=event, timeline=timeline) for event in events)
    Event.themes.through.objects.bulk_create(Event.themes.through(event=event, theme=theme) for event in events)
    Citation.objects.bulk_create(CitationFactory.build(event=event, passage=passage, quote="signed a treaty") for event in events)
    # Nor does it refresh the search vector (without this, PostgreSQL's search would never find them) or the tallies.
    Event.objects.filter(slug__startswith="bulk-").search_vector_refresh()
    tallies_refresh([event.pk for event in events])


# Each with the number of queries it costs, whatever the number of events (one reads the content version behind
# the validators, one the timeline shown; three draw the axis: the span, the events per bucket of the window, its
# marks; one the key moments, the timeline's turning points).
READER_URLS = [
    ("/", {}, 13),
    (
        "/",
        {
            "actor": ["russia", "bulk-actor"],
            "theme": "bulk-theme",
            "source": "bulk-source",
            "q": "treaty",
            "date_from": "2000",
            "date_to": "July 2022",
            "turning_point": "true",
        },
        # A filtered page also reads the unfiltered facet counts, which choose the options a facet lists; and its
        # counts are two lookups (the kept total, then the matching events) where one query counted every event.
        15,
    ),
    ("/", {"actor": "bulk-actor", "sort": "relevance", "q": "treaty"}, 16),
    ("/", {"page": 2}, 13),
    ("/timelines/russia-iran/", {}, 13),
]


@pytest.mark.parametrize("url,data,queries", READER_URLS)
def test_timeline_query_count_is_constant(client, django_assert_num_queries, url, data, queries):
    """`/`, with and without filters, costs the same handful of queries with 20 or 2,000 more events."""
    _many_events(20)
    with django_assert_num_queries(queries):
        assert client.get(url, data).status_code == 200
    _many_events(2000)
    with django_assert_num_queries(queries):
        assert client.get(url, data).status_code == 200


def test_event_and_source_pages_query_counts_are_constant(client, django_assert_num_queries):
    """
    An event page (its timelines are one query) and a source page (one query more: which page of passages;
    and one for its archived copy) cost the same few queries however many events cite the source.
    """
    _many_events(20)
    event = Event.objects.get(slug="bulk-3")
    source_url = reverse("timeline:source_detail", args=["bulk-source"])
    with django_assert_num_queries(9):
        client.get(event.get_absolute_url())
    with django_assert_num_queries(6):
        client.get(source_url)
    _many_events(2000)
    event = Event.objects.get(slug="bulk-3")
    with django_assert_num_queries(9):
        assert client.get(event.get_absolute_url()).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(source_url).status_code == 200


# Feed and sitemap


def sitemap_files(client):
    """The text of every sitemap file the index at /sitemap.xml lists, joined."""
    index = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in index
    return "".join(client.get(urlsplit(loc).path + (f"?{urlsplit(loc).query}" if urlsplit(loc).query else "")).content.decode()
                   for loc in re.findall(r"<loc>([^<]+)</loc>", index))  # fmt: skip


def test_sitemap_lists_published_events_and_sources(client):
    """/sitemap.xml lists the timeline, each published event and each source, never a draft."""
    page = sitemap_files(client)
    assert "/events/2003-iraq-war/" in page and "/sources/baghai-unlikely-alliance/" in page
    assert Event.objects.drafts().first().get_absolute_url() not in page


def test_sitemap_is_an_index_of_files_within_the_protocols_limit(client, monkeypatch):
    """Past Sitemap.limit URLs (50,000; 3 here) the events take several files, each listed by the index and each within the limit."""
    monkeypatch.setattr(EventSitemap, "limit", 3)
    index = client.get("/sitemap.xml").content.decode()
    event_files = [loc for loc in re.findall(r"<loc>([^<]+)</loc>", index) if "sitemap-events" in loc]
    published = Event.objects.published().count()
    assert len(event_files) == -(-published // 3) > 1
    listed = []
    for loc in event_files:
        page = client.get(urlsplit(loc).path, dict(parse_qsl(urlsplit(loc).query))).content.decode()
        urls = re.findall(r"<loc>([^<]+)</loc>", page)
        assert 1 <= len(urls) <= 3
        listed += urls
    assert len(listed) == len(set(listed)) == published


# Health


def test_healthz_answers_200_when_the_database_answers(client):
    """/healthz is 200 with the database vendor when the database answers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client):
    """/healthz is 503 (and leaks no error detail) when the database does not answer."""
    with mock.patch("timeline.views.connection.cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.parametrize("path", ["/", "/?actor=russia", "/events/2003-iraq-war/", "/sources/", "/feed/"])
def test_reader_pages_are_cacheable_for_anonymous_readers_and_private_for_editors(client, path):
    """Anonymous readers get a short public Cache-Control and no cookie; a signed-in editor's copy stays private."""
    response = client.get(path)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert not response.cookies
    client.force_login(UserFactory(username="reader-editor", is_staff=True))
    response = client.get(path)
    assert "private" in response["Cache-Control"]


def test_event_meta_description_is_escaped_plain_text(client):
    """A quote in the annotation (here inside a code span, which keeps it straight) cannot end the description attribute."""
    from html.parser import HTMLParser

    from tests.factories import CitationFactory, EventFactory

    annotation = 'Tom & Jerry: `" onfocus="alert(1)" autofocus x="` and <b>bold</b> &quot;words&quot;'
    CitationFactory(event=EventFactory(slug="meta-xss", title='A "title"', annotation=annotation))
    html = client.get("/events/meta-xss/").content.decode()

    metas = []

    class Metas(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "meta" and dict(attrs).get("name") == "description":
                metas.append(dict(attrs))

    Metas().feed(html)
    assert len(metas) == 1 and set(metas[0]) == {"name", "content"}
    assert metas[0]["content"] == '2015: A "title". Tom & Jerry: " onfocus="alert(1)" autofocus x=" and bold "words"'


def test_bce_events_come_first_under_their_own_year_headings(client):
    """The Ides of March (44 BCE) come before 1 CE, under “44 BCE”; the axis spans both eras on one scale."""
    CitationFactory(event=EventFactory(slug="ides-of-march", title="Caesar is killed", date="-0043-03-15"))
    CitationFactory(event=EventFactory(slug="year-one", title="Year one", date="0001"))
    response = client.get("/")
    page = response.content.decode()
    assert page.index("Caesar is killed") < page.index("Year one") < page.index("Islamic Revolution")
    assert '<h2 class="year-heading" id="year--43">44 BCE' in page and '<h2 class="year-heading" id="year-1">1 CE' in page
    assert "15 March 44 BCE</time>" in page
    axis = response.context["axis"]
    assert axis.whole.lower <= day_number(-43, 3, 15) and axis.whole.upper >= day_number(2023, 1, 1)  # both eras on one axis
    detail = client.get("/events/ides-of-march/").content.decode()
    assert "15 March 44 BCE" in detail and "Year one" in detail  # its next neighbour, across the eras

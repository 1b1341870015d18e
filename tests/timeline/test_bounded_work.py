"""Work per request that does not grow with a source's size: facets, overview and source pages beside a source of 200,000 passages."""

import time

import pytest
from django.db import connection

from sources.models import Passage, Source
from tests.factories import CitationFactory, EventFactory

pytestmark = pytest.mark.django_db

HUGE = 200_000


@pytest.fixture
def huge_source():
    """A source of 200,000 short paragraphs, the last one cited by a published event (rows written by executemany: bulk_create takes half a minute)."""
    lines = [f"Paragraph {number:06d} about Iran." for number in range(1, HUGE + 1)]
    width = len(lines[0]) + 1
    source = Source.objects.create(slug="huge", title="Huge", text="\n".join(lines), content_hash="x" * 64, authors=[])
    table = Passage._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (source_id, ordinal, start, {connection.ops.quote_name('end')}, text, role, role_reason, language, direction)"
            " VALUES (%s, %s, %s, %s, %s, 'body', '', 'en', 'ltr')",
            [
                (source.pk, ordinal, (ordinal - 1) * width, ordinal * width - 1, line)
                for ordinal, line in enumerate(lines, start=1)
            ],
        )
    event = EventFactory(status="published", title="Cited in the huge source")
    citation = CitationFactory(event=event, passage=Passage.objects.get(source=source, ordinal=HUGE), quote="about Iran")
    return citation


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    return response, time.perf_counter() - started


def test_timeline_and_search_do_not_scan_a_huge_sources_passages(client, huge_source):
    """`/` and `/?q=iran` (facet counts per source, overview) take well under a second beside 200,000 passages."""
    for url in ("/", "/?q=iran", "/?source=huge", "/embed/timeline/?source=huge"):
        response, seconds = timed(client, url)
        assert response.status_code == 200
        assert seconds < 2, (url, seconds)


def test_a_huge_sources_page_holds_one_range_of_passages_and_quote_links_land_on_it(client, huge_source):
    """`/sources/huge/` (and `?boilerplate=1`) shows 200 passages, not 200,000; a quote's link names the page of its passage."""
    from sources.models import PASSAGES_PER_PAGE

    for url in ("/sources/huge/", "/sources/huge/?boilerplate=1"):
        response, seconds = timed(client, url)
        assert response.status_code == 200 and seconds < 2
        assert len(response.content) < 500_000
        assert response.content.count(b'id="p-') == PASSAGES_PER_PAGE
    link = huge_source.get_absolute_url()
    assert link == f"/sources/huge/?page={HUGE // PASSAGES_PER_PAGE}#p-{HUGE}"
    page = client.get(link.partition("#")[0]).content.decode()
    assert f'id="p-{HUGE}"' in page and f'id="q-{huge_source.pk}"' in page
    assert client.get("/sources/huge/?page=1001").status_code == 404
    response, seconds = timed(client, "/api/sources/huge/passages/?page_size=500")
    assert response.json()["count"] == HUGE and seconds < 2

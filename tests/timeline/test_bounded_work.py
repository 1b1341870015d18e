"""Work per request that does not grow with a source's size: facets, overview and source pages beside a source of 200,000 passages.

The work is read from the database's own query plans, not from a clock (this machine is shared and noisy):
on PostgreSQL, the rows each query actually read from the passage table (EXPLAIN ANALYZE); on SQLite,
whether any query scans that table rather than searching it through an index (EXPLAIN QUERY PLAN).
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def passage_rows_read(client, url):
    """The response to `url`, and how many passage rows its queries read (SQLite: HUGE for any full scan)."""
    table = Passage._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    read = 0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if table not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                read += _rows_of(plan if isinstance(plan, list) else json.loads(plan), table)
            else:
                names = {table} | set(re.findall(rf'"{table}" (?:AS )?"?(\w+)"?', sql))  # subqueries alias it (U0)
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                scanned = [re.match(r"SCAN (\w+)", row[-1]) for row in cursor.fetchall()]
                read += HUGE * sum(bool(scan) and scan[1] in names for scan in scanned)
    return response, read


def _rows_of(plan, table):
    if isinstance(plan, list):
        return sum(_rows_of(node, table) for node in plan)
    node = plan.get("Plan", plan)
    own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) if node.get("Relation Name") == table else 0
    return own + sum(_rows_of(child, table) for child in node.get("Plans", []))


def test_timeline_and_search_do_not_scan_a_huge_sources_passages(client, huge_source):
    """`/`, `/?q=iran` and the source filter (facet counts per source, the axis) read a handful of passages, not 200,000."""
    for url in ("/", "/?q=iran", "/?source=huge", "/embed/timeline/?source=huge"):
        response, read = passage_rows_read(client, url)
        assert response.status_code == 200
        assert read < 1_000, (url, read)


def test_a_huge_sources_page_holds_one_range_of_passages_and_quote_links_land_on_it(client, huge_source):
    """`/sources/huge/` (and `?boilerplate=1`) shows 200 passages, not 200,000; a quote's link names the page of its passage."""
    from sources.models import PASSAGES_PER_PAGE

    for url in ("/sources/huge/", "/sources/huge/?boilerplate=1"):
        response, read = passage_rows_read(client, url)
        assert response.status_code == 200 and read < 1_000, (url, read)
        assert len(response.content) < 500_000
        assert response.content.count(b'id="p-') == PASSAGES_PER_PAGE
    link = huge_source.get_absolute_url()
    assert link == f"/sources/huge/?page={HUGE // PASSAGES_PER_PAGE}#p-{HUGE}"
    page = client.get(link.partition("#")[0]).content.decode()
    assert f'id="p-{HUGE}"' in page and f'id="q-{huge_source.pk}"' in page
    assert client.get("/sources/huge/?page=1001").status_code == 404
    response, read = passage_rows_read(client, "/api/sources/huge/passages/?page_size=500")
    assert response.json()["count"] == HUGE and len(response.json()["results"]) == 500

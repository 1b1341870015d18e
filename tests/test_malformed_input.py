"""Malformed query strings on every public page and endpoint: a 4xx or a page that says what is wrong, never a 5xx."""

from urllib.parse import quote

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SOURCE = "amiri-us-threat-alignment"  # a source of the demo corpus
FILTERS = ["q", "actor", "theme", "source", "date_from", "date_to", "turning_point"]
API_LIST = ["page", "page_size", "ordering", "format"]

# Every public page and endpoint, with the query parameters it reads.
ENDPOINTS = {
    "/": [*FILTERS, "sort", "page"],
    "/events/no-such-event/": ["c"],
    "/sources/": ["page"],
    "/sources/{source}/": ["boilerplate", "page"],
    "/sources/{source}/p/1/": ["c"],
    "/sources/{source}/p/99999999999999999999/": ["c"],
    "/feed/": FILTERS,
    "/sitemap.xml": ["p"],
    "/sitemap-events.xml": ["p"],
    "/embed/timeline/": [*FILTERS, "limit", "scheme"],
    "/oembed": ["url", "maxwidth", "maxheight"],
    "/api/events/": [*FILTERS, *API_LIST],
    "/api/events/no-such-event/": ["format"],
    "/api/citations/": API_LIST,
    "/api/sources/": API_LIST,
    "/api/sources/{source}/": ["format"],
    "/api/sources/{source}/passages/": ["page", "page_size"],
    "/api/sources/no-such-source/passages/": ["page"],
    "/api/actors/": API_LIST,
    "/api/actors/no-such-actor/": ["format"],
    "/api/themes/": API_LIST,
    "/api/periods/": API_LIST,
}

# Raw, already-encoded values: sent as the query string as they stand, broken percent-encoding included.
VALUES = {
    "impossible date": "2023-02-30",
    "reversed interval": "2019%2F2011",
    "huge number": "99999999999999999999",
    "more digits than int reads": "9" * 5000,
    "negative": "-1",
    "unknown slug": "no-such-thing",
    "10,000 characters": "x" * 10_000,
    "lone percent": "%",
    "bad escape": "%ZZ",
    "truncated UTF-8": "%E2%80",
    "NUL": "%00",
    "right-to-left override": quote("\u202e5102"),
    "fullwidth digits": quote("２０１５"),
    "mid- × 1,000": "mid-" * 1000 + "2015",
    "format placeholder": "%25s%25(x)s",
}


PAGING = {"page", "page_size", "p"}


def cases():
    for path, names in ENDPOINTS.items():
        for label, value in [*VALUES.items(), ("repeated", "1&{name}=%&{name}=2015&{name}=x")]:
            yield pytest.param(path, names, value, id=f"{path} {label}")


@pytest.mark.parametrize("path,names,value", list(cases()))
def test_malformed_parameters_are_never_a_server_error(client, path, names, value):
    """
    Every parameter of the page set to the malformed value: a 2xx, 3xx or 4xx. Paging parameters go
    in a request of their own, since a 404 for a page past the end would hide what the filters do.
    """
    groups = [[name for name in names if name not in PAGING], [name for name in names if name in PAGING]]
    for group in filter(None, groups):
        query = "&".join(f"{name}={value.format(name=name)}" for name in group)
        response = client.get(path.format(source=SOURCE), QUERY_STRING=query)
        assert response.status_code < 500, (path, query[:200], response.status_code)


@pytest.mark.parametrize("fmt", ["json", "api", "csv", "ics", "timelinejs", "csljson", "bibtex"])
@pytest.mark.parametrize("query", ["date_from=%", "date_to=%ZZ", "date_from=2023-02-30", "page=99999999999999999999", "q=%00"])
def test_every_export_format_refuses_malformed_filters_without_a_server_error(client, fmt, query):
    """The event list in each format answers malformed filters with a 4xx (in JSON) or the export."""
    response = client.get("/api/events/", QUERY_STRING=f"{query}&format={fmt}")
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("value", ["%", "%ZZ", "%25s", "2023-02-30", "mid-" * 1000])
def test_unreadable_date_is_a_message_on_the_page_and_a_400_in_the_api(client, value):
    """The date the visitor typed is shown back in a message, never used as a message template."""
    page = client.get("/", QUERY_STRING=f"date_from={value}")
    assert page.status_code == 200
    assert 'id="id_date_from"' in page.content.decode() and 'aria-invalid="true"' in page.content.decode()
    api = client.get("/api/events/", QUERY_STRING=f"date_from={value}")
    assert api.status_code == 400
    assert api.json()["date_from"]


def test_huge_page_number_is_a_404_not_an_overflow(client):
    """?page=99999999999999999999 never reaches the database as a number it cannot hold."""
    assert client.get("/", QUERY_STRING="page=99999999999999999999").status_code == 404
    assert client.get("/", QUERY_STRING="page=-5").status_code == 200
    assert client.get("/api/events/", QUERY_STRING="page=99999999999999999999").status_code == 404


@pytest.mark.parametrize("path", ["/", "/api/events/", "/embed/timeline/", "/feed/"])
def test_too_many_parameters_is_a_400_with_a_message(client, path):
    """1,200 query parameters (Django reads at most DATA_UPLOAD_MAX_NUMBER_FIELDS) are refused with a 400 that says why."""
    response = client.get(path, QUERY_STRING="&".join(f"actor={number}" for number in range(1200)))
    assert response.status_code == 400
    assert b"Too many" in response.content


def test_oembed_other_formats_stay_501(client):
    """oEmbed asks for 501 Not Implemented when the format asked for is not offered."""
    assert Client().get("/oembed", {"url": "http://testserver/", "format": "xml"}).status_code == 501

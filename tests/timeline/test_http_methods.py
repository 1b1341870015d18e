"""
Every public URL answers HEAD like GET (same status and headers, no body) and OPTIONS with 200/204 or
a 405 naming the allowed methods, never a server error. Checked over HTTP against gunicorn, the
production server, because Django's test client drops HEAD bodies itself.
"""

import http.client
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from sources.models import Passage
from tests.e2e.conftest import serve
from tests.servers import free_port
from timeline.media import event_media_image_set
from timeline.models import Actor, Citation, Event, EventMedia, Period, Theme, Timeline

pytestmark = pytest.mark.django_db

# Framing and connection headers are the server's business and may rightly differ between HEAD and GET.
TRANSPORT_HEADERS = {"date", "connection", "keep-alive", "transfer-encoding", "content-length", "server"}
PRIVATE_NAMESPACES = {"admin"}
# Endpoints that only take a POST (a token for a password): GET and HEAD get a 405 naming POST.
POST_ONLY = {"api:token"}


def public_patterns(patterns=None, namespace=None):
    """(view name, URL parameter names) of every URL pattern outside the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in PRIVATE_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from public_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names = set(pattern.pattern.regex.groupindex)
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), frozenset(names)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """gunicorn serving the test database (the demo data), and the URL of every public pattern on it."""
    with django_db_blocker.unblock():
        event = Event.objects.published().first()
        citation = Citation.objects.published().select_related("passage__source").first()
        passage = Passage.objects.select_related("source").filter(source=citation.passage.source).first()
        # The source's archived copy (a fetched page's WARC), so that its download is walked too.
        version = passage.source.versions.first()
        version.archive.save("walk.warc.gz", ContentFile(b"\x1f\x8b"), save=True)
        # An event's image (media_file serves its resized copies), in the MEDIA_ROOT the server reads too.
        image = io.BytesIO()
        Image.new("RGB", (600, 300), (10, 120, 60)).save(image, "PNG")
        media = event_media_image_set(media=EventMedia(event=event, alt="A green field"), data=image.getvalue())
        values = {
            "format": "json",
            "ordinal": passage.ordinal,
            "pk": citation.pk,
            "number": version.number,
            "key": media.key,
            "name": media.renditions[0][2].rsplit("/", 1)[-1],
            "section": "events",  # /sitemap-<section>.xml
            "kind": "actor",  # /facets/<kind>/
        }
        slugs = {
            "event": event.slug,
            "source": passage.source.slug,
            "actor": Actor.objects.first().slug,
            "theme": Theme.objects.first().slug,
            "period": Period.objects.first().slug,
            "timeline": Timeline.objects.published().first().slug,
        }
    port = free_port()
    process = serve(port)
    base = f"http://127.0.0.1:{port}"
    urls = {}
    for name, parameters in sorted(set(public_patterns()), key=lambda item: (item[0], sorted(item[1]))):
        kwargs = {parameter: values[parameter] for parameter in parameters if parameter != "slug"}
        if "slug" in parameters:
            # timeline:event_detail and api:event-detail take an event's slug, source_* and passages a source's, and so on.
            short = name.split(":")[-1]
            kind = "source" if "passage" in short else next(kind for kind in slugs if kind in short)
            kwargs["slug"] = slugs[kind]
        url = reverse(name, kwargs=kwargs)
        if name == "oembed":
            url += f"?url={base}/"
        urls[f"{name}{'.' + kwargs['format'] if 'format' in kwargs else ''}"] = url
    yield base, urls
    process.terminate()
    process.wait(timeout=20)
    with django_db_blocker.unblock():
        version.archive.delete(save=True)
        for name in [media.image.name, *(rendition[2] for rendition in media.renditions)]:
            default_storage.delete(name)
        media.delete()


def fetch(base, method, url):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, url)
        response = connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders() if name.lower() not in TRANSPORT_HEADERS}
        if "content-security-policy" in headers:  # a nonce (ReDoc's page) is new on every response
            policy = re.sub(r"'nonce-[^']+'", "'nonce'", headers["content-security-policy"])
            headers["content-security-policy"] = sorted(directive.strip() for directive in policy.split(";"))
        return response.status, headers, body
    finally:
        connection.close()


def test_the_walk_covers_the_public_site(site):
    """The walk reaches the reader pages, the API and its docs, the feed, the sitemap and the widget."""
    _, urls = site
    for name in ("timeline:index", "timeline:event_detail", "timeline:passage_detail", "timeline:feed", "api:docs",
                 "api:event-detail", "api:event-detail.json", "api:source-passages", "embed_timeline", "oembed",
                 "sitemap", "sitemap_section"):  # fmt: skip
        assert name in urls


@pytest.mark.parametrize("pattern", sorted({name for name, _ in public_patterns()}))
def test_head_is_get_without_a_body_and_options_never_fails(site, pattern):
    """HEAD: GET's status and headers, no body. OPTIONS: 200/204, or 405 with Allow; never a 5xx."""
    base, urls = site
    for name in [key for key in urls if key == pattern or key == f"{pattern}.json"]:
        url = urls[name]
        if pattern in POST_ONLY:
            for method in ("GET", "HEAD"):
                status, headers, _ = fetch(base, method, url)
                assert status == 405 and "POST" in headers.get("allow", ""), f"{method} {url}: {status}"
            assert fetch(base, "OPTIONS", url)[0] == 200, f"OPTIONS {url}"
            continue
        get_status, get_headers, get_body = fetch(base, "GET", url)
        assert get_status == 200, f"GET {url}: {get_status}"
        head_status, head_headers, head_body = fetch(base, "HEAD", url)
        assert head_status == get_status, f"HEAD {url}"
        assert head_headers == get_headers, f"HEAD {url}"
        assert head_body == b"", f"HEAD {url}"

        status, headers, _ = fetch(base, "OPTIONS", url)
        assert status in (200, 204, 405), f"OPTIONS {url}: {status}"
        allowed = {method.strip() for method in headers.get("allow", "").split(",")}
        assert {"GET", "HEAD"} <= allowed, f"OPTIONS {url}: Allow: {headers.get('allow')}"

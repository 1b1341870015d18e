"""Content-Security-Policy, Permissions-Policy and Referrer-Policy on the pages, the widget and the API docs."""

import re

import pytest

pytestmark = pytest.mark.django_db

READER_PAGES = ["/", "/events/2003-iraq-war/", "/sources/", "/sources/iran-russia-relations-new-century/", "/embed/timeline/"]


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def test_pages_allow_only_this_site_and_no_framing(client):
    """A reader page: scripts, styles, images, fonts, requests and frames from this site only, nothing inline, never framed."""
    csp = policy(client.get("/events/2003-iraq-war/"))
    for directive in ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "frame-src"):
        assert csp[directive] == ["'self'"], directive
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source or source.startswith(("'nonce", "'sha")) for sources in csp.values() for source in sources)


def test_widget_keeps_the_policy_but_may_be_framed_by_anyone(client):
    """The embed widget has the same policy but frame-ancestors *, and no X-Frame-Options."""
    response = client.get("/embed/timeline/")
    csp = policy(response)
    assert csp["frame-ancestors"] == ["*"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert "X-Frame-Options" not in response


def test_api_docs_widen_the_policy_only_as_far_as_they_must(client):
    """Swagger UI adds data: images; ReDoc a nonce and two hashes for its style elements, data: images and a blob: worker."""
    swagger = policy(client.get("/api/docs/"))
    assert (
        swagger["img-src"] == ["'self'", "data:"] and swagger["script-src"] == ["'self'"] and swagger["style-src"] == ["'self'"]
    )
    response = client.get("/api/docs/redoc/")
    redoc = policy(response)
    nonce = re.search(r'data-nonce="([^"]+)"', response.content.decode()).group(1)
    assert redoc["style-src"][:2] == ["'self'", f"'nonce-{nonce}'"] and len(redoc["style-src"]) == 4
    assert redoc["script-src"] == ["'self'"] and redoc["worker-src"] == ["blob:"] and redoc["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", READER_PAGES + ["/api/docs/", "/api/docs/redoc/"])
def test_served_pages_have_no_inline_script_or_style(client, url):
    """No <script> without src, no <style>, no style attribute: everything comes from static files."""
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
    assert "<style" not in html and not re.search(r"\sstyle=[\"']", html), url  # the snippets' markup is text, escaped


@pytest.mark.parametrize("url", READER_PAGES + ["/api/events/"])
def test_permissions_and_referrer_policies(client, url):
    """Camera, microphone, location and other devices are off; links to other sites carry no referrer."""
    response = client.get(url)
    features = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert "clipboard-write" not in features  # the share panel's copy button
    assert response["Referrer-Policy"] == "same-origin"

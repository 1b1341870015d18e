"""The widget, embed.js, oEmbed, the share panel, and the HTTP policy: framing, CORS, caching, weight."""

import gzip
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict

from tests.factories import CitationFactory, EventFactory, UserFactory
from timeline.filters import EventFilter
from timeline.models import Event

pytestmark = pytest.mark.django_db

WEIGHT_BUDGET = 15 * 1024
AXIS_WEIGHT_BUDGET = 25 * 1024


def widget_titles(html):
    return re.findall(r'<h2><a href="[^"]+" target="_blank" rel="noopener">([^<]+)</a></h2>', html)


def test_widget_shows_the_filtered_events(client):
    """The widget lists the events EventFilter selects, in date order."""
    html = client.get("/embed/timeline/", {"actor": "russia", "theme": "military"}).content.decode()
    expected = EventFilter(QueryDict("actor=russia&theme=military"), queryset=Event.objects.published()).qs
    assert len(widget_titles(html)) == expected.count() > 0
    assert set(widget_titles(html)) == {event.title.replace("'", "&#x27;") for event in expected}


def test_widget_limit_and_link_to_the_full_view(client):
    """limit=N shows N events and says how many there are, with a link to the full filtered timeline."""
    html = client.get("/embed/timeline/", {"limit": 3, "actor": "russia"}).content.decode()
    assert len(widget_titles(html)) == 3
    total = EventFilter(QueryDict("actor=russia"), queryset=Event.objects.published()).qs.count()
    assert f"3 of {total} events" in html
    assert 'href="http://testserver/?actor=russia" target="_blank" rel="noopener"' in html


def test_widget_hides_drafts(client):
    """Drafts never appear in a widget."""
    draft = Event.objects.drafts().get()
    html = client.get("/embed/timeline/", {"limit": 100}).content.decode()
    assert draft.title not in html and len(widget_titles(html)) == 29


def test_widget_links_open_the_main_site_in_a_new_tab(client):
    """Every link to a page opens on the main site, in a new tab, without an opener; the axis's zoom and pan stay in the widget."""
    html = client.get("/embed/timeline/", {"limit": 5, "view": "list"}).content.decode()
    links = re.findall(r"<a [^>]*>", html)
    assert links and all('target="_blank"' in link and 'rel="noopener"' in link for link in links)
    html = client.get("/embed/timeline/", {"limit": 5}).content.decode()
    controls = re.findall(r"<a [^>]*data-axis-(?:zoom|pan)[^>]*>", html)
    assert controls and all('target="_self"' in link for link in controls)
    assert '<base target="_blank">' in html


def test_widget_colour_scheme(client):
    """scheme=dark (or theme=dark, when no theme has that slug) renders the dark scheme; light by default, auto when asked."""
    assert '<html lang="en" class="dark">' in client.get("/embed/timeline/?scheme=dark").content.decode()
    response = client.get("/embed/timeline/?theme=dark&limit=100")
    assert response.status_code == 200 and '<html lang="en" class="dark">' in response.content.decode()
    assert len(widget_titles(response.content.decode())) == 29
    assert '<html lang="en" class="light">' in client.get("/embed/timeline/").content.decode()
    assert '<html lang="en" class="auto">' in client.get("/embed/timeline/?scheme=auto").content.decode()


def widget_assets(html):
    """The URLs of what the widget page loads: its style sheet and script."""
    return re.findall(r'<(?:link|script|img|iframe)[^>]+(?:href|src)="([^"]+)"', html)


def test_widget_is_self_contained_and_needs_no_cookie(client):
    """No cookie set, no Vary: Cookie, no form; one style sheet and one script of this site's, nothing inline: a CDN can carry it."""
    client.get("/admin/login/")  # a CSRF cookie in the jar must change nothing
    response = client.get("/embed/timeline/")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    html = response.content.decode()
    assert "<form" not in html and "csrf" not in html.lower()
    assert widget_assets(html) == [
        "/static/citeline/widget.css",
        "/static/citeline/axis.css",
        "/static/citeline/js/axis.js",
        "/static/citeline/widget.js",
    ]
    assert widget_assets(client.get("/embed/timeline/?view=list").content.decode()) == [
        "/static/citeline/widget.css",
        "/static/citeline/widget.js",
    ]
    assert "<style" not in html and "<script>" not in html and "style=" not in html and "htmx" not in html


def test_widget_may_be_framed_by_any_site(client):
    """The widget sends frame-ancestors * and no X-Frame-Options, and otherwise the site's Content-Security-Policy."""
    response = client.get("/embed/timeline/")
    policy = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors *" in policy and "frame-ancestors 'none'" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "X-Frame-Options" not in response


def test_other_pages_refuse_framing(client):
    """Every other page is DENY and frame-ancestors 'none'."""
    for url in ("/", "/api/events/", "/sources/", "/oembed?url=http://testserver/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_widget_reports_its_height_to_the_parent(client):
    """The widget's script posts its height to the page that frames it."""
    script = client.get("/static/citeline/widget.js")
    assert b"postMessage" in b"".join(script.streaming_content) and script.status_code == 200


def test_embed_script_is_served_with_caching_headers(client):
    """/embed.js is JavaScript with an ETag, public caching, and a 304 for a current copy."""
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert b"data-citeline" in response.content
    assert client.get("/embed.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_oembed_answers_a_rich_iframe_of_the_same_filters(client):
    """oEmbed for a filtered timeline URL is a rich type with an iframe of the widget with those filters."""
    response = client.get(
        "/oembed", {"url": "http://testserver/?actor=russia&theme=nuclear&page=2", "maxwidth": 400, "format": "json"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "rich" and data["version"] == "1.0" and data["provider_name"] == "Citeline"
    assert data["title"] and data["width"] == 400 and data["height"] == 600
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1).replace("&amp;", "&")
    assert urlsplit(src).path == "/embed/timeline/"
    # `/` is the default timeline: the widget shows that timeline, named.
    assert parse_qs(urlsplit(src).query) == {"timeline": ["russia-iran"], "actor": ["russia"], "theme": ["nuclear"]}
    assert data["title"] == "Russia and Iran, 1979–2025"
    assert 'width="400"' in data["html"] and 'loading="lazy"' in data["html"]


def test_oembed_refuses_other_sites_and_pages(client):
    """URLs not on this site, or not a timeline, are 404; format=xml is 501."""
    assert client.get("/oembed", {"url": "https://elsewhere.example/?actor=russia"}).status_code == 404
    assert client.get("/oembed", {"url": "http://testserver/no/such/page/"}).status_code == 404
    assert client.get("/oembed", {"url": "http://testserver/sources/"}).status_code == 404
    assert client.get("/oembed", {"url": "http://testserver/", "format": "xml"}).status_code == 501


def test_timeline_page_advertises_oembed(client):
    """The timeline page links its oEmbed endpoint for its own URL."""
    html = client.get("/?actor=russia").content.decode()
    link = re.search(r'<link rel="alternate" type="application/json\+oembed"[^>]+href="([^"]+)"', html).group(1)
    response = client.get(link.replace("&amp;", "&").replace("http://testserver", ""))
    assert response.status_code == 200 and "actor=russia" in response.json()["html"]


def test_share_panel_offers_downloads_and_snippets_for_the_current_view(client):
    """Download links and embed snippets carry the page's timeline and the current filters, without the page number."""
    query = {"actor": "russia", "theme": "nuclear", "date_from": "2015", "page": "2"}
    html = client.get("/", query).content.decode() + embed_panel(client, query)
    assert "<details" in html and "Download this view" in html and "Embed this view" in html
    for export in ("csv", "ics", "timelinejs", "csljson", "bibtex"):
        assert (
            f'href="/api/events/?format={export}&amp;timeline=russia-iran&amp;actor=russia&amp;theme=nuclear&amp;date_from=2015"'
            in html
        )
    assert "page=2" not in html.split("share-panel", 1)[1].split("</details>\n</div>", 1)[0]
    snippet = re.search(r'<textarea id="embed-snippet-script"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert (
        "&lt;div data-citeline data-timeline=&quot;russia-iran&quot; data-actor=&quot;russia&quot; data-theme=&quot;nuclear&quot; "
        "data-date-from=&quot;2015&quot;" in snippet
    )
    assert "&lt;script src=&quot;http://testserver/embed.js&quot; async&gt;" in snippet
    iframe = re.search(r'<textarea id="embed-snippet-iframe"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert (
        "http://testserver/embed/timeline/?timeline=russia-iran&amp;amp;actor=russia&amp;amp;theme=nuclear&amp;amp;date_from=2015"
        in iframe
    )
    assert re.search(
        r'<iframe src="/embed/timeline/\?timeline=russia-iran&amp;actor=russia[^"]*" title="Preview[^"]*" loading="lazy"', html
    )


def test_share_snippet_escapes_what_the_reader_typed(client):
    """A search with quotes and angle brackets cannot break out of the snippet's attribute."""
    html = embed_panel(client, {"q": '"><script>alert(1)</script>'})
    snippet = re.search(r'<textarea id="embed-snippet-script"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "<script>" not in snippet and "&amp;quot;&amp;gt;&amp;lt;script&amp;gt;" in snippet


def test_read_api_allows_any_origin_to_read(client):
    """GET on the API carries Access-Control-Allow-Origin: * (no credentials), and so does a GET preflight."""
    response = client.get("/api/events/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    export = client.get("/api/events/?format=csv", HTTP_ORIGIN="https://elsewhere.example")
    assert export["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/events/", HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code in (200, 204)  # django-cors-headers answers 200; Fetch takes any 2xx
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight["Access-Control-Max-Age"] == "86400"
    assert export["Access-Control-Expose-Headers"] == "Content-Disposition, ETag, Last-Modified, Link"


def test_cors_offers_no_writes_and_nothing_outside_the_api(client):
    """A preflight for POST is not granted POST, and site pages send no CORS headers."""
    preflight = client.options("/api/events/", HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    post = client.post("/api/events/", {}, HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in post
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://elsewhere.example")


def vary(response):
    return {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}


@pytest.mark.parametrize("url", ["/api/events/", "/api/events/?format=csv", "/api/sources/", "/oembed?url=http://testserver/"])
def test_cors_responses_vary_by_origin(client, url):
    """The API and oEmbed add CORS headers only when asked from an origin, so caches key them on Origin, asked or not."""
    with_origin = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
    assert with_origin.status_code == 200 and "origin" in vary(with_origin)
    without = client.get(url)
    assert "Access-Control-Allow-Origin" not in without and "origin" in vary(without)
    current = client.get(url, HTTP_ORIGIN="https://elsewhere.example", HTTP_IF_NONE_MATCH=with_origin["ETag"])
    assert current.status_code == 304 and "origin" in vary(current) and current["Access-Control-Allow-Origin"] == "*"


def test_pages_outside_the_api_do_not_vary_by_origin(client):
    """Site pages and the widget send no CORS headers, so they need no Vary: Origin."""
    for url in ("/", "/embed/timeline/", "/events/2003-iraq-war/"):
        response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        assert "origin" not in vary(response) and "Access-Control-Allow-Origin" not in response, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/events/",
        "/api/events/?format=ics&actor=iran",
        "/api/sources/",
        "/embed/timeline/?limit=5",
        "/oembed?url=http://testserver/",
    ],
)
def test_public_responses_are_cacheable_and_answer_304(client, url):
    """Validators and short public caching; a current ETag or Last-Modified gets a 304 with no body."""
    response = client.get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control and "stale-while-revalidate" in cache_control
    etag, last_modified = response["ETag"], response["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_change_to_the_data_changes_the_validators(client, django_capture_on_commit_callbacks):
    """Editing an event makes the old ETag stale (once its transaction commits)."""
    etag = client.get("/api/events/")["ETag"]
    event = Event.objects.published().first()
    event.title += " (edited)"
    with django_capture_on_commit_callbacks(execute=True):
        event.save()
    response = client.get("/api/events/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_deleting_changes_the_validators(client, django_capture_on_commit_callbacks):
    """A deletion, which leaves no updated_at behind, still changes the ETag."""
    citation = CitationFactory(event=EventFactory(slug="short-lived"))
    etag = client.get("/embed/timeline/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        citation.event.delete()
    assert client.get("/embed/timeline/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_authenticated_api_responses_are_private(client):
    """A signed-in user's API responses are never stored by shared caches."""
    client.force_login(UserFactory(username="someone"))
    cache_control = client.get("/api/events/")["Cache-Control"]
    assert "private" in cache_control and "public" not in cache_control


@pytest.mark.parametrize("view,assets_count,budget", [("list", 2, WEIGHT_BUDGET), ("axis", 4, AXIS_WEIGHT_BUDGET)])
def test_first_load_of_a_20_event_widget_is_within_its_budget_gzipped(client, view, assets_count, budget):
    """embed.js, the widget page and what it references weigh at most 15 KB gzipped as a list, 25 KB with the axis (TimelineJS 3: ~90 KB)."""
    script = client.get("/embed.js").content
    page = client.get("/embed/timeline/", {"limit": 20, "view": view}).content
    assert len(widget_titles(page.decode())) == 20
    if view == "axis":
        assert page.count(b"data-event=") >= 20
    assets = [b"".join(client.get(url).streaming_content) for url in widget_assets(page.decode())]
    assert len(assets) == assets_count
    weight = sum(len(gzip.compress(content, 9)) for content in (script, page, *assets))
    assert weight <= budget, f"{weight} bytes gzipped"


def test_oembed_json_is_valid_json_with_the_right_type(client):
    """The oEmbed answer is application/json."""
    response = client.get("/oembed", {"url": "http://testserver/"})
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)


def embed_panel(client, query=None):
    """The "Embed this view" panel's options and snippets, as htmx loads them when the panel is opened."""
    return client.get("/", query or {}, headers={"HX-Request": "true", "HX-Target": "div#embed-body"}).content.decode()


def snippet(html, kind):
    """The text of a snippet of the "Embed this view" panel, as a reader copies it."""
    from html import unescape

    return unescape(re.search(rf'<textarea id="embed-snippet-{kind}"[^>]*>(.*?)</textarea>', html, re.S).group(1))


def test_embed_panel_options_change_both_snippets_and_the_preview(client):
    """View, scheme, limit, height and title chosen in the panel (plain GET parameters) go into the script, the iframe and the preview."""
    options = {
        "embed_view": "story",
        "embed_scheme": "dark",
        "embed_limit": "5",
        "embed_height": "400",
        "embed_title": 'Iran "deal" & co',
    }
    html = client.get("/", {"actor": "russia", **options}).content.decode()
    script = snippet(html, "script")
    assert (
        '<div data-citeline data-timeline="russia-iran" data-actor="russia" data-view="story" data-scheme="dark" data-limit="5" '
        'data-height="400" data-title="Iran &quot;deal&quot; &amp; co"></div>'
    ) in script
    iframe = snippet(html, "iframe")
    src = re.search(r'<iframe src="([^"]+)"', iframe).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(src).query) == {
        "timeline": ["russia-iran"], "actor": ["russia"], "view": ["story"], "scheme": ["dark"], "limit": ["5"], "title": ['Iran "deal" & co'],
    }  # fmt: skip
    assert 'title="Iran &quot;deal&quot; &amp; co"' in iframe and 'height="400"' in iframe and "height:400px" in iframe
    preview = re.search(r'<iframe src="([^"]+)" title="Preview', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(preview).query) == parse_qs(urlsplit(src).query)
    # The panel comes back open, its fields showing the choices.
    assert '<details class="share-menu share-embed" id="embed-panel" open>' in html
    assert '<option value="story" selected>' in html and '<option value="dark" selected>' in html
    assert re.search(r'name="embed_limit"[^>]* value="5"', html) and re.search(r'name="embed_height"[^>]* value="400"', html)


def test_embed_panel_defaults_keep_the_snippets_short(client):
    """Without options the panel is closed and the snippets, loaded when it opens, name the defaults: axis, light, 20 events, growing to fit."""
    page = client.get("/", {"actor": "russia", "page": "2"}).content.decode()
    assert (
        '<details class="share-menu share-embed" id="embed-panel" hx-get="?actor=russia" hx-trigger="toggle once" hx-target="#embed-body">'
        in page
    )
    assert '<a href="?actor=russia&amp;embed_view=axis#embed-panel">' in page  # without JavaScript: the page with the panel open
    assert "embed-snippet" not in page
    html = embed_panel(client)
    assert "<html" not in html and "Download this view" not in html
    script = snippet(html, "script")
    assert 'data-view="axis" data-scheme="light" data-limit="20"></div>' in script and "data-height" not in script
    assert "data-title" not in script
    src = re.search(r'<iframe src="([^"]+)"', snippet(html, "iframe")).group(1)
    assert src == "http://testserver/embed/timeline/?timeline=russia-iran"


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("embed_view", "map", "“map” is not a view of the widget: choose axis, list or story."),
        ("embed_scheme", "pink", "“pink” is not a colour scheme: choose light, dark or auto."),
        ("embed_limit", "many", "Events shown: give a whole number from 1 to 100."),
        ("embed_limit", "0", "Events shown: give a whole number from 1 to 100."),
        ("embed_limit", "500", "Events shown: at most 100; the link under the widget opens the rest."),
        ("embed_height", "10", "Height: give a whole number of pixels, 150 to 3000, or leave it empty."),
        ("embed_height", "9" * 40, "Height: give a whole number of pixels, 150 to 3000, or leave it empty."),
        ("embed_title", "t" * 201, "Title: at most 200 characters (this one has 201)."),
    ],
)
def test_embed_panel_bad_options_get_a_message_and_the_defaults(client, name, value, message):
    """A bad option is named with its fix beside its field; the snippets fall back to that option's default, never a 500."""
    response = client.get("/", {name: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message.replace("“", "“").replace('"', "&quot;") in html
    assert 'role="alert"' in html.split('id="embed-panel"', 1)[1]
    script = snippet(html, "script")
    assert 'data-view="axis" data-scheme="light" data-limit="20"></div>' in script
    assert "data-height" not in script and "data-title" not in script


def test_embed_panel_form_works_without_javascript(client):
    """The options are a GET form carrying the page's filters (not its page number); sent whole, empty fields dropped, it re-renders the snippets."""
    page = client.get("/?actor=russia&theme=nuclear&page=2").content.decode()
    # Without JavaScript the closed panel is a link to the same page with the panel open.
    link = re.search(r'<div id="embed-body"><a href="([^"]+)">', page).group(1).replace("&amp;", "&")
    assert link == "?actor=russia&theme=nuclear&embed_view=axis#embed-panel"
    html = client.get("/" + link.partition("#")[0]).content.decode()
    assert '<details class="share-menu share-embed" id="embed-panel" open>' in html
    form = re.search(r'<form class="embed-options" method="get" action="#embed-panel"[^>]*>(.*?)</form>', html, re.S).group(1)
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert hidden == [("actor", "russia"), ("theme", "nuclear")]
    assert {"embed_view", "embed_scheme", "embed_limit", "embed_height", "embed_title"} <= set(
        re.findall(r'name="(embed_\w+)"', form)
    )
    assert '<button type="submit">' in form
    sent = {
        "actor": "russia",
        "theme": "nuclear",
        "embed_view": "list",
        "embed_scheme": "light",
        "embed_limit": "20",
        "embed_height": "",
        "embed_title": "",
    }
    response = client.get("/", sent)
    assert response.status_code == 302  # the empty fields are dropped from the shared URL
    html = client.get(response["Location"]).content.decode()
    assert 'data-actor="russia" data-theme="nuclear" data-view="list" data-scheme="light" data-limit="20"></div>' in snippet(
        html, "script"
    )


@pytest.mark.parametrize("target", ["", "results", "axis"])
def test_embed_panel_options_stay_out_of_reader_links(client, target):
    """
    The panel's options shape its snippets only: the axis's zoom, pan and cluster links, the next page
    and the URL htmx pushes never carry embed_*, with or without htmx.
    """
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    query = {"actor": "russia", "window": "2011/2019", "embed_view": "story", "embed_limit": "5", "embed_title": "Mine"}
    response = client.get("/", query, headers=headers)
    html = response.content.decode()
    links = [link.replace("&amp;", "&") for link in re.findall(r'<a [^>]*?(?:href|hx-get)="([^"#]*\?[^"]*)"', html)]
    zooms = [link for link in links if "window=" in link]
    assert zooms and all("actor=russia" in link for link in zooms)
    if target != "axis":
        assert [link for link in links if "page=2" in link]
        assert 'data-view="story"' in snippet(html, "script")  # the panel itself still shows the options chosen
    assert [link for link in links if "embed_" in link] == []
    assert "embed_" not in response.get("HX-Push-Url", "")


def test_plain_iframe_snippet_is_responsive(client):
    """The plain iframe is as wide as its column up to a readable maximum, with a title and the chosen (or a default) height, not a 600 px box."""
    iframe = snippet(embed_panel(client), "iframe")
    assert 'title="Russia and Iran, 1979–2025"' in iframe
    assert 'width="100%"' in iframe and 'height="480"' in iframe
    style = re.search(r'style="([^"]+)"', iframe).group(1)
    assert "width:100%" in style and "max-width:800px" in style and "height:480px" in style
    assert "600" not in iframe
    iframe = snippet(client.get("/", {"embed_height": "900"}).content.decode(), "iframe")
    assert 'height="900"' in iframe and "height:900px" in iframe


def test_widget_quotes_link_to_their_passages(client):
    """Every quote in the list widget links to its passage (the quote marked), on the main site, in a new tab."""
    html = client.get("/embed/timeline/", {"limit": 20, "view": "list"}).content.decode()
    quotes = re.findall(r"<blockquote>.*?</blockquote>", html, re.S)
    assert len(quotes) >= 20
    for quote in quotes:
        link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">', quote).group(1)
        assert re.fullmatch(r"http://testserver/sources/[\w-]+/p/\d+/\?c=\d+", link), link


def test_oembed_offers_the_views(client):
    """oEmbed names a ready widget URL per view, and a view=, scheme= or title= in the URL reaches the iframe."""
    data = client.get("/oembed", {"url": "http://testserver/?actor=iran"}).json()
    views = {view: parse_qs(urlsplit(url).query) for view, url in data["citeline_views"].items()}
    assert set(views) == {"axis", "list", "story"}
    assert views["axis"] == {"timeline": ["russia-iran"], "actor": ["iran"]}
    assert views["list"]["view"] == ["list"] and views["story"]["view"] == ["story"]
    for view in ("list", "story"):
        assert client.get(data["citeline_views"][view].replace("http://testserver", "")).status_code == 200
    data = client.get("/oembed", {"url": "http://testserver/embed/timeline/?view=list&scheme=dark&title=Mine"}).json()
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(src).query) == {"view": ["list"], "scheme": ["dark"], "title": ["Mine"]}
    assert data["title"] == "Mine"


def test_widget_story_view_tells_an_event_with_its_quotes_linked(client):
    """view=story renders one event with every quote linking to its passage (it failed with a 500 when citations were prefetched twice)."""
    response = client.get("/embed/timeline/", {"view": "story"})
    assert response.status_code == 200
    html = response.content.decode()
    step = re.search(r'<article class="story-step".*?</article>', html, re.S).group(0)
    links = re.findall(r'<blockquote class="axis-quote">.*?<a href="([^"]+)"', step, re.S)
    assert links and all(re.fullmatch(r"/sources/[\w-]+/p/\d+/\?c=\d+", link) for link in links)
    assert '<base target="_blank">' in html  # so they open on the main site, not inside the widget

"""Two widgets embedded with embed.js on a page of another origin, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A blog about Russia and Iran</title></head>
<body>
<h1>My article</h1>
<div id="first" data-citeline data-actor="russia" data-theme="military" data-limit="3" data-title="Military ties"></div>
<p>Some words between the widgets.</p>
<div id="second" data-citeline data-turning-point="true" data-limit="2" data-scheme="dark"></div>
<script src="{live_url}/embed.js" async></script>
</body></html>
"""


@pytest.fixture
def other_origin(host_page, live_url):
    """A page on another origin (another port) that embeds two widgets."""
    return host_page(PAGE.format(live_url=live_url))


def widget_frame(page, selector):
    handle = page.wait_for_selector(f"{selector} iframe", state="attached")
    frame = handle.content_frame()
    frame.wait_for_selector("li.e")
    return handle, frame


def test_two_widgets_render_resize_and_open_the_main_site(page, other_origin, live_url):
    """Both widgets show their filtered events, fit their content, and open events on the main site."""
    page.goto(other_origin)
    first, first_frame = widget_frame(page, "#first")
    second, second_frame = widget_frame(page, "#second")
    # Not lazy, so a widget below the fold is sized before the reader reaches it; data-title is the widget's heading.
    assert first.get_attribute("title") == "Military ties" and first.get_attribute("loading") is None
    assert first_frame.locator("h1").inner_text() == "Military ties"
    assert first_frame.url.startswith(f"{live_url}/embed/timeline/?")
    assert "actor=russia" in first_frame.url and "theme=military" in first_frame.url
    assert first_frame.locator("li.e").count() == 3
    assert second_frame.locator("li.e").count() == 2
    assert second_frame.locator("li.e.tp").count() == 2  # turning points only
    assert second_frame.evaluate("document.documentElement.className") == "dark"

    for handle, frame in ((first, first_frame), (second, second_frame)):
        # Resized to the height the widget reports: the iframe fits its document, without a scroll bar.
        page.wait_for_function(
            "([el, h]) => Math.abs(el.getBoundingClientRect().height - h) <= 3",
            arg=[handle, frame.evaluate("document.documentElement.scrollHeight")],
            timeout=10_000,
        )
        height = handle.bounding_box()["height"]
        assert height > 200
        assert abs(height - frame.evaluate("document.documentElement.scrollHeight")) <= 3

    title = first_frame.locator("li.e h2 a").first
    href = title.get_attribute("href")
    assert href.startswith(f"{live_url}/events/")
    with page.expect_popup() as popup_info:
        title.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == href
    assert popup.locator("h1").first.inner_text().strip() == title.inner_text().strip()
    popup.close()


def test_widget_is_readable_at_320_pixels(browser, live_url):
    """At 320 px wide nothing in the widget overflows sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_url}/embed/timeline/?limit=20")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_api_docs_load_offline(page, live_url):
    """Swagger UI and ReDoc render the schema with every request to another host blocked."""
    blocked = []

    def only_local(route):
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert page.locator(".swagger-ui").inner_text().count("/api/events/") >= 1
    page.goto(f"{live_url}/api/docs/redoc/")
    page.locator("h2", has_text="List events").first.wait_for(timeout=20_000)
    assert not blocked


def panel_snippets(page):
    return page.locator("#embed-snippet-script").input_value(), page.locator("#embed-snippet-iframe").input_value()


def test_embed_panel_snippets_follow_the_options_as_they_change(page, live_url):
    """With JavaScript the snippets and the preview change with each option, exactly as the server renders the same options without it."""
    page.goto(f"{live_url}/?actor=iran")
    page.locator("#embed-panel > summary").click()
    page.locator("#embed-panel").get_by_label("View", exact=True).select_option("list")
    page.locator("#embed-panel").get_by_label("Colours", exact=True).select_option("dark")
    page.locator("#embed-panel").get_by_label("Events shown", exact=True).fill("5")
    page.locator("#embed-panel").get_by_label("Height in pixels", exact=True).fill("400")
    page.locator("#embed-panel").get_by_label("Title", exact=True).fill('Iran\'s "deal" & more (2015–2018)')
    page.locator("#embed-panel").get_by_label("Title", exact=True).press("Tab")  # a change event: the preview follows too
    script, iframe = panel_snippets(page)
    assert (
        'data-view="list" data-scheme="dark" data-limit="5" data-height="400" data-title="Iran&#x27;s &quot;deal&quot; &amp; more (2015–2018)"'
        in script
    )
    assert page.url == f"{live_url}/?actor=iran"  # no page load
    preview = page.locator(".embed-preview iframe")
    assert "view=list" in preview.get_attribute("src") and preview.get_attribute("height") == "400"

    server = page.context.new_page()
    server.goto(
        f"{live_url}/?actor=iran&embed_view=list&embed_scheme=dark&embed_limit=5&embed_height=400"
        "&embed_title=Iran%27s+%22deal%22+%26+more+%282015%E2%80%932018%29"
    )
    assert panel_snippets(server) == (script, iframe)
    assert server.locator(".embed-preview iframe").get_attribute("src") == preview.get_attribute("src")
    server.close()

    # A bad number is named beside its field, and the snippet keeps the default until it is fixed.
    page.locator("#embed-panel").get_by_label("Events shown", exact=True).fill("500")
    expect(page.locator("#embed-limit-error")).to_have_text("Events shown: give a whole number from 1 to 100.")
    assert 'data-limit="20"' in panel_snippets(page)[0]
    page.locator("#embed-panel").get_by_label("Events shown", exact=True).fill("7")
    expect(page.locator("#embed-limit-error")).to_be_empty()
    assert 'data-limit="7"' in panel_snippets(page)[0]


def test_embed_panel_clears_the_server_messages_once_fixed(page, live_url):
    """Arriving with bad options (a hand-made URL), the reader fixes them in place and the messages go."""
    page.goto(f"{live_url}/?embed_view=map&embed_limit=500")
    panel = page.locator("#embed-panel")
    expect(panel.locator(".embed-errors")).to_be_visible()
    expect(page.locator("#embed-view-error")).to_have_text("“map” is not a view of the widget: choose axis, list or story.")
    panel.get_by_label("View", exact=True).select_option("list")
    panel.get_by_label("Events shown", exact=True).fill("9")
    expect(panel.locator(".embed-errors")).to_be_hidden()
    expect(page.locator("#embed-view-error")).to_be_empty()
    assert 'data-view="list" data-scheme="light" data-limit="9"' in panel_snippets(page)[0]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_open_embed_panel_passes_axe(page, live_url, scheme):
    """The open panel, with a message showing, has no serious or critical axe-core violation in light and dark."""
    from tests.e2e.test_reader import audit

    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_url}/?embed_limit=500&embed_title=Mine")
    expect(page.locator("#embed-panel .embed-errors")).to_be_visible()
    violations = audit(page)
    assert violations == [], violations


def test_embed_panel_works_without_javascript(browser, live_url):
    """Without JavaScript a link opens the panel's options, a form: sending it reloads the page with the snippets for those options, the panel open."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/?actor=russia")
    page.locator("#embed-panel > summary").click()
    page.locator("#embed-panel").get_by_role(
        "link", name="Show the options and the snippets"
    ).click()  # loaded on opening with JavaScript
    page.wait_for_url("**embed_view=axis#embed-panel")
    page.locator("#embed-panel").get_by_label("View", exact=True).select_option("story")
    page.locator("#embed-panel").get_by_label("Events shown", exact=True).fill("8")
    page.locator("#embed-panel").get_by_label("Title", exact=True).fill("Russia's story")
    page.get_by_role("button", name="Update the snippets").click()
    page.wait_for_url("**embed_view=story**")
    assert "actor=russia" in page.url and "embed_limit=8" in page.url
    expect(page.locator("#embed-panel")).to_have_attribute("open", "")
    script, iframe = panel_snippets(page)
    assert 'data-actor="russia" data-view="story" data-scheme="light" data-limit="8" data-title="Russia&#x27;s story"' in script
    assert "view=story" in iframe and "limit=8" in iframe and 'title="Russia&#x27;s story"' in iframe
    # The browser refuses a height out of range before sending; a hand-made URL gets the server's message.
    page.goto(page.url.replace("embed_limit=8", "embed_limit=8&embed_height=20"))
    expect(page.locator("#embed-height-error")).to_have_text(
        "Height: give a whole number of pixels, 150 to 3000, or leave it empty."
    )
    context.close()


def test_embed_panel_keeps_its_options_when_a_filter_changes(page, live_url):
    """Options chosen in the panel survive a filter change (htmx), and the URL pushed for the view still carries no embed_*."""
    page.goto(f"{live_url}/?actor=iran")
    page.locator("#embed-panel > summary").click()
    panel = page.locator("#embed-panel")
    panel.get_by_label("View", exact=True).select_option("list")
    panel.get_by_label("Events shown", exact=True).fill("5")
    with page.expect_response(lambda response: "q=nuclear" in response.url):
        page.locator("#id_q").fill("nuclear")
    expect(page.locator("#embed-snippet-script")).to_have_value(re.compile('data-q="nuclear"'))
    assert "embed_" not in page.url
    assert 'data-view="list" data-scheme="light" data-limit="5"' in panel_snippets(page)[0]


def test_plain_iframe_snippet_fits_a_phone_and_a_wide_column(browser, live_url, host_page):
    """The plain iframe snippet, pasted as it is, fills a 360 px column and stops at 800 px in a wide one, at its chosen height."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_url}/?embed_height=420")
    iframe = page.locator("#embed-snippet-iframe").input_value()
    page.close()
    url = host_page(
        f'<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head><body style="margin:0">{iframe}</body></html>'
    )
    for width, expected in ((360, 360), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(url)
        box = page.locator("iframe").bounding_box()
        assert (round(box["width"]), round(box["height"])) == (expected, 420)
        assert page.locator("iframe").get_attribute("title") == "Russia and Iran, 1979–2025"
        context.close()


BELOW_THE_FOLD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A long article</title></head>
<body style="margin:0">
<h1>A long article</h1>
<div style="height:10000px">Many words.</div>
<div id="below" data-citeline data-actor="iran" data-limit="6"></div>
<p id="after">The article goes on.</p>
<div style="height:3000px">More words.</div>
<script src="{live_url}/embed.js" async></script>
</body></html>
"""


def test_widget_below_the_fold_is_sized_before_it_is_reached(page, live_url, host_page):
    """A widget far below the fold takes its height at once, so scrolling to it (or past it) never makes the page jump."""
    page.goto(host_page(BELOW_THE_FOLD.format(live_url=live_url)))
    handle, frame = widget_frame(page, "#below")
    # Sized while still off screen: nothing has scrolled.
    page.wait_for_function(
        "([el, h]) => Math.abs(el.getBoundingClientRect().height - h) <= 3",
        arg=[handle, frame.evaluate("document.documentElement.scrollHeight")],
        timeout=10_000,
    )
    assert page.evaluate("window.scrollY") == 0
    height = handle.bounding_box()["height"]
    assert height != 480  # not the placeholder height embed.js starts with
    # Scroll the reader to the paragraph after the widget: it must stay where it was put.
    page.evaluate("document.getElementById('after').scrollIntoView()")
    scrolled = page.evaluate("window.scrollY")
    top = page.evaluate("document.getElementById('after').getBoundingClientRect().top")
    page.wait_for_timeout(1500)
    assert page.evaluate("window.scrollY") == scrolled
    assert page.evaluate("document.getElementById('after').getBoundingClientRect().top") == top
    assert handle.bounding_box()["height"] == height


def test_widget_is_light_by_default_on_a_dark_system_unless_the_embedder_picks(browser, live_url, host_page):
    """On a reader's dark system the widget stays light (the host page's scheme is unknown to it); data-scheme="dark" or "auto" changes that."""
    url = host_page(
        f"""<!doctype html><html><body>
        <div id="plain" data-citeline data-limit="2"></div>
        <div id="dark" data-citeline data-limit="2" data-scheme="dark"></div>
        <div id="auto" data-citeline data-limit="2" data-scheme="auto"></div>
        <script src="{live_url}/embed.js" async></script></body></html>"""
    )
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(url)
    backgrounds, marks = {}, {}
    for name in ("plain", "dark", "auto"):
        _, frame = widget_frame(page, f"#{name}")
        backgrounds[name] = frame.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        marks[name] = frame.evaluate(
            "getComputedStyle(document.querySelector('[data-axis] [data-event] > :is(circle, rect)')).fill"
        )
    assert backgrounds["plain"] == "rgb(253, 252, 249)"
    assert backgrounds["dark"] == backgrounds["auto"] == "rgb(21, 23, 26)"
    # The axis follows the widget's scheme too, not the reader's system.
    assert marks["plain"] == "rgb(61, 90, 128)" and marks["dark"] == marks["auto"] == "rgb(159, 184, 216)"
    context.close()


def test_widget_quotes_open_their_passages(page, other_origin, live_url):
    """A quote in the widget links to its passage on the main site, in a new tab, with the quote marked."""
    page.goto(other_origin)
    _, frame = widget_frame(page, "#first")
    frame.locator("li.e details summary").first.click()
    link = frame.locator("li.e details blockquote cite a").first
    href = link.get_attribute("href")
    assert href.startswith(f"{live_url}/sources/") and "?c=" in href
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == href
    expect(popup.locator("mark.quote-mark.is-current")).to_have_count(1)  # the quote the reader came from
    popup.close()


def test_widget_with_a_fixed_height_keeps_it(page, live_url, host_page):
    """data-height gives a fixed box the widget scrolls inside, however tall its events."""
    page.goto(
        host_page(
            f'<!doctype html><html><body><div id="fixed" data-citeline data-height="300" data-limit="20"></div><script src="{live_url}/embed.js" async></script></body></html>'
        )
    )
    handle, frame = widget_frame(page, "#fixed")
    page.wait_for_timeout(500)
    assert round(handle.bounding_box()["height"]) == 300
    assert frame.evaluate("document.documentElement.scrollHeight") > 300


def test_oembed_html_shows_the_chosen_view(page, live_url, host_page):
    """The iframe oEmbed answers for a list view, pasted into another site, shows the compact list without the axis."""
    data = page.request.get(f"{live_url}/oembed", params={"url": f"{live_url}/?actor=iran&view=list&limit=4"}).json()
    assert set(data["citeline_views"]) == {"axis", "list", "story"}
    page.goto(host_page(f"<!doctype html><html><body>{data['html']}</body></html>"))
    frame = page.wait_for_selector("iframe").content_frame()
    frame.wait_for_selector("li.e")
    assert frame.locator("li.e").count() == 4 and frame.locator("[data-axis]").count() == 0


def test_axis_widget_first_load_stays_on_the_site_and_within_25_kb(page, live_url, host_page):
    """A 20-event axis widget loads only from this site, and its HTML, CSS and scripts weigh at most 25 KB gzipped."""
    import gzip

    host = host_page(
        f'<!doctype html><html><body><div data-citeline data-limit="20"></div><script src="{live_url}/embed.js" async></script></body></html>'
    )
    host_origin = host.rsplit("/", 1)[0]
    loaded, elsewhere = [], []
    page.on("response", lambda response: loaded.append(response) if response.url.startswith(live_url) else None)
    page.on("request", lambda request: None if request.url.startswith((live_url, host_origin)) else elsewhere.append(request.url))
    page.goto(host)
    _, frame = widget_frame(page, "[data-citeline]")
    frame.wait_for_selector("[data-axis] a[data-event]")
    page.wait_for_load_state("networkidle")
    assert frame.locator("li.e").count() == 20
    assert not elsewhere
    kinds = {response.request.resource_type for response in loaded}
    assert {"script", "document", "stylesheet"} <= kinds
    weight = sum(len(gzip.compress(response.body(), 9)) for response in loaded if response.status == 200)
    assert weight <= 25 * 1024, f"{weight} bytes gzipped"

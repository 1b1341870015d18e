"""Two widgets embedded with embed.js on a page of another origin, in a real Chromium."""

import pytest

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

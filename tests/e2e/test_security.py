"""The Content-Security-Policy in a real Chromium: the pages, the widget and the API docs work under it and break none of it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db


@pytest.fixture
def csp_page(browser):
    """A page that records every CSP violation, from any frame: the DOM event and Chromium's console report."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    violations = []
    context.expose_function("__cspViolation", lambda report: violations.append(report))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}`))"
    )
    page = context.new_page()
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.violations = violations
    yield page
    context.close()


def test_timeline_filters_with_htmx_and_copies_a_snippet_without_violation(csp_page, live_url):
    """The timeline page loads, filters with htmx, previews the widget and copies a snippet, all under the CSP."""
    page = csp_page
    page.goto(live_url + "/")
    page.locator("details.facet > summary", has_text="Actors").click()
    page.locator("#filters input[name=actor][value=russia]").check()
    page.wait_for_url(re.compile(r"actor=russia"))

    page.locator("summary", has_text="Embed this view").click()
    page.locator("details.embed-preview > summary").click()
    frame = page.frame_locator("details.embed-preview iframe")
    expect(frame.locator("li.e").first).to_be_visible()
    button = page.locator("button.copy-button[data-copy=embed-snippet-script]")
    button.click()
    expect(button).to_have_text("Copied")
    assert 'data-actor="russia"' in page.evaluate("navigator.clipboard.readText()")
    assert page.violations == []


def test_event_page_and_widget_without_violation(csp_page, live_url):
    """An event page with a citation opened in its passage, and the widget on its own, raise no violation."""
    page = csp_page
    page.goto(live_url + "/events/2003-iraq-war/")
    expect(page.locator("h1").first).to_be_visible()
    page.goto(live_url + "/embed/timeline/?limit=5&scheme=dark")
    expect(page.locator("li.e")).to_have_count(5)
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(21, 23, 26)"  # widget.css
    assert page.violations == []


def test_api_docs_render_under_the_policy(csp_page, live_url):
    """Swagger UI and ReDoc render the schema under the site's CSP, with no violation."""
    page = csp_page
    page.goto(live_url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert page.locator(".swagger-ui").inner_text().count("/api/events/") >= 1
    page.locator(".opblock-summary", has_text="/api/events/").first.click()  # an operation opened: its icons load
    page.locator(".opblock-body").first.wait_for()
    assert page.violations == []
    page.goto(live_url + "/api/docs/redoc/")
    page.locator("h2", has_text="List events").first.wait_for(timeout=20_000)
    page.get_by_placeholder("Search...").fill("passages")  # the search runs in a worker
    page.locator("[role=search] [role=menuitem]", has_text="passages").first.wait_for(timeout=10_000)
    # ReDoc always tries to show Redocly's logo from their CDN: blocking that is the point of the policy.
    assert [report for report in page.violations if "cdn.redoc.ly" not in report] == []

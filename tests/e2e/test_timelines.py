"""A second timeline in a real Chromium: listed at /timelines/, its page filters within it with htmx and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_editor import manage

pytestmark = pytest.mark.django_db

SLUG, TITLE = "e2e-arms", "Arms between Russia and Iran (e2e)"


def event_ids(page):
    return page.locator("article.event").evaluate_all("(articles) => articles.map((a) => a.id)")


@pytest.fixture
def second_timeline(live_url):
    """A published timeline telling the demo's events about military matters; removed afterwards (the events stay)."""
    manage(
        "shell", "-c",
        "from timeline.models import Event, Timeline; "
        f"t = Timeline.objects.create(slug='{SLUG}', title='{TITLE}', intro='Arms and *oil*.', status='published'); "
        "t.events.set(Event.objects.filter(themes__slug='military'))",
    )  # fmt: skip
    yield SLUG
    manage("shell", "-c", f"from timeline.models import Timeline; Timeline.objects.filter(slug='{SLUG}').delete()")


def test_timeline_list_leads_to_a_timeline_page_that_filters_within_it(live_url, page, second_timeline):
    """/timelines/ → the timeline's page: its title and intro, its events only; filtering swaps them in place and keeps its URL."""
    page.goto(live_url + "/timelines/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(rf"/timelines/{SLUG}/$"))
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".timeline-intro em")).to_have_text("oil")
    everything = event_ids(page)
    assert len(everything) == 10 and all(
        page.locator(f"#{slug} .chips--themes li", has_text="Military").count() for slug in everything
    )
    page.evaluate("window.__marker = 1")
    page.locator("#id_date_from").fill("2003")
    page.locator("#id_date_from").press("Enter")
    page.wait_for_url(re.compile(rf"/timelines/{SLUG}/\?date_from=2003$"))
    expect(page.locator("#result-status")).to_contain_text(" of ")
    later = event_ids(page)
    assert later and set(later) < set(everything)
    assert page.evaluate("window.__marker") == 1  # never a full page load
    download = page.locator(".share-menu a", has_text="CSV").get_attribute("href")
    assert download == f"/api/events/?format=csv&timeline={SLUG}&date_from=2003"


def test_timeline_page_without_javascript_gives_the_same_results(live_url, page, browser, second_timeline):
    """With JavaScript off, the timeline page's form is a GET to the same timeline, with the same events."""
    page.goto(f"{live_url}/timelines/{SLUG}/?date_from=2003")
    with_js = event_ids(page)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        plain = context.new_page()
        plain.goto(f"{live_url}/timelines/{SLUG}/")
        plain.locator("#id_date_from").fill("2003")
        plain.get_by_role("button", name="Apply filters").click()
        plain.wait_for_url(re.compile(rf"/timelines/{SLUG}/\?date_from=2003$"))
        assert event_ids(plain) == with_js
    finally:
        context.close()

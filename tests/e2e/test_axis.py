"""The visual timeline's axis in a real Chromium: positions and widths, soft ends, zoom and Back, no JavaScript, clusters, story, right to left, accessibility, touch."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_editor import manage
from tests.e2e.test_reader import audit

pytestmark = pytest.mark.django_db

EVENTS = [  # slug, EDTF
    ("e2e-axis-day", "2022-02-24"),
    ("e2e-axis-month", "2022-03"),
    ("e2e-axis-interval", "2022-02-01/2022-04-30"),
    ("e2e-axis-approximate", "2022-05~"),
    ("e2e-axis-uncertain", "2022-06?"),
    ("e2e-axis-open", "2022-07/.."),
]
SETUP = """
from timeline.models import Event, Timeline
axis = Timeline.objects.create(slug="e2e-axis", title="Axis", status="published")
fa = Timeline.objects.create(slug="e2e-fa", title="گاه‌شمار", language="fa", direction="rtl", status="published")
for slug, date in {events!r}:
    Event.objects.create(slug=slug, title=slug.replace("-", " "), date=date, status="published").timelines.set([axis])
for slug, date in [("e2e-fa-early", "2001"), ("e2e-fa-late", "2020")]:
    Event.objects.create(slug=slug, title="رویداد " + slug, date=date, status="published").timelines.set([fa])
many = Timeline.objects.create(slug="e2e-many", title="Many", status="published")
events = Event.objects.bulk_create(
    Event(slug=f"e2e-many-{{n}}", title=f"Many {{n}}", date=str(1700 + n % 300), date_lower=0, date_upper=0, status="published")
    for n in range(400)
)
from sources.dates import edtf_bounds
for event in events:
    bounds = edtf_bounds(event.date)
    event.date_lower, event.date_upper, event.date_precision = bounds.lower, bounds.upper, bounds.precision
Event.objects.bulk_update(events, ["date_lower", "date_upper", "date_precision"])
Event.timelines.through.objects.bulk_create(Event.timelines.through(event=event, timeline=many) for event in events)
from timeline.tallies import tallies_refresh
tallies_refresh([event.pk for event in events])  # bulk writes send no signals: the axis's clusters read the tallies
"""
TEARDOWN = """
from timeline.models import Event, Timeline
Event.objects.filter(slug__startswith="e2e-axis-").delete(); Event.objects.filter(slug__startswith="e2e-fa-").delete()
Event.objects.filter(slug__startswith="e2e-many-").delete()
Timeline.objects.filter(slug__in=["e2e-axis", "e2e-fa", "e2e-many"]).delete()
"""


@pytest.fixture(scope="module")
def axis_data(live_url):
    manage("shell", "-c", TEARDOWN)
    manage("shell", "-c", SETUP.format(events=EVENTS))
    yield
    manage("shell", "-c", TEARDOWN)


def shape_box(page, slug):
    return page.locator(f'[data-axis] a[data-event="{slug}"] > :is(circle, rect)').bounding_box()


def window_of(page):
    return page.locator("[data-axis]").get_attribute("data-window")


def test_marks_stand_in_date_order_with_widths_that_follow_their_spans(live_url, page, axis_data):
    """Left to right in date order; a month is wider than a day; an interval is as long as it lasts."""
    page.goto(live_url + "/?timeline=e2e-axis&window=2022-02/2022-04")
    frame = page.locator("[data-axis] .axis-frame").bounding_box()
    lefts = [
        box["x"]
        for box in page.locator("[data-axis] a[data-event] > :is(circle, rect)").evaluate_all(
            "(s) => s.map((e) => e.getBoundingClientRect().toJSON())"
        )
    ]
    lowers = page.locator("[data-axis] a[data-event]").evaluate_all("(a) => a.map((e) => Number(e.dataset.lower))")
    assert lowers == sorted(lowers) and lefts == sorted(lefts)
    day, month, interval = (
        shape_box(page, "e2e-axis-day"),
        shape_box(page, "e2e-axis-month"),
        shape_box(page, "e2e-axis-interval"),
    )
    assert month["width"] > 3 * day["width"]
    assert interval["width"] == pytest.approx(frame["width"] * 89 / 89, rel=0.03)  # Feb–Apr 2022 is the whole window
    assert month["width"] == pytest.approx(frame["width"] * 31 / 89, rel=0.05)


def test_approximate_uncertain_and_open_ends_are_drawn_soft(live_url, page, axis_data):
    page.goto(live_url + "/?timeline=e2e-axis&window=2022-01/2022-12")
    for slug, soft in [("e2e-axis-approximate", "b"), ("e2e-axis-uncertain", "b"), ("e2e-axis-open", "e")]:
        mark = page.locator(f'a[data-event="{slug}"]')
        assert mark.get_attribute("data-soft") == soft
        assert mark.locator("rect").get_attribute("mask") == f"url(#axis-mask-{soft})"
    assert page.locator('a[data-event="e2e-axis-open"]').get_attribute("data-open") == "e"
    assert page.locator('a[data-event="e2e-axis-day"]').get_attribute("data-soft") is None
    expect(page.locator(".axis-legend")).to_contain_text("approximate (~) or uncertain (?)")


def test_keyboard_and_buttons_zoom_change_the_window_and_the_url_and_back_restores_it(live_url, page):
    """+ and − on a focused mark zoom around it; the zoom button too; each step is in the URL, and Back restores the window."""
    page.goto(live_url + "/")
    whole = window_of(page)
    page.evaluate("window.__marker = 1")
    page.locator('[data-axis] a[data-event="russian-military-intervention-in-syria"]').focus()
    page.keyboard.press("+")
    page.wait_for_url(re.compile(r"window="))
    expect(page.locator("[data-axis]")).not_to_have_attribute("data-window", whole)
    zoomed = window_of(page)
    assert page.evaluate("document.activeElement.dataset.event") == "russian-military-intervention-in-syria"
    for _ in range(8):
        page.keyboard.press("+")
        expect(page.locator("[data-axis]")).not_to_have_attribute("data-window", zoomed)
        zoomed = window_of(page)
    assert re.fullmatch(r"\d{4}-\d\d(-\d\d)?/\d{4}-\d\d(-\d\d)?", zoomed)  # down to months or days
    page.keyboard.press("-")
    expect(page.locator("[data-axis]")).not_to_have_attribute("data-window", zoomed)
    wider = window_of(page)
    page.locator('[data-axis-zoom="out"]').click()
    expect(page.locator("[data-axis]")).not_to_have_attribute("data-window", wider)
    assert "window=" in page.url
    assert page.evaluate("window.__marker") == 1  # every step swapped the axis in place: never a page load
    # Back as the browser's button does it (Playwright's go_back() waits for a "load" a same-document entry never fires).
    page.evaluate("history.back()")
    expect(page.locator("[data-axis]")).to_have_attribute("data-window", wider)
    page.evaluate("history.back()")
    expect(page.locator("[data-axis]")).to_have_attribute("data-window", zoomed)


def test_arrow_keys_move_from_mark_to_mark_in_time_order(live_url, page):
    page.goto(live_url + "/?window=2015/2016")
    first = page.locator("[data-axis] a[data-event]").first
    assert first.get_attribute("tabindex") == "0"
    assert page.locator("[data-axis] a[data-event][tabindex='0']").count() == 1  # one tab stop
    first.focus()
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.dataset.event")
    assert second == page.locator("[data-axis] a[data-event]").nth(1).get_attribute("data-event")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"event=" + second))
    expect(page.locator("#axis-card")).to_contain_text("Evidence" if False else "All the evidence")


def test_without_javascript_the_svg_links_zoom_pan_and_open_events(live_url, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_url + "/?window=2011/2019")
        assert page.locator("[data-axis]").get_attribute("data-from") == "2011-01-01"
        page.locator('[data-axis-zoom="in"]').click()
        page.wait_for_url(re.compile(r"window=2013-"))
        page.locator('[data-axis-pan="later"]').click()
        page.wait_for_url(re.compile(r"window=201[4-6]-"))
        mark = page.locator("[data-axis] svg a[data-event]").first
        slug = mark.get_attribute("data-event")
        mark.click()
        page.wait_for_url(re.compile(rf"/events/{slug}/$"))
    finally:
        context.close()


def test_clusters_at_wide_zoom_count_events_and_zoom_in(live_url, page, axis_data):
    page.goto(live_url + "/?timeline=e2e-many")
    clusters = page.locator("[data-axis] a.axis-cluster")
    assert clusters.count() > 1
    counts = clusters.evaluate_all("(a) => a.map((e) => Number(e.dataset.cluster))")
    assert sum(counts) == 400 and page.locator("[data-axis] a[data-event]").count() == 0
    before = window_of(page)
    clusters.first.click()
    expect(page.locator("[data-axis]")).not_to_have_attribute("data-window", before)
    assert page.locator("[data-axis] a[data-event]").count() > 0


def test_story_mode_by_keyboard(live_url, page):
    """view=story shows one event; → and ← step through the turning points, each step in the URL."""
    page.goto(live_url + "/?view=story&turning_point=true")
    step = page.locator("[data-story-step]")
    first = step.get_attribute("data-story-step")
    page.keyboard.press("ArrowRight")
    expect(step).not_to_have_attribute("data-story-step", first)
    second = step.get_attribute("data-story-step")
    assert f"event={second}" in page.url
    assert page.locator("[data-axis] a[aria-current]").get_attribute("data-event") == second
    page.keyboard.press("ArrowLeft")
    expect(step).to_have_attribute("data-story-step", first)
    expect(page.locator(".story-quotes li").first).to_be_visible()


def test_right_to_left_timeline_mirrors_the_axis(live_url, page, axis_data):
    page.goto(live_url + "/?timeline=e2e-fa")
    assert page.locator("[data-axis]").get_attribute("dir") == "rtl"
    early, late = shape_box(page, "e2e-fa-early"), shape_box(page, "e2e-fa-late")
    assert late["x"] < early["x"]
    label = page.locator('a[data-event="e2e-fa-late"] .axis-label').bounding_box()
    frame = page.locator("[data-axis] .axis-frame").bounding_box()
    assert frame["x"] <= label["x"] and label["x"] + label["width"] <= frame["x"] + frame["width"] + 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/?window=2011/2019&event=us-withdraws-from-jcpoa", "/?view=story"])
def test_axe_finds_no_serious_or_critical_violation_on_the_axis(live_url, page, scheme, path):
    page.emulate_media(color_scheme=scheme)
    page.goto(live_url + path)
    violations = audit(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_at_360_px_with_touch_a_tap_opens_the_card(live_url, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_url + "/?window=2015/2016")
        axis = page.locator("[data-axis]").bounding_box()
        assert axis["width"] <= 360
        mark = page.locator('[data-axis] a[data-event="russian-military-intervention-in-syria"]')
        mark.locator(":scope > :is(circle, rect)").tap()
        page.wait_for_url(re.compile(r"event=russian-military-intervention-in-syria"))
        expect(page.locator("#axis-card")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 800])
def test_no_label_covers_another_on_the_demo_axis(live_url, browser, width):
    """Every label shown on the axis is readable: none overlaps another, whatever the page width."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_url + "/")
    boxes = page.evaluate(
        """Array.from(document.querySelectorAll('[data-axis] .axis-label'))
             .filter(t => getComputedStyle(t).visibility === 'visible' && t.getClientRects().length)
             .map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.top, r.bottom]; })"""
    )
    shown = {title for title, *_ in boxes}
    assert len(boxes) >= 8  # most of the demo's 29 events keep a label
    turning_points = set(page.locator("[data-axis] a.is-tp .axis-label").all_text_contents())
    assert len(turning_points) == 6
    if width >= 1280:
        assert turning_points <= shown  # turning points keep their labels first
    else:  # a narrower axis has room for fewer; a hidden label's mark still says it to screen readers
        assert len(turning_points & shown) >= 4
        for title in turning_points - shown:
            assert title in page.locator("[data-axis] a.is-tp", has_text=title).get_attribute("aria-label")
    for n, (a, *ra) in enumerate(boxes):
        for b, *rb in boxes[n + 1 :]:
            overlap = ra[0] < rb[1] - 1 and rb[0] < ra[1] - 1 and ra[2] < rb[3] - 1 and rb[2] < ra[3] - 1
            assert not overlap, f"{a!r} covers {b!r} at {width} px"
    context.close()

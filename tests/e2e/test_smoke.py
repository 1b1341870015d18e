"""The demo timeline in a real browser."""

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db


def test_timeline_renders_turning_points_in_chromium(live_url, page):
    """Chromium shows the timeline with the 2003 Iraq War and its quote; screenshots at 1280 and 375 px are saved."""
    page.goto(live_url + "/")
    iraq = page.locator("article#event-2003-iraq-war")
    assert iraq.is_visible()
    assert "Three turning points" in iraq.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline-1280.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(ARTIFACTS / "timeline-375.png"))

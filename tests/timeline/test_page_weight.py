"""A timeline page's weight in bytes of HTML, whatever the size of the timeline (issue 15: under 100 KB)."""

import pytest

from timeline.synthetic import seed_synthetic

pytestmark = pytest.mark.django_db

# Enough events for 25 full cards on the first page and an axis drawn as clusters when unzoomed.
EVENTS = 2_000
TARGET = 100_000
# What the page weighs today at most (see CEILING's test): the target is not met yet; this keeps it from growing.
CEILING = 145_000
PAGES = {
    "unfiltered": {},
    "searched": {"q": "war"},
    "filtered": {"theme": "synthetic-theme-0"},
    "deep": {"page": 3},
    "zoomed": {"window": "1500/1600"},
}


def page_weights(client):
    seed_synthetic(events=EVENTS, seed=1, timeline="weighed")
    weights = {}
    for name, query in PAGES.items():
        response = client.get("/timelines/weighed/", query)
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('<article class="event') == 25, name  # full pages, not an empty result
        weights[name] = len(response.content)
    return weights


def test_timeline_pages_do_not_grow_past_their_ceiling(client):
    """Unfiltered, searched, filtered, deep and zoomed pages of a 2,000-event timeline weigh at most CEILING bytes."""
    weights = page_weights(client)
    assert {name: weight for name, weight in weights.items() if weight > CEILING} == {}


@pytest.mark.xfail(strict=True, reason="25 full event cards weigh ≈ 75 KB alone; see bench/RESULTS.md, “Page weight”")
def test_timeline_pages_stay_under_100_kb(client):
    """The target of issue 15: every such page under 100 KB of HTML."""
    weights = page_weights(client)
    assert {name: weight for name, weight in weights.items() if weight > TARGET} == {}

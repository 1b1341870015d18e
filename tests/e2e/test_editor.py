"""An editor in the admin, in a real browser: from a passage to a published, cited event."""

import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import BASE_DIR
from tests.servers import suite_database_url

pytestmark = pytest.mark.django_db

USERNAME, PASSWORD = "e2e-editor", "a long e2e password 7431"
SLUG = "e2e-s-300-contract"
QUOTE = "Russia agreed to supply Iran with its S-300 missile defense system"


def manage(*args, **environ):
    """Run manage.py against the suite's database, so that the server the browser talks to sees the change."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": suite_database_url(), **environ}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def editor(live_url):
    """An account in the Editors group, made with createeditor; it and its event are removed afterwards."""
    manage("createeditor", USERNAME, "--no-input", CITELINE_EDITOR_PASSWORD=PASSWORD)
    yield USERNAME
    manage(
        "shell", "-c",
        "from django.contrib.auth.models import User; from timeline.models import Event; "
        f"Event.objects.filter(slug='{SLUG}').delete(); User.objects.filter(username='{USERNAME}').delete()",
    )  # fmt: skip


def test_editor_picks_a_passage_selects_the_quote_and_publishes(live_url, page, editor):
    """Natural-language date with a preview, passage autocomplete, quote picked by selecting words, published and shown to readers."""
    page.goto(f"{live_url}/admin/login/?next=/admin/timeline/event/add/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.fill("#id_title", "Russia agrees to sell Iran the S-300 (e2e)")
    page.fill("#id_date", "c. 2007")
    preview = page.locator(".citeline-date-preview")
    preview.get_by_text("2007~").wait_for()
    page.select_option("#id_status", "published")

    # The passage is an autocomplete (select2): search it by its words.
    page.click("#citations-0 .field-passage .select2-selection")
    page.fill(".select2-search__field", "S-300 missile defense")
    page.locator(".select2-results__option", has_text="baghai-unlikely-alliance").first.click()

    passage = page.locator(".inline-related .citeline-passage-text").first
    passage.get_by_text("S-300", exact=False).wait_for()
    passage.evaluate(
        """(container, quote) => {
            const node = container.firstChild;
            const start = node.textContent.indexOf(quote);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + quote.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            container.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }""",
        QUOTE,
    )
    assert page.input_value("#id_citations-0-quote") == QUOTE
    page.fill("#id_slug", SLUG)
    page.click("input[name=_save]")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"{live_url}/events/{SLUG}/")
    assert "c. 2007" in page.locator("main").inner_text()
    assert QUOTE in page.locator("main").inner_text()


REORDER_SLUG, REORDER_USER = "e2e-reorder-citations", "e2e-reorderer"
REORDER_SETUP = (
    """
import json
from sources.anchoring import quote_anchor
from sources.models import Passage
from timeline.models import Citation, Event, Timeline
from timeline.services import event_publish
passage = Passage.objects.filter(source__slug='baghai-unlikely-alliance', text__contains='S-300').first()
words = passage.text.split()
event = Event.objects.create(title='Three citations to reorder (e2e)', slug='%s', date='2007')
event.timelines.add(Timeline.objects.default())
pks = []
for ordinal, at in enumerate((0, 5, 10), start=1):
    quote = ' '.join(words[at:at + 4])
    start, end, prefix, suffix = quote_anchor(passage, quote)
    pks.append(Citation.objects.create(event=event, passage=passage, quote=quote, start=start, end=end,
                                       prefix=prefix, suffix=suffix, ordinal=ordinal).pk)
event_publish(event=event)
print(json.dumps({'event': event.pk, 'citations': pks}))
"""
    % REORDER_SLUG
)


@pytest.fixture
def reorder_event(live_url):
    """A published event citing three quotes, and an editor; both removed afterwards."""
    import json

    manage("createeditor", REORDER_USER, "--no-input", CITELINE_EDITOR_PASSWORD=PASSWORD)
    yield json.loads(manage("shell", "-c", REORDER_SETUP).strip().splitlines()[-1])
    manage(
        "shell", "-c",
        "from django.contrib.auth.models import User; from timeline.models import Event; "
        f"Event.objects.filter(slug='{REORDER_SLUG}').delete(); User.objects.filter(username='{REORDER_USER}').delete()",
    )  # fmt: skip


def test_editor_reorders_citations_with_the_keyboard(live_url, page, reorder_event):
    """Up/Down buttons reached by keyboard move the third citation first; the ordinals follow, and so does the reader's page."""
    first, second, third = reorder_event["citations"]
    page.goto(f"{live_url}/admin/login/?next=/admin/timeline/event/{reorder_event['event']}/change/")
    page.fill("#id_username", REORDER_USER)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.get_by_role("button", name="Move citation 2 down").focus()
    page.keyboard.press("Shift+Tab")  # the buttons are in the tab order, "up" before "down"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move citation 2 up"
    page.get_by_role("button", name="Move citation 3 up").focus()
    page.keyboard.press("Enter")
    # Focus stays on the moved citation, whose buttons now say where it is.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move citation 2 up"
    page.keyboard.press("Space")
    # At the top "up" is disabled: focus moves to "down" of the same citation.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move citation 1 down"
    assert page.get_by_role("status").filter(has_text="is now citation 1").count() == 1
    ordinals = {
        pk: page.input_value(f"#citations-group .inline-related:has(input[name$='-id'][value='{pk}']) input[name$='-ordinal']")
        for pk in (first, second, third)
    }
    assert ordinals == {third: "1", first: "2", second: "3"}

    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    page.goto(f"{live_url}/events/{REORDER_SLUG}/")
    order = page.locator("ol.citations--full > li").evaluate_all("items => items.map(item => item.id)")
    assert order == [f"c-{third}", f"c-{first}", f"c-{second}"]

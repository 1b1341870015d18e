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

"""
Stored script in every text field that reaches a page, in a real Chromium: none of it may run, and
none of it may reach the DOM as markup (an element, an event handler or a javascript: link), on any
surface — reader pages and their htmx swaps, the widget and the page that embeds it, the feed, the
exports, the API's pages and the admin. The DOM check holds even where the Content-Security-Policy
would stop a script: escaping is the first defence, the policy the second.
"""

import json
import os
import subprocess
import sys
import textwrap
from urllib.request import Request, urlopen

import lxml.html
import pytest
from lxml import etree

from tests.e2e.conftest import BASE_DIR
from tests.servers import suite_database_url

pytestmark = pytest.mark.django_db

ADMIN, PASSWORD = "xss-admin", "a long xss password 9417"
MARK = "XSSMARK"  # a searchable word in every payload


def payload(label):
    """Script, an event handler, an attribute breakout and a closing script tag, all calling alert(label)."""
    return (
        f'{MARK} <script>alert("{label}")</script><img src=x onerror=alert("{label}")>'
        f'"><svg onload=alert("{label}")></script><script>alert("{label}")</script>\'"'
    )


SETUP = textwrap.dedent(
    """
    import json, os
    from django.contrib.auth.models import User
    from sources.importing import document_import
    from timeline.models import Actor, Citation, Event, Period, Theme, Timeline
    from timeline.services import event_publish

    P = json.loads(os.environ["XSS_PAYLOADS"])
    html = (
        "<html><head><title>" + P["source-title-escaped"] + "</title></head><body><main><article>"
        "<h1>Stored script</h1><p>A passage that quotes " + P["quote-escaped"] + " in its text.</p>"
        "<p>Another paragraph, long enough to be body text and to be cited as evidence for the event.</p>"
        "</article></main></body></html>"
    )
    result = document_import(raw=html.encode(), filename="xss-source.html", metadata={
        "slug": "xss-source", "title": P["source-title"], "authors": [P["author"]], "container": P["container"], "notes": P["source-notes"],
        "url": "https://example.org/" + P["url"],
    })
    source = result.source
    actor = Actor.objects.create(slug="xss-actor", name=P["actor"])
    theme = Theme.objects.create(slug="xss-theme", name=P["theme"], description=P["theme-description"])
    default = Timeline.objects.default()  # the demo's: the event and period are read on `/`
    Period.objects.create(slug="xss-period", name=P["period"], description=P["period-description"], date="2016/2017").timelines.add(default)
    event = Event(
        slug="xss-event", title=P["event-title"], date="2016-05", display_date=P["display-date"],
        annotation=P["annotation"] + " [a link](javascript:alert('annotation-link'))",
    )
    event.full_clean()  # as the admin and the API would: lengths hold on PostgreSQL too
    event.save()
    event.actors.add(actor)
    event.themes.add(theme)
    event.timelines.add(default)
    passage = next(p for p in source.passages.all() if P["quote"] in p.text)
    citation = Citation(event=event, passage=passage, quote=P["quote"], note=P["note"])
    citation.full_clean()
    citation.save()
    event_publish(event=event)
    User.objects.create_superuser(os.environ["XSS_ADMIN"], "xss@example.org", os.environ["XSS_PASSWORD"])
    """
)
TEARDOWN = (
    "from django.contrib.auth.models import User; from sources.models import Source; "
    "from timeline.models import Actor, Event, Period, Theme; "
    "Event.objects.filter(slug='xss-event').delete(); Source.objects.filter(slug='xss-source').delete(); "
    "Actor.objects.filter(slug='xss-actor').delete(); Theme.objects.filter(slug='xss-theme').delete(); "
    f"Period.objects.filter(slug='xss-period').delete(); User.objects.filter(username='{ADMIN}').delete()"
)


def manage(*args, **environ):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": suite_database_url(), **environ}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def stored_payloads(live_url):
    """Payloads in every text field, committed to the database the server reads; removed afterwards."""
    labels = [
        "source-title", "quote", "author", "container", "source-notes", "url", "actor", "theme", "theme-description",
        "period", "period-description", "event-title", "display-date", "annotation", "note",
    ]  # fmt: skip
    values = {label: payload(label) for label in labels}
    values["url"] = f'"><script>alert("url")</script>{MARK}'  # a URL has no spaces: the breakout alone
    values["quote"] = f'{MARK} <script>alert("quote")</script>'  # exact words of the passage text
    values["display-date"] = f'{MARK} <img src=x onerror=alert("date")>"><svg onload=alert("date")>'  # 100 characters at most
    # In the HTML document, the title and the quoted words are text (escaped), as on a real page.
    values["source-title-escaped"] = values["source-title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    values["quote-escaped"] = values["quote"].replace("<", "&lt;").replace(">", "&gt;")
    try:
        manage("shell", "-c", SETUP, XSS_PAYLOADS=json.dumps(values), XSS_ADMIN=ADMIN, XSS_PASSWORD=PASSWORD)
        yield values
    finally:  # a setup that failed half-way must not leave its rows to the tests that follow
        manage("shell", "-c", TEARDOWN)


@pytest.fixture
def watched(page):
    """The page and the list of dialogs (alerts) it opened, each recorded and dismissed."""
    fired = []

    def record(dialog):
        fired.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return page, fired


def assert_inert_html(html, where):
    """HTML that a consumer renders (a feed reader, TimelineJS) holds no element or attribute from the payloads."""
    fragment = lxml.html.fragment_fromstring(html or "", create_parent="div")
    assert fragment.xpath("//script | //img | //svg | //iframe") == [], where
    assert not [name for el in fragment.iter() for name in el.attrib if name.lower().startswith("on")], where
    assert not fragment.xpath("//*[starts-with(normalize-space(@href), 'javascript:')]"), where


def markup_from_payloads(html):
    """Every element, handler and link in a document that our payloads could have become, had escaping failed."""
    document = lxml.html.document_fromstring(html)
    found = [f"<script>{script.text[:40]}" for script in document.iter("script") if "alert(" in (script.text or "")]
    for element in document.iter():
        for name, value in element.attrib.items():
            if name.lower().startswith("on") and "alert(" in value:
                found.append(f"<{element.tag} {name}>")
            if name.lower() in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {name}={value}>")
    return found


def assert_clean(watched, where, *, frames=()):
    """
    Nothing from the payloads in the page's document as the browser holds it after its scripts ran
    (page.content()), nor in `frames`; and no dialog opened.
    """
    page, fired = watched
    for frame in (page.main_frame, *frames):
        assert markup_from_payloads(frame.content()) == [], f"{where}: markup from stored payloads in {frame.url}"
    assert fired == [], f"{where}: script ran: {fired}"


def test_no_stored_script_runs_on_the_reader_pages(stored_payloads, watched, live_url):
    """Timeline (full page, search, htmx swap), event, sources, source and passage pages."""
    page, _ = watched
    for path in ["/", f"/?q={MARK}", "/?actor=xss-actor", "/events/xss-event/", "/sources/", "/sources/xss-source/"]:
        page.goto(live_url + path)
        assert MARK in page.content(), path  # the payload is there, as text
        assert_clean(watched, path)
    page.goto(live_url + "/sources/xss-source/")
    page.locator("a.passage-anchor").first.click()
    assert_clean(watched, "passage page")

    page.goto(live_url + "/?date_from=2016&date_to=2016")
    page.locator("details.facet > summary", has_text="Actors").click()
    page.locator("#filters input[name=actor][value=xss-actor]").check()  # htmx swaps the results in
    page.wait_for_url("**actor=xss-actor**")
    page.wait_for_selector("article#event-xss-event")
    assert_clean(watched, "htmx swap")
    meta = page.locator('meta[name="description"]')
    if meta.count():
        assert MARK not in (meta.first.get_attribute("http-equiv") or "")


def test_no_stored_script_runs_in_the_widget_or_its_host_page(stored_payloads, watched, live_url, host_page):
    """The widget alone, and a page of another site embedding it with embed.js."""
    page, _ = watched
    page.goto(f"{live_url}/embed/timeline/?actor=xss-actor")
    assert MARK in page.content()
    assert_clean(watched, "widget")
    page.goto(
        host_page(
            '<!doctype html><html lang="en"><title>Host</title><div data-citeline data-actor="xss-actor"></div>'
            f'<script src="{live_url}/embed.js" async></script></html>'
        )
    )
    frame = page.wait_for_selector("[data-citeline] iframe", state="attached").content_frame()
    frame.wait_for_selector("li.e")
    assert MARK in frame.content()
    assert_clean(watched, "host page of embed.js", frames=[frame])


def test_feed_and_exports_carry_payloads_as_text(stored_payloads, watched, live_url):
    """The feed's HTML summaries hold no markup from the payloads; exports are never served as HTML; the browsable API is clean."""
    with urlopen(f"{live_url}/feed/?actor=xss-actor") as response:
        feed = etree.fromstring(response.read())
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert entries
    for entry in entries:
        assert MARK in entry.findtext(f"{atom}title")
        assert_inert_html(entry.findtext(f"{atom}summary"), "feed summary")
    for export in ["csv", "ics", "timelinejs", "csljson", "bibtex"]:
        request = Request(f"{live_url}/api/events/?actor=xss-actor&format={export}")
        with urlopen(request) as response:
            body = response.read().decode()
            assert MARK in body, export
            assert "html" not in response.headers["Content-Type"], export
            assert response.headers["X-Content-Type-Options"] == "nosniff", export
    # TimelineJS shows its text fields as HTML.
    timelinejs = json.loads(urlopen(f"{live_url}/api/events/?actor=xss-actor&format=timelinejs").read())
    for slide in timelinejs["events"]:
        for name, text in [*slide["text"].items(), ("display_date", slide.get("display_date")), ("group", slide.get("group"))]:
            assert_inert_html(text, f"TimelineJS {name}")

    page, _ = watched
    for path in ["/api/events/?actor=xss-actor", "/api/events/xss-event/", "/api/citations/", "/api/sources/xss-source/"]:
        page.goto(live_url + path)
        assert_clean(watched, path)


def test_no_stored_script_runs_in_the_admin(stored_payloads, watched, live_url):
    """Changelists, change pages and history pages of every model holding a payload."""
    page, _ = watched
    page.goto(f"{live_url}/admin/login/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_url}/admin/")
    for path in [
        "/admin/timeline/event/",
        "/admin/timeline/citation/",
        "/admin/timeline/actor/",
        "/admin/timeline/theme/",
        "/admin/timeline/period/",
        "/admin/sources/source/",
        "/admin/sources/passage/?q=XSSMARK",
    ]:
        page.goto(live_url + path)
        assert MARK in page.content(), path
        assert_clean(watched, path)
    page.goto(f"{live_url}/admin/timeline/event/?q=xss")
    page.locator("#result_list a", has_text=MARK).first.click()
    assert_clean(watched, "event change page")
    page.goto(page.url + "history/")
    assert_clean(watched, "event history")
    page.goto(f"{live_url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert_clean(watched, "API docs")

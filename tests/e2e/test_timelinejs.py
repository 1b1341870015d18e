"""
Our TimelineJS export in the real TimelineJS 3 (the npm build `.ci/run` installs in tests/e2e), and
event media that never makes the browser ask another host for anything.
"""

import functools
import json
import threading
import urllib.request
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BASE_DIR, QuietHandler
from tests.e2e.test_editor import manage
from tests.servers import free_port

pytestmark = pytest.mark.django_db

TIMELINEJS = BASE_DIR / "tests" / "e2e" / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="dist/css/timeline.css"></head>
<body><div id="timeline-embed" style="width: 100%; height: 600px"></div>
<script src="dist/js/timeline.js"></script>
<script>window.timeline = new TL.Timeline("timeline-embed", new URL("export.json", location.href).href, {script_path: new URL("dist/js/", location.href).href, hash_bookmark: false});</script>
</body></html>"""


@pytest.fixture
def timelinejs_site(tmp_path):
    """A local site holding the TimelineJS build and a page that loads `export.json`: site(data) gives its URL."""
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        pytest.skip("TimelineJS is not installed: run `npm install --prefix tests/e2e` (.ci/run does)")
    (tmp_path / "dist").symlink_to(TIMELINEJS, target_is_directory=True)
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def site(data):
        (tmp_path / "export.json").write_text(json.dumps(data), encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    yield site
    server.shutdown()
    server.server_close()


def _only_local(page):
    """Answer any request to another host with an error (TimelineJS may ask for fonts): the test never leaves the machine."""
    page.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())


def _load(page, url):
    _only_local(page)
    page.goto(url)
    # Loaded: slides are drawn, or TimelineJS's message says something other than "Loading".
    page.wait_for_function(
        "document.querySelectorAll('.tl-slide').length > 0 || "
        "[...document.querySelectorAll('.tl-message-full')].some(m => m.innerText.trim() && !/Loading/.test(m.innerText))"
    )
    messages = [text for text in page.locator(".tl-message-full:visible").all_inner_texts() if text.strip()]
    return page.locator(".tl-slide").count(), messages


def test_the_demo_export_loads_in_timelinejs(live_url, page, timelinejs_site):
    """Every event is a slide, plus the title slide, and TimelineJS shows no error — open-ended periods included."""
    with urllib.request.urlopen(f"{live_url}/api/events/?format=timelinejs") as response:
        data = json.load(response)
    assert any("Still going" in era["text"].get("text", "") for era in data["eras"])  # the demo has an open-ended period
    slides, errors = _load(page, timelinejs_site(data))
    assert errors == []
    assert slides == len(data["events"]) + 1
    assert page.locator(".tl-timeera").count() == len(data["eras"])


def test_an_imported_deep_time_timeline_loads_in_timelinejs(live_url, page, timelinejs_site):
    """A TimelineJS file with the Big Bang, imported and published, exported per timeline, loads (cosmological scale)."""
    manage(
        "import_timelinejs", str(BASE_DIR / "tests" / "timeline" / "data" / "timelinejs_cosmos.json"), "--timeline", "e2e-deep"
    )
    manage(
        "shell", "-c",
        "from timeline.models import Timeline, Event; from tests.factories import CitationFactory; "
        "from timeline.services import event_publish; t = Timeline.objects.get(slug='e2e-deep'); t.status = 'published'; t.save(); "
        "[(CitationFactory(event=e), event_publish(event=e)) for e in t.events.all()]",
    )  # fmt: skip
    try:
        with urllib.request.urlopen(f"{live_url}/api/events/?format=timelinejs&timeline=e2e-deep") as response:
            data = json.load(response)
        assert data["scale"] == "cosmological" and len(data["events"]) == 5
        slides, errors = _load(page, timelinejs_site(data))
        assert errors == [] and slides == 6
    finally:
        manage(
            "shell", "-c",
            "from timeline.models import Timeline, Event, Period, Theme; from sources.models import Source; "
            "events = Event.objects.filter(timelines__slug='e2e-deep'); slugs = list(events.values_list('citations__passage__source__slug', flat=True)); "
            "events.delete(); Period.objects.filter(slug='roman-empire').delete(); Theme.objects.filter(slug__in=['cosmos', 'rome']).delete(); "
            "Source.objects.filter(slug__in=slugs).delete(); Timeline.objects.filter(slug='e2e-deep').delete()",
        )  # fmt: skip


def test_event_media_never_loads_anything_from_another_host(live_url, page):
    """An event with an uploaded image and one with a media link: every request the pages make goes to this site."""
    output = manage(
        "shell", "-c",
        "import io; from PIL import Image; from timeline.models import Event, EventMedia; from timeline.media import event_media_image_set; "
        "events = list(Event.objects.published()[:2]); buffer = io.BytesIO(); Image.new('RGB', (1200, 600), (0, 90, 200)).save(buffer, 'PNG'); "
        "event_media_image_set(media=EventMedia(event=events[0], alt='A blue field'), data=buffer.getvalue()); "
        "EventMedia.objects.create(event=events[1], kind='link', url='https://video.example.org/watch?v=1', credit='AP', caption='The signing'); "
        "print('SLUGS', events[0].slug, events[1].slug)",
    )  # fmt: skip
    slugs = next(line for line in output.splitlines() if line.startswith("SLUGS")).split()[1:]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        image_slug, link_slug = slugs
        page.goto(f"{live_url}/events/{image_slug}/")
        image = page.locator(".event-media img")
        assert image.get_attribute("alt") == "A blue field"
        image.scroll_into_view_if_needed()  # it loads lazily
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0  # served, from here
        page.goto(f"{live_url}/events/{link_slug}/")
        assert page.get_by_role("link", name="The signing").get_attribute("href") == "https://video.example.org/watch?v=1"
        hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
        assert hosts == {urlsplit(live_url).netloc}
    finally:
        manage(
            "shell", "-c",
            "from django.core.files.storage import default_storage; from timeline.models import EventMedia; "
            "[default_storage.delete(name) for media in EventMedia.objects.filter(kind='image') "
            "for name in [media.image.name, *[r[2] for r in media.renditions]]]; EventMedia.objects.all().delete()",
        )  # fmt: skip

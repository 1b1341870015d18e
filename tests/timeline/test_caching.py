"""
HTTP validators that are right by construction: every editorial write, whichever way it comes (a
service, an admin form or action, the API, a re-import, a backup restored), moves the ETag and the
Last-Modified of the API list, the widget, the feed and the timeline page; nothing else does.

Writes run inside the test's transaction, which never commits: django_capture_on_commit_callbacks
runs what the commit would have run (the content version moves on commit, never before).
"""

import datetime
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sources.models import Source
from tests.factories import ActorFactory, CitationFactory, EventFactory, PeriodFactory, SourceFactory, ThemeFactory
from tests.sources.helpers import BAGHAI_FILE, edit, import_sources, write_manifest
from timeline.backup import timeline_export, timeline_import
from timeline.caching import content_version, content_version_bump
from timeline.models import Citation, ContentVersion, Event
from timeline.services import event_publish

pytestmark = pytest.mark.django_db

ACTOR = "cache-actor"
SURFACES = {
    "api": f"/api/events/?actor={ACTOR}",
    "widget": f"/embed/timeline/?actor={ACTOR}",
    "feed": f"/feed/?actor={ACTOR}",
    "timeline": f"/?actor={ACTOR}",
}


@pytest.fixture
def story():
    """A published event with two citations of one source, an actor, a theme, and a period."""
    actor = ActorFactory(slug=ACTOR, name="Cachewood")
    theme = ThemeFactory(slug="cache-theme", name="Cachetheme")
    PeriodFactory(slug="cache-period", name="Cacheperiod", date="2011/2019")
    source = SourceFactory(slug="cache-source", title="Cachesource Review")
    passage = source.passages.get(ordinal=3)
    event = EventFactory(slug="cache-event", title="Cacheevent happened", date="2015")
    event.actors.add(actor)
    event.themes.add(theme)
    first = CitationFactory(event=event, passage=passage, quote="signed a treaty", ordinal=1)
    second = CitationFactory(event=event, passage=passage, quote="Russia and Iran", start=30, end=45, ordinal=2)
    return event, first, second


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser("cache-admin", password="x-not-real-123"))
    return client


@pytest.fixture
def editor_api():
    api = APIClient()
    api.force_authenticate(User.objects.create_superuser("cache-editor", password="x-not-real-123"))
    return api


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the on-commit callbacks of the writes inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def hold(client):
    """What a client (or a CDN) keeps of each surface: its validators and its body."""
    held = {}
    for name, url in SURFACES.items():
        response = client.get(url)
        assert response.status_code == 200, name
        held[name] = (response["ETag"], response["Last-Modified"], response.content.decode())
    return held


def assert_fresh(client, held, **shows):
    """
    Each surface answers a client holding its old ETag and Last-Modified with 200 and new validators,
    and one holding only the old Last-Modified too; `shows[surface]` is text the new body holds
    (or, prefixed with "!", no longer holds).
    """
    for name, url in SURFACES.items():
        etag, last_modified, _ = held[name]
        response = client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": last_modified})
        assert response.status_code == 200, f"{name}: a 304 for changed content"
        assert response["ETag"] != etag, name
        assert parsedate_to_datetime(response["Last-Modified"]) > parsedate_to_datetime(last_modified), name
        assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200, name
        body = response.content.decode()
        for text in shows.get(name, ()):
            if text.startswith("!"):
                assert text[1:] not in body, f"{name} still shows {text[1:]!r}"
            else:
                assert text in body, f"{name} does not show {text!r}"


def assert_current(client, held):
    for name, url in SURFACES.items():
        etag, last_modified, _ = held[name]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304, name
        assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304, name


EVERYWHERE = ("api", "widget", "feed", "timeline")


def everywhere(*texts):
    return {name: texts for name in EVERYWHERE}


# Nothing changed, or nothing committed


def test_unchanged_content_gives_304_everywhere(client, story, commit):
    """With no write in between, every surface answers the held ETag, and the held Last-Modified, with a 304."""
    with commit():
        pass
    held = hold(client)
    assert_current(client, held)


def test_a_rolled_back_write_moves_nothing(client, story, commit):
    """A write whose transaction rolls back never moves the validators."""
    event, _, _ = story
    held = hold(client)
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        event.title = "Never committed"
        event.save()
        raise RuntimeError
    assert_current(client, held)


def test_a_304_costs_one_query(client, story):
    """A current client is answered after reading the content version, and nothing else."""
    held = hold(client)
    for name, url in SURFACES.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers={"If-None-Match": held[name][0]}).status_code == 304
        assert len(queries) == 1, (name, [query["sql"] for query in queries])


def test_one_transaction_moves_the_version_once_and_last_modified_by_a_second(story, commit):
    """However many rows a transaction writes, the version moves once; Last-Modified always moves."""
    event, first, second = story
    version, changed_at = content_version()
    with commit(), transaction.atomic():
        for citation in (first, second):
            citation.note = "checked"
            citation.save()
        event.save()
    new_version, new_changed_at = content_version()
    assert new_version == version + 1
    assert new_changed_at - changed_at >= datetime.timedelta(seconds=1)
    content_version_bump()
    assert content_version()[1] - new_changed_at >= datetime.timedelta(seconds=1)


def test_the_version_row_comes_back_after_a_flush(story):
    """A database emptied by a flush (live-server tests) gets its row back on the next write."""
    ContentVersion.objects.all().delete()
    assert content_version() == (0, None)
    content_version_bump()
    assert content_version()[0] == 1


# Editorial actions, one test each


def test_publish(client, editor_api, story, commit):
    """Publishing a draft through the API shows it everywhere."""
    event, _, _ = story
    draft = EventFactory(slug="cache-draft", title="Cachedraft surfaced", status=Event.Status.DRAFT)
    draft.actors.add(event.actors.get())
    CitationFactory(event=draft, passage=event.citations.first().passage, quote="signed a treaty")
    held = hold(client)
    with commit():
        assert editor_api.patch("/api/events/cache-draft/", {"status": "published"}, format="json").status_code == 200
    assert_fresh(client, held, **everywhere("Cachedraft surfaced"))


def test_unpublish_with_the_admin_action(client, admin_client_, story, commit):
    """The admin's "Unpublish" takes the event off every surface at once."""
    event, _, _ = story
    held = hold(client)
    with commit():
        response = admin_client_.post("/admin/timeline/event/", {"action": "unpublish", "_selected_action": [event.pk]})
    assert response.status_code == 302
    client.logout()
    assert_fresh(client, held, **everywhere("!Cacheevent happened"))


def test_unpublish_with_an_api_patch(client, editor_api, story, commit):
    """PATCH status=draft takes the event off every surface at once."""
    held = hold(client)
    with commit():
        assert editor_api.patch("/api/events/cache-event/", {"status": "draft"}, format="json").status_code == 200
    assert_fresh(client, held, **everywhere("!Cacheevent happened"))


def test_delete_event(client, editor_api, story, commit):
    """Deleting an event (no updated_at left behind) moves ETag and Last-Modified."""
    held = hold(client)
    with commit():
        assert editor_api.delete("/api/events/cache-event/").status_code == 204
    assert_fresh(client, held, **everywhere("!Cacheevent happened"))


def test_rename_actor_in_the_admin(client, admin_client_, story, commit):
    """An actor renamed in the admin is renamed on every surface that names it."""
    event, _, _ = story
    actor = event.actors.get()
    held = hold(client)
    with commit():
        response = admin_client_.post(
            f"/admin/timeline/actor/{actor.pk}/change/", {"name": "Renamedwood", "slug": ACTOR, "kind": "state"}
        )
    assert response.status_code == 302
    client.logout()
    assert_fresh(client, held, api=["Renamedwood"], feed=["Renamedwood"], timeline=["Renamedwood"])


def test_rename_actor_with_the_api(client, editor_api, story, commit):
    """An actor renamed through the API moves /api/actors/ and every surface that names it."""
    actor_list = client.get("/api/actors/")
    held = hold(client)
    with commit():
        assert editor_api.patch(f"/api/actors/{ACTOR}/", {"name": "Apiwood"}, format="json").status_code == 200
    assert_fresh(client, held, api=["Apiwood"], feed=["Apiwood"], timeline=["Apiwood"])
    response = client.get("/api/actors/", headers={"If-None-Match": actor_list["ETag"]})
    assert response.status_code == 200 and "Apiwood" in response.content.decode()


def test_edit_theme(client, admin_client_, story, commit):
    """A theme renamed in the admin moves the validators."""
    event, _, _ = story
    theme = event.themes.get()
    held = hold(client)
    with commit():
        response = admin_client_.post(
            f"/admin/timeline/theme/{theme.pk}/change/", {"name": "Newtheme", "slug": theme.slug, "description": "Edited."}
        )
    assert response.status_code == 302
    client.logout()
    assert_fresh(client, held, api=["Newtheme"], feed=["Newtheme"], timeline=["Newtheme"])


def test_rename_period(client, admin_client_, story, commit):
    """A period renamed in the admin is renamed on the timeline's bands; the other surfaces revalidate too."""
    from timeline.models import Period

    period = Period.objects.get(slug="cache-period")
    held = hold(client)
    with commit():
        response = admin_client_.post(
            f"/admin/timeline/period/{period.pk}/change/",
            {
                "name": "Renamedperiod",
                "slug": period.slug,
                "date": "2011/2019",
                "description": "",
                "timelines": [timeline.pk for timeline in period.timelines.all()],
            },
        )
    assert response.status_code == 302
    client.logout()
    assert_fresh(client, held, timeline=["Renamedperiod", "!Cacheperiod"])


def test_unpublish_a_timeline_in_the_admin(client, admin_client_, story, commit):
    """A timeline set back to draft takes its events off every surface at once: no client keeps them through a 304."""
    from timeline.models import Timeline

    timeline = Timeline.objects.default()
    held = hold(client)
    with commit():
        response = admin_client_.post(
            f"/admin/timeline/timeline/{timeline.pk}/change/",
            {"title": timeline.title, "slug": timeline.slug, "status": "draft", "is_default": "on", "intro": "",
             "language": "en", "direction": "ltr"},
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert_fresh(client, held, api=["!Cacheevent"], widget=["!Cacheevent"], feed=["!Cacheevent"], timeline=["!Cacheevent"])


def test_move_an_event_out_of_its_timeline(client, editor_api, story, commit):
    """An event taken out of its only timeline leaves every surface: the membership moves the validators."""
    event = story[0]
    held = hold(client)
    with commit():
        event.timelines.clear()
    assert_fresh(client, held, api=["!Cacheevent"], widget=["!Cacheevent"], feed=["!Cacheevent"], timeline=["!Cacheevent"])


def test_reorder_citations(client, editor_api, story, commit):
    """Swapping two citations' order shows the new order."""
    _, first, second = story
    held = hold(client)
    with commit():
        assert editor_api.patch(f"/api/citations/{first.pk}/", {"ordinal": 3}, format="json").status_code == 200
    body = client.get(SURFACES["api"]).content.decode()
    assert body.index('"Russia and Iran"') < body.index('"signed a treaty"')
    assert_fresh(client, held)


def test_delete_citation(client, editor_api, story, commit):
    """Deleting a citation removes its quote."""
    _, _, second = story
    held = hold(client)
    with commit():
        assert editor_api.delete(f"/api/citations/{second.pk}/").status_code == 204
    assert_fresh(client, held, api=['!"Russia and Iran"'], widget=["!“Russia and Iran”"])


def test_edit_source_metadata(client, editor_api, story, commit):
    """A source retitled through the API is retitled wherever its citations name it."""
    held = hold(client)
    with commit():
        response = editor_api.patch("/api/sources/cache-source/", {"title": "Retitled Review"}, format="json")
    assert response.status_code == 200
    assert_fresh(client, held, **everywhere("Retitled Review"))


def test_reimport_of_a_changed_source(client, story, commit, tmp_path):
    """Re-importing an edited document (passages bulk-created) updates the quotes readers see."""
    event, _, _ = story
    path = tmp_path / "typo.txt"
    path.write_text(BAGHAI_FILE.read_text(encoding="utf-8").replace("supply Iran with", "suply Iran with"), encoding="utf-8")
    manifest = write_manifest(tmp_path, [{"file": "typo.txt", "slug": "cache-typo"}])
    import_sources(manifest=manifest)
    old_quote = "Russia agreed to suply Iran with its S-300 missile defense system."
    passage = next(passage for passage in Source.objects.get(slug="cache-typo").passages.all() if old_quote in passage.text)
    citation = Citation(event=event, passage=passage, quote=old_quote, ordinal=5)
    citation.full_clean()
    citation.save()
    held = hold(client)
    edit(path, "suply Iran with", "supply Iran with")
    with commit():
        import_sources(manifest=manifest)
    assert_fresh(client, held, api=["to supply Iran"], widget=["to supply Iran"])


def test_a_bulk_admin_action(client, admin_client_, story, commit):
    """The admin's "Delete selected" on several events moves the validators once for all."""
    event, _, _ = story
    other = EventFactory(slug="cache-other", title="Cacheother gone")
    other.actors.add(event.actors.get())
    held = hold(client)
    version = content_version()[0]
    with commit():
        response = admin_client_.post(
            "/admin/timeline/event/", {"action": "delete_selected", "_selected_action": [event.pk, other.pk], "post": "yes"}
        )
    assert response.status_code == 302 and not Event.objects.filter(slug__in=["cache-event", "cache-other"]).exists()
    assert content_version()[0] == version + 1
    client.logout()
    assert_fresh(client, held, **everywhere("!Cacheevent happened", "!Cacheother gone"))


def test_restore_a_backup(client, story, commit):
    """A backup restored (passages bulk-created, timestamps put back with update()) moves the validators."""
    data = timeline_export()
    for item in data["events"]:
        if item["slug"] == "cache-event":
            item["title"] = "Restoredevent title"
    held = hold(client)
    with commit():
        timeline_import(data=data, replace=True)
    assert_fresh(client, held, **everywhere("Restoredevent title"))


def test_a_refused_backup_moves_nothing(client, story, commit):
    """A backup refused (its slugs conflict) writes nothing, and the validators stay."""
    from timeline.backup import BackupError

    data = timeline_export()
    held = hold(client)
    with commit(), pytest.raises(BackupError):
        timeline_import(data=data)
    assert_current(client, held)


def test_publishing_through_the_service_moves_the_validators(client, story, commit):
    """The service layer itself (as commands call it), without the admin or the API."""
    event, _, _ = story
    event.status = Event.Status.DRAFT
    event.save()
    held = hold(client)
    with commit():
        event_publish(event=event)
    assert_fresh(client, held, **everywhere("Cacheevent happened"))


# History


def _last_change(event_pk):
    return Event.history.filter(id=event_pk).order_by("-history_date", "-history_id").first()


def test_unpublishing_with_the_admin_action_is_in_the_history(admin_client_, story):
    """The admin's "Unpublish" is recorded, with its reason and its author."""
    event, _, _ = story
    admin_client_.post("/admin/timeline/event/", {"action": "unpublish", "_selected_action": [event.pk]})
    record = _last_change(event.pk)
    assert (record.status, record.history_change_reason, record.history_user.username) == ("draft", "unpublished", "cache-admin")


def test_unpublishing_with_an_api_patch_is_in_the_history(editor_api, story):
    """PATCH status=draft is recorded as an unpublishing."""
    event, _, _ = story
    editor_api.patch("/api/events/cache-event/", {"status": "draft"}, format="json")
    record = _last_change(event.pk)
    assert (record.status, record.history_change_reason) == ("draft", "unpublished")


def test_deleting_and_reordering_are_in_the_history(editor_api, story):
    """A deleted event, and a citation moved in the order, leave their records."""
    event, first, _ = story
    editor_api.patch(f"/api/citations/{first.pk}/", {"ordinal": 3}, format="json")
    assert Citation.history.filter(id=first.pk).first().ordinal == 3
    editor_api.delete("/api/events/cache-event/")
    assert _last_change(event.pk).history_type == "-"
    assert Citation.history.filter(id=first.pk).first().history_type == "-"


# Reader pages, sitemap, oEmbed and exports


READER_PAGES = [
    "/",
    "/?actor=cache-actor&q=treaty",
    "/events/cache-event/",
    "/sources/",
    "/sources/cache-source/",
    "/sources/cache-source/p/3/",
    "/sitemap.xml",
    "/feed/",
    "/oembed?url=http://testserver/%3Factor%3Dcache-actor",
    "/api/events/?format=csv",
    "/api/events/cache-event/",
    "/api/actors/",
]


@pytest.mark.parametrize("url", READER_PAGES)
def test_every_surface_is_validated_and_moves_with_the_content(client, story, commit, url):
    """Each page answers its own ETag and Last-Modified with a 304, and a 200 once the content changed."""
    event, _, _ = story
    response = client.get(url)
    assert response.status_code == 200
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": last_modified})
    assert again.status_code == 304 and again["ETag"] == etag and "public" in again["Cache-Control"]
    with commit():
        event.annotation = "Edited."
        event.save()
    assert client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": last_modified}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_the_etag_varies_with_what_the_response_depends_on(client, admin_client_, story):
    """The URL, the format, htmx's headers and the reader each give their own ETag."""
    reader = APIClient()
    etags = {
        "page": reader.get("/")["ETag"],
        "filtered": reader.get("/?actor=cache-actor")["ETag"],
        "htmx results": reader.get("/", headers={"HX-Request": "true", "HX-Target": "div#results"})["ETag"],
        "htmx reader": reader.get("/", headers={"HX-Request": "true", "HX-Target": "main#reader"})["ETag"],
        "json": reader.get("/api/events/")["ETag"],
        "csv": reader.get("/api/events/?format=csv")["ETag"],
        "csv by Accept": reader.get("/api/events/", headers={"Accept": "text/csv"})["ETag"],
        "editor page": admin_client_.get("/")["ETag"],
        "editor json": admin_client_.get("/api/events/")["ETag"],
    }
    assert len(set(etags.values())) == len(etags), etags
    htmx = reader.get("/", headers={"HX-Request": "true", "HX-Target": "div#results", "If-None-Match": etags["page"]})
    assert htmx.status_code == 200  # the full page's ETag never answers for a fragment


def test_signed_in_readers_get_private_validated_pages(admin_client_, story):
    """A signed-in editor's pages are private (never in a shared cache), and still answered with 304s."""
    admin_client_.get("/")  # the first page sets the CSRF cookie its token (in the page) belongs to
    response = admin_client_.get("/events/cache-event/")
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    again = admin_client_.get("/events/cache-event/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and "private" in again["Cache-Control"]


def test_a_missing_page_gets_no_validators(client, story):
    """A 404 carries no ETag: nothing to revalidate."""
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404 and not response.has_header("ETag")

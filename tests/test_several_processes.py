"""
Three web processes behind nginx, as `docker compose up --scale web=3` runs them: one PostgreSQL, one
Redis (CACHE_URL), production settings with collected static files, and docker-compose.yml's own nginx
server block (tests/proxy.py). Docker itself does not run here; everything it would start does.

On SQLite the test is skipped: several processes there share one file on one disk, which is not the
deployment this checks. Without nginx or Redis it is skipped too, except in CI (CI=true), where
.ci/run installs them and a missing one is a failure.
"""

import csv
import http.cookiejar
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from sources.models import Passage, Source
from tests.proxy import BASE_DIR, answers, nginx_executable, nginx_start, nginx_upstreams, redis_start, stop
from tests.servers import free_port, suite_database_url
from timeline.models import Event

pytestmark = pytest.mark.django_db

PROCESSES = 3
EDITOR, PASSWORD = "several-processes-editor", "a long several-processes password 5512"
MARKER = "nginxroundrobin"  # a word only this test's event carries, so that the search finds it alone
EVENT_SLUG = "several-processes-event"
SOURCE_SLUG = "several-processes-document"
DOCUMENT = (
    "Several processes, one document.\n\n"
    "On 3 March 2021 the upload was kept by one web process and imported by another.\n\n"
    "Every process reads the same storage, so the editor never chooses the file twice.\n"
)


def _needed(program, found):
    if found:
        return
    message = f"{program} is not installed: `apt-get install nginx redis-server` (.ci/run installs both)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Site:
    """The proxy's address, each process's own address, and where nginx logs which process answered."""

    def __init__(self, url, backends, directory):
        self.url, self.backends, self.directory = url, backends, directory
        self.host = url.removeprefix("http://")

    def upstreams(self, *, prefix, count):
        """The first `count` requests nginx logged under `prefix`: (method, path, status, upstream)."""
        # nginx logs a request once it has finished with it, which may be a moment after the client read the reply.
        deadline = time.monotonic() + 10
        while True:
            logged = [entry for entry in nginx_upstreams(self.directory / "nginx") if entry[1].startswith(prefix)]
            if len(logged) >= count or time.monotonic() > deadline:
                return logged[:count]
            time.sleep(0.05)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip(
            "several web processes need a database server: on SQLite they would share one file on one disk, "
            "which is not what this checks. Run with DATABASE_URL=postgres://… (CI does)."
        )
    _needed("nginx", nginx_executable())
    _needed("redis-server", shutil.which("redis-server"))
    directory = tmp_path_factory.mktemp("several-processes")
    env = {
        **os.environ,
        # Production settings (hashed static files through whitenoise), not the suite's.
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
        "DATABASE_URL": suite_database_url(),
        "STATIC_ROOT": str(directory / "static"),
        # The shared volume of docker-compose: one directory every process reads and writes.
        "MEDIA_ROOT": str(directory / "media"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
    }
    # The API docs' assets (Swagger UI, ReDoc: 10 MB) take most of collectstatic's time and are not what this checks.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "-i", "drf_spectacular_sidecar", "-i", "rest_framework"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr[-3000:]
    redis, env["CACHE_URL"] = redis_start(port=free_port(), directory=directory)
    processes, backends = [], []
    try:
        for number in range(PROCESSES):
            port = free_port()
            with open(directory / f"gunicorn-{number}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "gunicorn", "timeline.wsgi:application"],
                        cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
                        env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers 1 --timeout 120"},
                    )
                )  # fmt: skip
            backends.append(f"http://127.0.0.1:{port}")
        proxy_port = free_port()
        processes.append(
            nginx_start(
                backend_ports=[url.rsplit(":", 1)[1] for url in backends], listen_port=proxy_port, directory=directory / "nginx"
            )
        )
        deadline = time.monotonic() + 60
        for url, process in zip([*backends, f"http://127.0.0.1:{proxy_port}"], processes, strict=True):
            while not answers(f"{url}/healthz"):
                if process.poll() is not None or time.monotonic() > deadline:
                    logs = "\n".join(path.read_text(errors="replace")[-1500:] for path in directory.rglob("*.log"))
                    pytest.fail(f"{url} did not start:\n{logs}")
                time.sleep(0.2)
        with django_db_blocker.unblock():
            call_command("createeditor", EDITOR, password=PASSWORD, interactive=False, stdout=io.StringIO())
        yield Site(f"http://127.0.0.1:{proxy_port}", backends, directory)
    finally:
        for process in reversed(processes):
            stop(process)
        stop(redis)
        with django_db_blocker.unblock():
            Event.objects.filter(slug=EVENT_SLUG).delete()
            Source.objects.filter(slug=SOURCE_SLUG).delete()
            get_user_model().objects.filter(username=EDITOR).delete()


class Browser:
    """Keeps cookies as a browser does and follows redirects; answers (status, headers, text, final URL) whatever the status."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, url, *, data=None, headers=None, method=None):
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode("utf-8"), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode("utf-8", "replace"), url

    def csrf_token(self):
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def form(self, url, fields, files=None):
        """POST a form as a browser does (multipart when it carries a file), with the CSRF token."""
        fields = {**fields, "csrfmiddlewaretoken": self.csrf_token()}
        if not files:
            data = urllib.parse.urlencode(fields, doseq=True).encode()
            return self.request(url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in fields.items()
        ]
        body = "".join(parts).encode()
        for name, (filename, content) in files.items():
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: text/plain\r\n\r\n"
                ).encode()
                + content
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        return self.request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def api(self, url, method, body):
        """A JSON write to the API with the session (and so the CSRF token), as the admin's scripts make one."""
        return self.request(
            url, method=method, data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf_token()},
        )  # fmt: skip


def signed_in(base):
    """An editor signed in through the admin's login form at `base`."""
    editor = Browser()
    status, _, _, _ = editor.request(f"{base}/admin/login/?next=/admin/")
    assert status == 200
    status, _, page, final_url = editor.form(
        f"{base}/admin/login/?next=/admin/", {"username": EDITOR, "password": PASSWORD, "next": "/admin/"}
    )
    assert status == 200 and final_url.endswith("/admin/") and "Log out" in page, page[:2000]
    return editor


def reader_get(url, etag=None, *, host=None):
    """
    An anonymous reader's GET (no cookies), revalidating `etag` when given. `host` sends the Host header
    nginx forwards, so that a process asked directly answers for the same URL (the ETag covers it).
    """
    headers = {"If-None-Match": etag} if etag else {}
    return Browser().request(url, headers={**headers, "Host": host} if host else headers)


def test_an_editors_session_holds_across_processes_and_every_process_serves_the_edit(site):
    """Sign-in through nginx spans processes; the event published there is seen by every process, and by none once unpublished."""
    editor = signed_in(site.url)
    login = site.upstreams(prefix="/admin/", count=3)
    assert len({upstream for *_, upstream in login}) == 3, f"login GET, POST and the admin page each on another process: {login}"

    status, _, body, _ = editor.api(
        f"{site.url}/api/events/",
        "POST",
        {"slug": EVENT_SLUG, "title": f"Proxied {MARKER} event", "date": "2021-03", "status": "draft"},
    )
    assert status == 201, body
    passage = Passage.objects.order_by("pk").first()
    quote = " ".join(passage.text.split()[:6])
    status, _, body, _ = editor.api(
        f"{site.url}/api/citations/", "POST", {"event": EVENT_SLUG, "passage": passage.pk, "quote": quote}
    )
    assert status == 201, body

    search = f"/?q={MARKER}"
    for backend in site.backends:
        assert reader_get(f"{backend}/events/{EVENT_SLUG}/")[0] == 404, "a draft is invisible to anonymous readers"
    status, headers, page, _ = reader_get(site.backends[0] + search, host=site.host)
    assert status == 200 and "Proxied" not in page
    draft_etag = headers["ETag"]

    # Publish through the admin's action, as an editor does: the changelist and its POST go through nginx.
    status, _, changelist, _ = editor.request(f"{site.url}/admin/timeline/event/?q={EVENT_SLUG}")
    event_pk = re.search(r'name="_selected_action" value="(\d+)"', changelist).group(1)
    status, _, page, _ = editor.form(
        f"{site.url}/admin/timeline/event/?q={EVENT_SLUG}", {"action": "publish", "_selected_action": event_pk, "index": "0"}
    )
    assert status == 200 and "1 event(s) published." in page

    published_etags = set()
    for backend in [*site.backends, site.url]:
        status, headers, page, _ = reader_get(backend + search, etag=draft_etag, host=site.host)
        assert status == 200 and f"Proxied {MARKER} event" in page, f"{backend} still serves the draft-time copy"
        published_etags.add(headers["ETag"])
        assert reader_get(f"{backend}/events/{EVENT_SLUG}/")[0] == 200
    assert len(published_etags) == 1, f"every process names the same content version: {published_etags}"
    published_etag = published_etags.pop()
    for backend in site.backends:
        assert reader_get(backend + search, etag=published_etag, host=site.host)[0] == 304, (
            f"{backend} revalidates another process's copy"
        )

    status, _, body, _ = editor.api(f"{site.url}/api/events/{EVENT_SLUG}/", "PATCH", {"status": "draft"})
    assert status == 200, body
    for backend in [*site.backends, site.url]:
        status, _, page, _ = reader_get(backend + search, etag=published_etag, host=site.host)
        assert status == 200 and "Proxied" not in page, f"{backend} still shows the unpublished event"
        assert reader_get(f"{backend}/events/{EVENT_SLUG}/")[0] == 404


def test_an_upload_kept_by_one_process_is_imported_by_another(site):
    """A file refused for a bad slug on one process is imported by the corrected form on another, and read on a third."""
    first, second, third = site.backends
    editor = signed_in(first)  # one session, whichever process it reaches: cookies do not depend on the port
    upload_url = "/admin/sources/source/upload/"
    status, _, page, _ = editor.form(
        first + upload_url,
        {"slug": "not a slug!", "title": "Several processes"},
        files={"file": ("processes.txt", DOCUMENT.encode())},
    )
    assert status == 200 and "errorlist" in page
    kept = re.search(r'name="kept_file" value="([^"]+)"', page).group(1)

    status, _, page, final_url = editor.form(
        second + upload_url, {"kept_file": kept, "slug": SOURCE_SLUG, "title": "Several processes"}
    )
    # Imported: the admin leads on to the document's candidate events, not back to the form.
    assert status == 200 and upload_url not in final_url and "errorlist" not in page, page[:3000]

    status, _, page, _ = reader_get(f"{third}/sources/{SOURCE_SLUG}/")
    assert status == 200 and "imported by another" in page


def test_a_streamed_export_through_nginx_arrives_whole(site):
    """The CSV export streams through nginx (no Content-Length, chunked) and holds every published event."""
    status, headers, body, _ = reader_get(f"{site.url}/api/events/?format=csv")
    assert status == 200 and headers.get("Content-Length") is None and headers["Transfer-Encoding"] == "chunked"
    rows = list(csv.DictReader(io.StringIO(body)))
    status, _, listing, _ = reader_get(f"{site.url}/api/events/?page_size=1")
    assert len(rows) == json.loads(listing)["count"] == Event.objects.published().count() > 0


def test_every_process_serves_hashed_static_files_for_a_year(site):
    """whitenoise in each process serves the collected, hashed stylesheet the page links to, cacheable for a year."""
    _, _, page, _ = reader_get(site.url + "/")
    stylesheet = re.search(r'href="(/static/citeline/citeline\.[0-9a-f]{12}\.css)"', page).group(1)
    for backend in [*site.backends, site.url]:
        status, headers, css, _ = reader_get(backend + stylesheet)
        max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
        assert status == 200 and css.strip() and max_age >= 365 * 24 * 3600, (backend, headers["Cache-Control"])


@pytest.fixture
def empty_database_url():
    """A new, empty PostgreSQL database beside the suite's (a fresh deployment's), dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("migrate takes turns through a PostgreSQL advisory lock; on SQLite one process migrates one file.")
    name = f"{connection.settings_dict['NAME']}_fresh"
    url = suite_database_url().rsplit("/", 1)[0] + f"/{name}"
    # CREATE DATABASE cannot run inside the test's transaction: a connection of its own, in autocommit.
    admin = connection.copy()
    admin.connect()
    admin.set_autocommit(True)
    with admin.cursor() as admin_cursor:
        admin_cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin_cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with admin.cursor() as admin_cursor:
            admin_cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_web_processes_starting_together_on_a_fresh_database_all_migrate(empty_database_url):
    """`docker compose up --scale web=3` on a new database: the three migrates take turns and all succeed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "timeline.settings", "DATABASE_URL": empty_database_url}
    migrations = [
        subprocess.Popen(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(PROCESSES)
    ]
    outputs = [migration.communicate(timeout=300)[0].decode(errors="replace") for migration in migrations]
    assert [migration.returncode for migration in migrations] == [0] * PROCESSES, "\n\n".join(o[-2000:] for o in outputs)
    assert sum("No migrations to apply." in output for output in outputs) == PROCESSES - 1

import functools
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client

from timeline.management.commands.demo import DEMO_MANIFEST, DEMO_TIMELINE
from timeline.services import timeline_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the demo corpus and timeline; each test runs in a transaction rolled back after it."""
    # pytest-django creates no test database when no collected test needs one: then there is nothing to fill,
    # and the connection still names the development database, which must never be written to.
    if "test" not in Path(str(connection.settings_dict["NAME"])).name:
        yield
        return
    with django_db_blocker.unblock():
        call_command("import_sources", manifest=str(DEMO_MANIFEST), verbosity=0, stdout=open("/dev/null", "w"))
        timeline_load(path=DEMO_TIMELINE)
    yield
    if connection.vendor == "postgresql":
        # Servers the tests started, and connections opened inside Playwright's greenlets, may still hold
        # sessions; PostgreSQL refuses to drop a database in use, so end them before it is dropped.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


class WholeResponseClient(Client):
    """
    The test client, reading streamed responses (exports) whole, so that tests can read `.content` and
    `.json()` as for any response; `.streamed` says it was streamed (tests/timeline/test_streaming.py
    checks the streaming itself with the plain client).
    """

    def request(self, **request):
        response = super().request(**request)
        if type(response) is not StreamingHttpResponse:  # files (static, whitenoise) stay as they are
            return response
        body = b"".join(response.streaming_content)
        whole = HttpResponse(body, status=response.status_code)
        for name, value in response.items():
            whole[name] = value
        whole.cookies = response.cookies
        for attribute in ("wsgi_request", "request", "client", "templates", "context", "resolver_match", "asgi_request"):
            if hasattr(response, attribute):
                setattr(whole, attribute, getattr(response, attribute))
        whole.json = functools.partial(self._parse_json, whole)
        whole.streamed = True
        return whole


@pytest.fixture
def client():
    return WholeResponseClient()

"""
The API against its own OpenAPI schema (/api/schema/), with schemathesis: generated requests, bounded
and seeded, through the WSGI app (no network). Anonymous readers read; an editor with a token writes.
Every answer must be no server error, documented, and shaped as documented.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.timeline.test_api import editor, make_user  # noqa: F401 (fixtures)
from timeline.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Bounded and repeatable: a fixed number of examples per operation, the same ones every run, no
# shrinking (a failure is reported as found) and no deadline (the machine is shared).
BOUNDED = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# Loaded when the module is collected: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
reads = schema.include(method="GET")
writes = schema.exclude(method="GET")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests through the bare WSGI app must not close the test's connection (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(editor):  # noqa: F811
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=editor).key


@reads.parametrize()
@BOUNDED
def test_anonymous_reads_conform_to_the_schema(case):
    """Every GET operation, as an anonymous reader."""
    case.call_and_validate(checks=CHECKS)


@writes.parametrize()
@BOUNDED
def test_editor_writes_conform_to_the_schema(case, editor_token):
    """Every write operation, as an editor with a token (sources: metadata only)."""
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)

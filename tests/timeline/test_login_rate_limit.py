"""Admin sign-in rate limiting (django-axes): a lockout after too many wrong passwords, lifted by staff."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.test_settings import BASE_DIR, production_environment

pytestmark = pytest.mark.django_db

PASSWORD = "the right password 4821"


@pytest.fixture
def editor():
    return User.objects.create_user("erin", password=PASSWORD, is_staff=True)


def sign_in(client, password, username="erin"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_out_with_a_message_until_reset(client, editor):
    """After AXES_FAILURE_LIMIT wrong passwords even the right one is refused, saying why; after axes_reset it works."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200  # the login form again, with its error
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    refused = sign_in(client, PASSWORD)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "Sign-in locked" in page and "Too many wrong passwords" in page and "<strong>erin</strong>" in page
    assert "axes_reset_username erin" in page and "administrator" in page

    call_command("axes_reset", verbosity=0)
    signed_in = sign_in(client, PASSWORD)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_lockout_is_per_user_name_and_a_success_clears_the_count(client, editor):
    """Another user name is not locked by erin's failures; a success before the limit starts the count again."""
    User.objects.create_user("omar", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302  # the success reset the count
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    assert sign_in(client, PASSWORD, username="omar").status_code == 302


def test_api_token_authentication_is_not_rate_limited(client, editor):
    """The API's token authentication takes no password: a lockout of the admin sign-in leaves it working."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    token = Token.objects.create(user=editor)
    response = client.get("/api/events/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_failure_limit_comes_from_the_environment():
    """AXES_FAILURE_LIMIT is read from the environment (5 by default)."""
    code = "import django; from django.conf import settings; django.setup(); print(settings.AXES_FAILURE_LIMIT)"
    env = {**production_environment(AXES_FAILURE_LIMIT="8"), "DJANGO_SETTINGS_MODULE": "timeline.settings"}
    assert (
        subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True).stdout.strip() == "8"
    )
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "timeline.settings"}
    assert (
        subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True).stdout.strip() == "5"
    )

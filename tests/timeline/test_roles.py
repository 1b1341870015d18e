"""Roles: `manage.py createeditor`, the Editors group's permissions, and who reaches the admin."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    call_command("createeditor", "erin", email="erin@example.org", password="a-long-pass-phrase", stdout=StringIO())
    user = User.objects.get(username="erin")
    client.force_login(user)
    return user


def test_createeditor_makes_a_staff_user_in_the_editors_group(editor):
    """The new user is staff (not superuser), in Editors, with the password given."""
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert editor.check_password("a-long-pass-phrase")
    assert editor.email == "erin@example.org"


def test_createeditor_without_input_reads_the_password_from_the_environment(monkeypatch):
    """--no-input takes CITELINE_EDITOR_PASSWORD, and refuses clearly without it."""
    with pytest.raises(CommandError, match="CITELINE_EDITOR_PASSWORD"):
        call_command("createeditor", "nopass", interactive=False, stdout=StringIO())
    monkeypatch.setenv("CITELINE_EDITOR_PASSWORD", "another-long-phrase")
    call_command("createeditor", "envuser", interactive=False, stdout=StringIO())
    assert User.objects.get(username="envuser").check_password("another-long-phrase")


def test_createeditor_refuses_a_weak_password():
    """The password validators apply."""
    with pytest.raises(CommandError, match="Password refused"):
        call_command("createeditor", "weak", password="123", stdout=StringIO())


def test_editors_group_has_the_editing_permissions_but_not_deleting_sources():
    """The data migration gave Editors view/add/change on the editing models and no delete on sources."""
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    for model in ("event", "citation", "actor", "theme", "period", "passage", "datemention", "source"):
        assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= codenames
    assert "delete_source" not in codenames


def test_an_editor_cannot_delete_a_source(client, editor):
    """The delete page of a source is forbidden to an editor, and the source stays."""
    source = Source.objects.get(slug="baghai-unlikely-alliance")
    response = client.post(reverse("admin:sources_source_delete", args=[source.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Source.objects.filter(pk=source.pk).exists()


def test_an_editor_reaches_events_and_candidates(client, editor):
    """Editors open the event list, the add form and the candidate events."""
    for name in (
        "admin:timeline_event_changelist",
        "admin:timeline_event_add",
        "admin:sources_datemention_candidates",
        "admin:sources_source_upload",
    ):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/timeline/event/",
        "/admin/sources/datemention/candidates/",
        "/admin/sources/source/upload/",
        "/admin/timeline/event/date-preview/?date=2015",
    ],
)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    """Every admin page and admin view redirects anonymous users to the login page."""
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

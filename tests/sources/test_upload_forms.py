"""Issue 12, forms that help: each dead end of the upload and the source form, closed."""

import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sources.admin import KEPT_UPLOAD_SALT
from sources.models import Source
from tests.factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = b"A short article\n\nOn 17 May 2023, the Rasht\xe2\x80\x93Astara railway agreement was signed in Tehran.\n"


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(username="uploader", superuser=True))
    return client


def upload(name="article.txt"):
    return SimpleUploadedFile(name, TEXT, content_type="text/plain")


def test_sources_add_is_the_upload(editor):
    """The admin home's “Sources + Add” opens the upload, not a form that makes a source without a text."""
    response = editor.get(reverse("admin:sources_source_add"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:sources_source_upload")


def test_issued_in_words_and_authors_one_per_line(editor):
    response = editor.post(
        reverse("admin:sources_source_upload"),
        {"file": upload(), "slug": "rasht-astara-article", "issued": "12 June 2024", "authors": "Jane Doe\nJohn Roe"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(slug="rasht-astara-article")
    assert (source.issued, source.authors) == ("2024-06-12", ["Jane Doe", "John Roe"])


def test_an_error_speaks_of_the_form_and_keeps_the_file(editor):
    """A wrong Issued date: the message is the date reader's, no manifest, and the file waits for the corrected form."""
    url = reverse("admin:sources_source_upload")
    refused = editor.post(url, {"file": upload(), "slug": "kept-article", "issued": "05/06/2023"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "5 June 2023 or 6 May 2023" in html and "manifest" not in html and "EDTF date (" not in html
    assert "“article.txt” is kept" in html
    token = refused.context["form"]["kept_file"].value()
    assert token
    retried = editor.post(url, {"kept_file": token, "slug": "kept-article", "issued": "5 June 2023"})
    assert retried.status_code == 302
    assert Source.objects.get(slug="kept-article").issued == "2023-06-05"


def test_a_forged_kept_file_token_is_refused_as_a_missing_file(editor):
    response = editor.post(reverse("admin:sources_source_upload"), {"kept_file": "forged", "slug": "x"})
    assert "Choose the document to upload" in response.content.decode()


def test_the_source_form_shows_authors_one_per_line_not_json(editor):
    source = SourceFactory(authors=["Ada Author", "Bo Writer"])
    html = editor.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert "Ada Author\nBo Writer" in html and "[&quot;Ada" not in html


def kept_files(media_root):
    folder = media_root / "kept-uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_kept_file_waits_in_the_shared_storage_and_goes_once_imported(editor, settings, tmp_path):
    """The kept file is in the media storage (any web process can read it), not on this process's disk; used, it is deleted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    url = reverse("admin:sources_source_upload")
    refused = editor.post(url, {"file": upload(), "slug": "shared-kept", "issued": "05/06/2023"})
    [name] = kept_files(settings.MEDIA_ROOT)
    assert (settings.MEDIA_ROOT / "kept-uploads" / name).read_bytes() == TEXT
    token = refused.context["form"]["kept_file"].value()
    assert editor.post(url, {"kept_file": token, "slug": "shared-kept", "issued": "2023"}).status_code == 302
    assert kept_files(settings.MEDIA_ROOT) == []


def test_kept_files_older_than_a_day_are_deleted_when_another_is_kept(editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = settings.MEDIA_ROOT / "kept-uploads"
    folder.mkdir(parents=True)
    now = int(time.time())
    old, recent = f"{now - 2 * 86400}-{'a' * 32}", f"{now - 3600}-{'b' * 32}"
    (folder / old).write_bytes(b"old")
    (folder / recent).write_bytes(b"recent")
    editor.post(reverse("admin:sources_source_upload"), {"file": upload(), "slug": "expiry", "issued": "05/06/2023"})
    names = kept_files(settings.MEDIA_ROOT)
    assert old not in names and recent in names and len(names) == 2


def test_a_signed_token_naming_a_path_outside_the_kept_files_is_refused(editor, settings, tmp_path):
    """Even a correctly signed token cannot name another file of the storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "secret.txt").write_bytes(TEXT)
    for key in ("../secret.txt", "secret.txt", f"1-{'c' * 31}/"):
        token = signing.dumps({"key": key, "name": "secret.txt"}, salt=KEPT_UPLOAD_SALT)
        response = editor.post(reverse("admin:sources_source_upload"), {"kept_file": token, "slug": "x"})
        assert "Choose the document to upload" in response.content.decode()

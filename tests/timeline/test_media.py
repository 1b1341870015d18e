"""Event media: an uploaded image (checked, resized, served from this site, hidden with drafts) or a link card; in backups."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import CitationFactory, EventFactory, TimelineFactory, UserFactory
from timeline.backup import timeline_export, timeline_import
from timeline.media import RENDITION_WIDTHS, event_media_image_set
from timeline.models import Event, EventMedia

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(width=2000, height=1000, fmt="PNG", color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="media-editor", superuser=True))
    return client


def _event_change(event, **media):
    """The admin's change form of `event`, with its media inline (one form) filled from `media`."""
    data = {
        "title": event.title, "slug": event.slug, "status": event.status, "date": event.date, "display_date": "",
        "annotation": event.annotation, "timelines": [timeline.pk for timeline in event.timelines.all()],
        "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "1", "media_item-INITIAL_FORMS": "0", "media_item-MIN_NUM_FORMS": "0", "media_item-MAX_NUM_FORMS": "1",
        "media_item-0-kind": "image", "media_item-0-alt": "", "media_item-0-url": "", "media_item-0-credit": "", "media_item-0-caption": "",
    }  # fmt: skip
    data.update({f"media_item-0-{name}": value for name, value in media.items()})
    return data


def _draft_event(slug):
    return EventFactory(slug=slug, status="draft")


def test_an_uploaded_image_is_resized_and_shown_with_srcset(editor_client, client):
    """The admin stores the upload, makes WebP copies at 480/960/1600 px, and the event page offers them with alt text."""
    event = _draft_event("media-image")
    upload = SimpleUploadedFile("photo.png", image_bytes(), content_type="image/png")
    response = editor_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        _event_change(event, upload=upload, alt="A red square", credit="Me"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    media = EventMedia.objects.get(event=event)
    assert [width for width, _, _ in media.renditions] == list(RENDITION_WIDTHS)
    assert media.renditions[0][1] == 240  # the aspect ratio is kept
    CitationFactory(event=event)
    Event.objects.filter(pk=event.pk).update(status="published")
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'alt="A red square"' in page and f"/media/events/{media.key}/480.webp 480w" in page and "Me" in page
    served = client.get(media.src)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (1600, 800)
    assert client.get(f"/media/events/{media.key}/original.png").status_code == 404  # the original is never served


def test_a_small_image_is_never_enlarged(db):
    media = event_media_image_set(media=EventMedia(event=EventFactory(), alt="tiny"), data=image_bytes(300, 200, "JPEG"))
    assert media.renditions == [[300, 200, f"events/{media.key}/300.webp"]]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"%PDF-1.4 not an image", "is not an image this site can read"),
        (image_bytes(fmt="BMP"), "is a BMP image; upload a JPEG, PNG, WebP or GIF image instead"),
        (image_bytes()[:200], "damaged image"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message(editor_client, upload, message):
    """Not an image, a format we do not take, a truncated file: the form says so and nothing is stored."""
    event = _draft_event("media-bad")
    response = editor_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        _event_change(event, upload=SimpleUploadedFile("bad.png", upload), alt="x"),
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not EventMedia.objects.filter(event=event).exists()


def test_a_too_large_file_and_a_decompression_bomb_are_refused(editor_client, settings):
    event = _draft_event("media-big")
    settings.CITELINE_MEDIA_MAX_BYTES = 1000
    response = editor_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        _event_change(event, upload=SimpleUploadedFile("big.png", image_bytes()), alt="x"),
    )
    assert "images may be at most" in response.content.decode()
    settings.CITELINE_MEDIA_MAX_BYTES = 10 * 1024 * 1024
    settings.CITELINE_MEDIA_MAX_PIXELS = 1_000_000
    # 2000 × 1000 pixels of one colour: a few kilobytes of PNG, two million pixels once decoded.
    response = editor_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        _event_change(event, upload=SimpleUploadedFile("bomb.png", image_bytes()), alt="x"),
    )
    assert "too large an image (2000 × 1000 pixels): at most 1 million pixels" in response.content.decode()
    assert not EventMedia.objects.filter(event=event).exists()


def test_alt_text_is_required_for_an_image(editor_client):
    event = _draft_event("media-alt")
    response = editor_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        _event_change(event, upload=SimpleUploadedFile("ok.png", image_bytes())),
    )
    assert response.status_code == 200 and "alt text is required" in response.content.decode()


def test_a_drafts_image_is_not_served_to_readers(client, django_user_model):
    """An image of a draft event, or of an event in a draft timeline, answers 404 to anonymous readers only."""
    hidden = EventFactory(slug="media-hidden", timelines=[TimelineFactory(slug="media-draft-tl", status="draft")])
    media = event_media_image_set(media=EventMedia(event=hidden, alt="hidden"), data=image_bytes(600, 400))
    assert client.get(media.src).status_code == 404
    client.force_login(django_user_model.objects.create_user("media-staff", is_staff=True))
    assert client.get(media.src).status_code == 200


def test_a_link_is_a_card_that_loads_nothing(client):
    """External media is a link with its host, credit and caption; no img, iframe or script points elsewhere."""
    event = CitationFactory(event=EventFactory(slug="media-link")).event
    EventMedia.objects.create(
        event=event, kind="link", url="https://video.example.org/watch?v=1", credit="AP", caption="The signing"
    )
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'href="https://video.example.org/watch?v=1"' in page and "video.example.org" in page and "The signing" in page
    assert 'src="https://video.example.org' not in page


def test_backups_carry_media_and_restore_the_image(media_root, tmp_path, settings):
    """A backup holds the image's original (base64) and the link; restored elsewhere, the copies are made again."""
    image_event = EventFactory(slug="media-backup-image")
    original = image_bytes(1000, 500, "JPEG")
    media = event_media_image_set(media=EventMedia(event=image_event, alt="Backed up", caption="Cap"), data=original)
    EventMedia.objects.create(event=EventFactory(slug="media-backup-link"), kind="link", url="https://example.org/v", credit="C")
    data = json.loads(json.dumps(timeline_export()))
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    timeline_import(data=data, replace=True)
    restored = EventMedia.objects.get(event__slug="media-backup-image")
    assert (restored.alt, restored.caption, restored.key, restored.renditions) == (
        "Backed up",
        "Cap",
        media.key,
        media.renditions,
    )
    assert (tmp_path / "elsewhere" / restored.image.name).read_bytes() == original
    assert (tmp_path / "elsewhere" / restored.renditions[-1][2]).exists()
    link = EventMedia.objects.get(event__slug="media-backup-link")
    assert (link.kind, link.url, link.credit) == ("link", "https://example.org/v", "C")

"""
Event media: checking an uploaded image, resizing it, storing it and serving it from this site.

An upload is refused with a message unless it is a JPEG, PNG, WebP or GIF image of at most
CITELINE_MEDIA_MAX_BYTES bytes and CITELINE_MEDIA_MAX_PIXELS pixels (checked from the header, before
any pixel is decoded: a decompression bomb never reaches memory). The original is kept as uploaded
(backups carry it) but never served; readers get WebP copies at RENDITION_WIDTHS (never wider than the
original), offered with srcset. Every file lives in the default storage (Django's storage API, under
MEDIA_ROOT by default) in a folder named by the hash of the upload's bytes, so a file's name never
changes its content.

Serving: whitenoise serves only what collectstatic gathered, so `media_file` streams media from the
storage itself, after checking that a reader may see the event (drafts stay invisible). Every web
process reads the same storage — a shared volume for MEDIA_ROOT, or an object storage backend in
STORAGES["default"] — so any number of processes can run behind a load balancer.
"""

import hashlib
import io
import mimetypes
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.views.decorators.http import require_safe
from PIL import Image, ImageOps, UnidentifiedImageError

from sources.storage import stored_file_record
from timeline.models import Event, EventMedia
from timeline.permissions import can_see_drafts

RENDITION_WIDTHS = (480, 960, 1600)
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
RENDITION_FORMAT, RENDITION_SUFFIX = "WEBP", "webp"


def image_size_check(size: int, *, name: str = "the file") -> None:
    max_bytes = settings.CITELINE_MEDIA_MAX_BYTES
    if size > max_bytes:
        raise ValidationError(
            "%(name)s is %(size)s MB; images may be at most %(max)s MB. Save it smaller (e.g. a JPEG at most 3000 pixels "
            "wide) and upload it again.",
            code="too_large",
            params={"name": name, "size": f"{size / 1048576:.1f}", "max": f"{max_bytes / 1048576:g}"},
        )


def image_check(data: bytes, *, name: str = "the file") -> Image.Image:
    """The image in `data`, opened but not decoded; a ValidationError naming the problem and the fix otherwise."""
    image_size_check(len(data), name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError) as exc:
        if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
            raise _too_many_pixels(name) from None
        raise ValidationError(
            "%(name)s is not an image this site can read. Upload a JPEG, PNG, WebP or GIF image.",
            code="not_an_image",
            params={"name": name},
        ) from None
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            "%(name)s is a %(format)s image; upload a JPEG, PNG, WebP or GIF image instead.",
            code="unsupported_format",
            params={"name": name, "format": image.format},
        )
    width, height = image.size
    if width * height > settings.CITELINE_MEDIA_MAX_PIXELS:
        raise _too_many_pixels(name, width, height)
    try:
        image.verify()  # reads the whole file: a truncated or corrupt image is refused here, not at resize
    except Exception:  # Pillow raises many kinds for a broken file
        raise ValidationError(
            "%(name)s is a damaged image (the file is cut short or corrupt). Export it again and upload the new file.",
            code="damaged_image",
            params={"name": name},
        ) from None
    return Image.open(io.BytesIO(data))  # verify() leaves the image unusable


def _too_many_pixels(name, width=None, height=None):
    size = f" ({width} × {height} pixels)" if width else ""
    return ValidationError(
        "%(name)s is too large an image%(size)s: at most %(max)s million pixels. Scale it down and upload it again.",
        code="too_many_pixels",
        params={"name": name, "size": size, "max": f"{settings.CITELINE_MEDIA_MAX_PIXELS / 1e6:g}"},
    )


def _renditions(image, key):
    """(width, height, name, bytes) of each WebP copy, narrowest first; none wider than the original."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    widths = [width for width in RENDITION_WIDTHS if width < image.width] + [min(image.width, RENDITION_WIDTHS[-1])]
    copies = []
    for width in sorted(set(widths)):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, RENDITION_FORMAT, quality=82, method=4)
        copies.append((width, height, f"events/{key}/{width}.{RENDITION_SUFFIX}", buffer.getvalue()))
    return copies


@transaction.atomic
def event_media_image_set(*, media: EventMedia, data: bytes, filename: str = "image") -> EventMedia:
    """
    Store `data` as the image of `media` (checked, resized, saved with the model): the service the
    admin, the backup restore and the tests call. A ValidationError says what is wrong with the file.
    """
    image = image_check(data, name=filename)
    key = hashlib.sha256(data).hexdigest()[:32]
    suffix = ACCEPTED_FORMATS[image.format]
    copies = _renditions(image, key)
    original = f"events/{key}/original.{suffix}"
    for name, content in [(original, data), *((name, content) for _, _, name, content in copies)]:
        if not default_storage.exists(name):  # same bytes, same names: a re-upload writes nothing
            # Deleted again if the enclosing import (a backup restore) is refused (sources.storage).
            stored_file_record(default_storage, default_storage.save(name, ContentFile(content)))
    media.kind = EventMedia.Kind.IMAGE
    media.image.name = original
    media.key, (media.width, media.height) = key, image.size
    media.renditions = [[width, height, name] for width, height, name, _ in copies]
    media.full_clean(exclude=["event"] if media.event_id is None else None)
    media.save()
    return media


def media_original_bytes(media: EventMedia) -> bytes:
    with default_storage.open(media.image.name, "rb") as file:
        return file.read()


MEDIA_MAX_AGE = 86400


@require_safe
def media_file(request, key, name):
    """A resized copy of an event's image, streamed from the storage; 404 for a draft's image unless an editor asks."""
    media = EventMedia.objects.filter(key=key, kind=EventMedia.Kind.IMAGE).only("event_id", "renditions").first()
    path = f"events/{key}/{name}"
    if media is None or path not in {rendition[2] for rendition in media.renditions}:
        raise Http404("No such image.")
    editor = can_see_drafts(request.user)
    if not editor and not Event.objects.published().filter(pk=media.event_id).exists():
        raise Http404("No such image.")
    etag = f'"{key}-{name}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        try:
            file = default_storage.open(path, "rb")
        except FileNotFoundError:
            raise Http404("The image file is missing from the media storage.") from None
        response = FileResponse(file, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response["ETag"] = etag
    # A file's name never changes its content; only its visibility can change, so caches check back daily.
    response["Cache-Control"] = "private, no-cache" if editor else f"public, max-age={MEDIA_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response

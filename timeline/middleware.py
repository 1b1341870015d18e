"""
Citeline's HTTP policy: who may frame its pages, who may read its API from another origin, and
how long caches may keep what it serves.

Framing: every page refuses to be framed (X-Frame-Options: DENY and django-csp's `frame-ancestors
'none'`, both set in settings), except the embed views, which are marked with @xframe_options_exempt
and replace the directive with `frame-ancestors *`.

CORS: the read API (`/api/…`, exports included) and `/oembed` answer GET, HEAD and OPTIONS from any
origin with `Access-Control-Allow-Origin: *` and nothing else (django-cors-headers, configured by the
CORS_* settings). The wildcard matters: browsers never let a page read, with the visitor's cookies, a
response answered with `*`, so another site can read what anonymous visitors may read, but never an
editor's drafts through the editor's session. Writes are not offered to other origins at all (no
preflight allows POST, PUT, PATCH or DELETE, and their responses carry no CORS header). Responses
that may carry CORS headers send `Vary: Origin`, so that a shared cache keeps them apart.
"""

import datetime
import hashlib
from functools import wraps

from corsheaders.middleware import CorsMiddleware
from django.db import connection
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """django-cors-headers (settings.CORS_*), for reads only: a write gets no CORS header at all."""

    def is_enabled(self, request):
        return request.method in ("GET", "HEAD", "OPTIONS") and super().is_enabled(request)


# Shared caches (a CDN) may keep public responses this long, and serve them stale while refreshing.
PUBLIC_MAX_AGE = 300
STALE_WHILE_REVALIDATE = 600
# Bump when what the views render changes for the same data, so that no 304 answers with old markup.
RENDERING_VERSION = "1"


def _as_datetime(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value))  # SQLite hands back text; it holds UTC
    return parsed.replace(tzinfo=datetime.UTC) if parsed and parsed.tzinfo is None else parsed


def content_state():
    """
    (fingerprint, last_modified) of the published data, in one cheap query: the latest change and the
    number of rows of every table a reader sees. Counts catch deletions, which leave no updated_at.
    """
    from sources.models import Passage, Source
    from timeline.models import Actor, Citation, Event, Period, Theme

    dated, counted = (Event, Citation, Source), (Actor, Theme, Period, Passage)
    quote = connection.ops.quote_name
    columns = [f"(SELECT MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)})" for model in dated]
    columns += [f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in dated + counted]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    changes = [_as_datetime(value) for value in row[: len(dated)]]
    last_modified = max((change for change in changes if change is not None), default=None)
    fingerprint = "|".join([RENDERING_VERSION, *(str(change) for change in changes), *map(str, row[len(dated) :])])
    return fingerprint, last_modified


def cache_validators(request, *, variant=""):
    """ETag and Last-Modified for `request` (its URL and `variant`: format, reader's rights) against the data."""
    fingerprint, last_modified = content_state()
    digest = hashlib.sha256(f"{fingerprint}|{request.get_full_path()}|{variant}".encode()).hexdigest()[:32]
    return f'"{digest}"', last_modified


def not_modified(request, *, etag, last_modified):
    """A 304 response when the client's copy is current, else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    return get_conditional_response(request, etag=etag, last_modified=last_modified and int(last_modified.timestamp()))


def cache_headers(response, *, etag, last_modified, private=False):
    """Validators, and Cache-Control: public and short for everyone, private for signed-in editors."""
    if etag:
        response.headers.setdefault("ETag", etag)
    if last_modified:
        response.headers.setdefault("Last-Modified", http_date(last_modified.timestamp()))
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE, stale_while_revalidate=STALE_WHILE_REVALIDATE)
    return response


# Reader pages are rendered per request (no validators: they would cost the query budget the pages
# are held to), so shared caches keep them only briefly.
READER_MAX_AGE = 60


def public_for_readers(view):
    """
    Reader pages: cacheable by browsers and CDNs for anonymous readers (who never see drafts and get
    no cookie), private for signed-in editors.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.has_header("Cache-Control"):
            return response
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=READER_MAX_AGE, stale_while_revalidate=STALE_WHILE_REVALIDATE)
        return response

    return wrapped

"""
HTTP caching: the validators (ETag, Last-Modified) that say whether a client's copy of the data is
current, and the Cache-Control that lets browsers and CDNs keep public responses briefly.
"""

import datetime
import hashlib
from functools import wraps

from django.db import connection
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from sources.models import Passage, Source
from timeline.models import Actor, Citation, Event, Period, Theme

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

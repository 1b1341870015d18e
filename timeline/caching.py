"""
HTTP caching: the validators (ETag, Last-Modified) that say whether a client's copy of the data is
current, and the Cache-Control that lets browsers and CDNs keep public responses briefly.

The validators come from one number, the content version (timeline.models.ContentVersion), read
by primary key: one cheap query whatever the size of the timeline. Every committed write to what
readers see moves it (content_changed, called by timeline.receivers), after the commit: a
rolled-back write never moves it, and a reader never gets a new ETag for data not yet visible. Its
changed_at moves by at least a second each time, so Last-Modified (whole seconds) moves too.
Responses read the version before the data: a response may hold data newer than its ETag (then the
next request fetches it again), never older.
"""

import datetime
import functools
import hashlib

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import F, Value
from django.db.models.fields import DateTimeField
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from timeline.models import ContentVersion
from timeline.permissions import can_see_drafts

# Shared caches (a CDN) may keep public responses this long, and serve them stale while refreshing.
PUBLIC_MAX_AGE = 300
STALE_WHILE_REVALIDATE = 600
# Bump when what the views render changes for the same data, so that no 304 answers with old markup.
RENDERING_VERSION = "2"
# Last-Modified counts whole seconds: each change moves changed_at by at least this much.
LAST_MODIFIED_STEP = datetime.timedelta(seconds=1)


# --- The content version -----------------------------------------------------------------------------


def content_version(*, using=DEFAULT_DB_ALIAS):
    """(version, changed_at) of the content: one row, read by primary key. (0, None) before any exists."""
    row = ContentVersion.objects.using(using).filter(pk=ContentVersion.SINGLETON_PK).values_list("version", "changed_at")
    return row.first() or (0, None)


def content_version_bump(using=DEFAULT_DB_ALIAS):
    """Move the content version now, in one atomic UPDATE (concurrent bumps never lose one)."""
    now = timezone.now()
    moved = (
        ContentVersion.objects.using(using)
        .filter(pk=ContentVersion.SINGLETON_PK)
        .update(
            version=F("version") + 1,
            changed_at=Greatest(Value(now, output_field=DateTimeField()), F("changed_at") + LAST_MODIFIED_STEP),
        )
    )
    if not moved:  # the migration's row is gone (a flushed test database): start again
        ContentVersion.objects.using(using).get_or_create(
            pk=ContentVersion.SINGLETON_PK, defaults={"version": 1, "changed_at": now}
        )


class _PendingBump:
    """
    The bump a transaction owes. Each write registers it on commit (so a savepoint rolled back takes
    only its own writes' registrations with it); the first to run moves the version, the rest do
    nothing: one move per transaction, however many rows it wrote.
    """

    def __init__(self, using):
        self.using, self.done = using, False

    def __call__(self):
        if not self.done:
            self.done = True
            content_version_bump(self.using)


def content_changed(*, using=None):
    """Content readers see was written: the content version moves when the transaction commits (at once outside one)."""
    using = using or DEFAULT_DB_ALIAS
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        content_version_bump(using)
        return
    # One pending bump per connection until it runs; a rolled-back transaction leaves it pending for the next.
    pending = getattr(connection, "citeline_pending_bump", None)
    if pending is None or pending.done:
        pending = connection.citeline_pending_bump = _PendingBump(using)
    transaction.on_commit(pending, using=using, robust=True)


# --- Values cached under the content version --------------------------------------------------------

# A safety net only: a new content version makes every older entry unreachable at once.
CACHED_TIMEOUT = 24 * 3600


def cached_by_version(key, compute, *, timeout=CACHED_TIMEOUT):
    """
    compute(), remembered under the current content version: an editorial write moves the version, so
    the next reader computes afresh (exact and fresh, never older than the version read). The version
    is read before computing, so a value stored under it is at least as new as it. Inside a
    transaction (a test, a management command) nothing is cached: its own writes have not moved the
    committed version yet.
    """
    if connection.in_atomic_block:
        return compute()
    version, changed_at = content_version()
    # changed_at too: a database emptied and filled again restarts its version numbers, never its times.
    stamp = changed_at.timestamp() if changed_at else 0
    full_key = f"v{RENDERING_VERSION}:{version}:{stamp}:" + hashlib.sha256(key.encode()).hexdigest()
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


def version_key(name, *, path, params, drafts=False, drop=()):
    """
    The one key builder for values cached under the content version: what is counted (`name`), where
    (`path`: the timeline a page names, the API resource), the query parameters it depends on (a
    QueryDict or a dict of lists; those in `drop` change a page but not the value) and whether drafts
    are counted. Parameters are sorted, so the same filters in another order share one entry.
    """
    lists = params.lists() if hasattr(params, "lists") else params.items()
    items = sorted((key, value) for key, values in lists if key not in drop for value in values)
    return f"{name}|{path}|{bool(drafts)}|{items!r}"


# --- Validators --------------------------------------------------------------------------------------


def cache_validators(request, *, variant=""):
    """
    ETag and Last-Modified for `request` against the content version. The ETag also depends on the
    absolute URL and on `variant`: whatever else the response depends on (format, the reader's
    rights, htmx's headers).
    """
    version, changed_at = content_version()
    # changed_at too: a database emptied and filled again restarts its version numbers, never its times
    # (rendered pages are cached under this ETag).
    key = f"{RENDERING_VERSION}|{version}|{changed_at and changed_at.timestamp()}|{request.build_absolute_uri()}|{variant}"
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', changed_at


def not_modified(request, *, etag, last_modified):
    """A 304 response when the client's copy is current, else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    return get_conditional_response(request, etag=etag, last_modified=last_modified and int(last_modified.timestamp()))


def cache_headers(response, *, etag, last_modified, private=False, max_age=PUBLIC_MAX_AGE):
    """
    Validators, and Cache-Control: public and short for everyone, private for signed-in editors.
    Ours replace any a view set itself (the feed's and the sitemap's are their newest item's date,
    which a deletion or an unpublished event does not move).
    """
    if etag:
        response.headers["ETag"] = etag
    if last_modified:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    if response.has_header("Cache-Control"):  # the view decided
        return response
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age, stale_while_revalidate=STALE_WHILE_REVALIDATE)
    return response


def drafts_never_stored(response):
    """A response that shows drafts: for the editor who asked, never kept by a browser's or a shared cache."""
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    return response


# --- Reader pages, feed and sitemap ----------------------------------------------------------------

# Shared caches keep reader pages briefly; the validators make revalidating them cheap.
READER_MAX_AGE = 60
# The request headers the reader pages render differently for (they send `Vary` on them).
READER_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def reader_variant(request):
    """
    What a reader page depends on besides its URL: htmx's headers, and who reads it. A signed-in
    user's page carries their CSRF token (base.html), so their ETag changes with it.
    """
    parts = [f"{name}={request.headers.get(name, '')}" for name in READER_HEADERS]
    user = request.user
    if user.is_authenticated:
        csrf = hashlib.sha256(request.META.get("CSRF_COOKIE", "").encode()).hexdigest()[:16]
        parts.append(f"user={user.pk}|editor={can_see_drafts(user)}|csrf={csrf}")
    return "|".join(parts)


# Rendered pages are kept this long at most; a new content version makes them unreachable at once.
RENDERED_TIMEOUT = 3600


def rendered_get(etag):
    """The response kept under `etag` by rendered_keep, or None (nothing is kept inside a transaction: tests, commands)."""
    if connection.in_atomic_block:
        return None
    cached = cache.get(f"page:{etag}")
    if cached is None:
        return None
    response = HttpResponse(cached["content"])
    for name, value in cached["headers"]:
        response[name] = value
    return response


def rendered_keep(etag, response):
    """
    Keep a rendered 200 under `etag` (content version, URL and variant) for every web process
    (CACHE_URL). Streams, responses that set a cookie and anything but a 200 are never kept; neither
    is anything rendered inside a transaction (its writes have not moved the committed version).
    """
    if connection.in_atomic_block:
        return response
    if getattr(response, "is_rendered", True) is False:  # a TemplateResponse (the sitemap's, DRF's): render it now
        response.render()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        cache.set(f"page:{etag}", {"content": response.content, "headers": list(response.items())}, RENDERED_TIMEOUT)
    return response


def rendered_once(request, etag, render, *, anonymous_only=True):
    """
    An anonymous reader's page, rendered once per ETag and then served from the cache: an edit moves
    the version, hence the ETag, so no reader gets a page older than the version read before it.
    Signed-in users' pages (their CSRF token) are rendered every time, unless the response does not
    depend on the user at all (`anonymous_only=False`: the widget, which never reads the session).
    """
    if anonymous_only and request.user.is_authenticated:
        return render()
    cached = rendered_get(etag)
    return cached if cached is not None else rendered_keep(etag, render())


def public_for_readers(view):
    """
    Reader pages, the feed and the sitemap: validated by the content version (a current client gets
    a 304 before any other query), cacheable by browsers and CDNs for anonymous readers (who never
    see drafts and get no cookie), private for signed-in editors.

    Django's condition() would call the version twice (one function per validator) and keep the
    Last-Modified that the feed and sitemap views set themselves, so this uses its building block,
    get_conditional_response, and writes our validators over theirs.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        etag, last_modified = cache_validators(request, variant=reader_variant(request))
        response = not_modified(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = rendered_once(request, etag, lambda: view(request, *args, **kwargs))
            if response.status_code != 200:
                return response
        private = request.user.is_authenticated
        return cache_headers(response, etag=etag, last_modified=last_modified, private=private, max_age=READER_MAX_AGE)

    return wrapped

"""
Citeline's HTTP policy: who may frame its pages and who may read its API from another origin.
How long caches may keep what it serves is timeline.caching.

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

from corsheaders.middleware import CorsMiddleware


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """django-cors-headers (settings.CORS_*), for reads only: a write gets no CORS header at all."""

    def is_enabled(self, request):
        return request.method in ("GET", "HEAD", "OPTIONS") and super().is_enabled(request)

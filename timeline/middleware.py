"""
Citeline's HTTP policy: who may frame its pages and who may read its API from another origin.
How long caches may keep what it serves is timeline.caching.

Framing: every page refuses to be framed (X-Frame-Options: DENY, set globally, and the CSP
`frame-ancestors 'none'` added here), except the embed views, which are marked with
@xframe_options_exempt and send their own `frame-ancestors *`.

CORS: the read API (`/api/…`, exports included) and `/oembed` answer GET, HEAD and OPTIONS from any
origin with `Access-Control-Allow-Origin: *` and nothing else. The wildcard matters: browsers never
send cookies on a request answered with `*`, so another site can read what anonymous visitors
may read, but never an editor's drafts through the editor's session. Writes are not offered to
other origins at all (no preflight allows POST, PUT, PATCH or DELETE). A dozen lines do this;
django-cors-headers would add a dependency and settings for a policy that never varies.
"""

import re

from django.http import HttpResponse

CORS_PATH_RE = re.compile(r"^/(api/|oembed$)")
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_REQUEST_HEADERS = "Accept, Accept-Language, Authorization, If-None-Match, If-Modified-Since"
CORS_EXPOSED_HEADERS = "Content-Disposition, ETag, Last-Modified, Link"
CORS_MAX_AGE = "86400"


class FramePolicyMiddleware:
    """Add `Content-Security-Policy: frame-ancestors 'none'` to every response not exempt from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "xframe_options_exempt", False):
            return response
        policy = response.headers.get("Content-Security-Policy", "")
        if "frame-ancestors" not in policy:
            response.headers["Content-Security-Policy"] = "; ".join(
                part for part in (policy.strip().rstrip(";"), "frame-ancestors 'none'") if part
            )
        return response


class ReadOnlyCorsMiddleware:
    """Let any origin read the API and oEmbed (GET, HEAD, OPTIONS), without credentials."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        applies = bool(CORS_PATH_RE.match(request.path_info)) and "origin" in request.headers
        if applies and request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            response = HttpResponse(status=204)  # a preflight: answered here, the view never sees it
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        else:
            response = self.get_response(request)
        if applies and request.method in ("GET", "HEAD", "OPTIONS"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response

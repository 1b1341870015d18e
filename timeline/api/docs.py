"""
The API's documentation pages, Swagger UI and ReDoc, served from drf-spectacular-sidecar's static files
and fit for the site's Content-Security-Policy: no inline script or style (see templates/api/).
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class DocsPageOptionsMixin:
    """
    OPTIONS names the allowed methods. DRF's default answer renders the metadata through the page's HTML
    template, which for Swagger UI fails (a 500) and for ReDoc renders a page for nothing.
    """

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=200, headers={"Allow": ", ".join(self.allowed_methods)})


# Swagger UI's style sheet draws its icons as data: images.
@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class SwaggerView(DocsPageOptionsMixin, SpectacularSwaggerSplitView):
    """Swagger UI. Its start-up script comes from a second request (`?script`), not an inline <script>."""

    template_name = "api/swagger_ui.html"


# The one page that needs more than the site's policy (settings.CONTENT_SECURITY_POLICY). ReDoc styles
# itself with styled-components, which writes <style> elements as it renders: they carry the request's
# nonce, which ReDoc is given. Two more are written as the bundle loads, before it can know the nonce:
# perfect-scrollbar's rules and an empty one, allowed by their hashes (a sidecar upgrade that changes
# them shows up in tests/e2e/test_security.py with the new hash). Its icons are data: images, and its
# search runs in a worker made from a blob: URL.
REDOC_STYLE_HASHES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
]


@method_decorator(
    csp_update({"style-src": [NONCE, *REDOC_STYLE_HASHES], "img-src": ["data:"], "worker-src": ["blob:"]}), name="dispatch"
)
class RedocView(DocsPageOptionsMixin, SpectacularRedocView):
    """ReDoc, without drf-spectacular's Google Fonts and inline style and script."""

    template_name = "api/redoc.html"

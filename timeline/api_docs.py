"""
The API's documentation pages, Swagger UI and ReDoc, served from drf-spectacular-sidecar's static files
and fit for the site's Content-Security-Policy: no inline script or style (see templates/api/).
"""

from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class DocsPageOptionsMixin:
    """
    OPTIONS names the allowed methods. DRF's default answer renders the metadata through the page's HTML
    template, which for Swagger UI fails (a 500) and for ReDoc renders a page for nothing.
    """

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=200, headers={"Allow": ", ".join(self.allowed_methods)})


class SwaggerView(DocsPageOptionsMixin, SpectacularSwaggerSplitView):
    """Swagger UI. Its start-up script comes from a second request (`?script`), not an inline <script>."""

    template_name = "api/swagger_ui.html"


class RedocView(DocsPageOptionsMixin, SpectacularRedocView):
    """ReDoc, without drf-spectacular's Google Fonts and inline style."""

    template_name = "api/redoc.html"

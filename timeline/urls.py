"""The site's URLs: reader pages, API, widget, feed, sitemap and admin."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from timeline import embed, views
from timeline.caching import public_for_readers
from timeline.feeds import EventFeed
from timeline.sitemaps import sitemaps

timeline_patterns = [
    path("", views.timeline_index, name="index"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("sources/<slug:slug>/p/<int:ordinal>/", views.passage_detail, name="passage_detail"),
    # Feed and sitemap views answer any method; readers only ever need GET and HEAD.
    path("feed/", require_safe(public_for_readers(EventFeed())), name="feed"),
]

urlpatterns = [
    path("", include((timeline_patterns, "timeline"))),
    path("healthz", views.healthz, name="healthz"),
    path("api/", include(("timeline.api.urls", "api"))),
    path("embed/timeline/", embed.embed_timeline, name="embed_timeline"),
    path("embed.js", embed.embed_script, name="embed_script"),
    path("oembed", embed.oembed, name="oembed"),
    path(
        "sitemap.xml",
        require_safe(public_for_readers(sitemap)),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request

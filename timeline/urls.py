"""The site's URLs: reader pages, API, widget, feed, sitemap and admin."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from timeline import embed, media, views
from timeline.caching import public_for_readers
from timeline.feeds import EventFeed
from timeline.sitemaps import sitemaps

timeline_patterns = [
    path("", views.timeline_index, name="index"),
    path("timelines/", views.timeline_list, name="timeline_list"),
    path("timelines/<slug:slug>/", views.timeline_index, name="timeline_detail"),
    path("timelines/<slug:slug>/feed/", require_safe(public_for_readers(EventFeed())), name="timeline_feed"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("facets/<str:kind>/", views.facet_options, name="facet_options"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("sources/<slug:slug>/archive/v<int:number>.warc.gz", views.source_archive, name="source_archive"),
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
    path("media/events/<slug:key>/<str:name>", media.media_file, name="media_file"),
    # An index of sitemap files, each of at most 50,000 URLs (the sitemap protocol's limit; Sitemap.limit),
    # so that a timeline of any size is listed in full: /sitemap-events.xml?p=2 and so on.
    path(
        "sitemap.xml",
        require_safe(public_for_readers(sitemap_views.index)),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(public_for_readers(sitemap_views.sitemap)),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request

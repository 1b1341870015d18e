"""The sitemap of the public pages: the timelines (published ones), published events and sources."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sources.models import Source
from timeline.models import Event, Timeline


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["timeline:index", "timeline:timeline_list", "timeline:source_list"]

    def location(self, name):
        return reverse(name)


class TimelineSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Timeline.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, timeline):
        return timeline.updated_at


class EventSitemap(Sitemap):
    changefreq = "monthly"
    limit = 50_000  # the sitemap protocol's maximum per file; the index at /sitemap.xml lists the files

    def items(self):
        return Event.objects.published().only("slug", "updated_at").order_by("date_lower", "pk")

    def lastmod(self, event):
        return event.updated_at


class SourceSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return Source.objects.only("slug", "updated_at").order_by("slug")

    def lastmod(self, source):
        return source.updated_at


sitemaps = {"pages": StaticSitemap, "timelines": TimelineSitemap, "events": EventSitemap, "sources": SourceSitemap}

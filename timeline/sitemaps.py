"""The sitemap of the public pages: the timeline, published events and sources."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sources.models import Source
from timeline.models import Event


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["timeline:index", "timeline:source_list"]

    def location(self, name):
        return reverse(name)


class EventSitemap(Sitemap):
    changefreq = "monthly"

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


sitemaps = {"pages": StaticSitemap, "events": EventSitemap, "sources": SourceSitemap}

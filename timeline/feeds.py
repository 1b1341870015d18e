"""The Atom feed of published events, filtered by the same EventFilter as the timeline page."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from timeline.filters import EventFilter
from timeline.markdown import markdown_html
from timeline.models import Event

FEED_SIZE = 50


class EventFeed(Feed):
    """/feed/?actor=iran&theme=nuclear: the latest published events that the timeline shows for those filters."""

    feed_type = Atom1Feed
    title = "Citeline: timeline events"
    subtitle = "Published events of the timeline, newest first; each cites its evidence."

    def get_object(self, request):
        # The filters are the feed's "object": the same URL parameters as the timeline page.
        return EventFilter(request.GET, queryset=Event.objects.published())

    def link(self, filterset):
        query = filterset.data.urlencode() if filterset.data else ""
        return reverse("timeline:index") + (f"?{query}" if query else "")

    def items(self, filterset):
        events = Event.objects.filter(pk__in=filterset.qs.values("pk")).order_by("-published_at", "-pk")
        return events.for_reader()[:FEED_SIZE]

    def item_title(self, event):
        return f"{event.date_display}: {event.title}"

    def item_description(self, event):
        sources = ", ".join(dict.fromkeys(citation.passage.source.title for citation in event.citations.all()))
        return str(markdown_html(event.annotation)) + (str(format_html("<p>Evidence from: {}</p>", sources)) if sources else "")

    def item_pubdate(self, event):
        return event.published_at or event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [actor.name for actor in event.actors.all()] + [theme.name for theme in event.themes.all()]

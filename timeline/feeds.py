"""The Atom feed of published events, filtered by the same EventFilter as the timeline page."""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from timeline.filters import EventFilter
from timeline.markdown import markdown_html
from timeline.models import Event, Timeline
from timeline.sharing import timeline_filter_query

FEED_SIZE = 50


class EventFeed(Feed):
    """
    /feed/?actor=iran&theme=nuclear: the latest published events that the timeline shows for those
    filters, of every timeline unless `timeline=<slug>` names one; /timelines/<slug>/feed/ is that
    timeline's feed. An unknown or draft timeline is a 404, never the events of every timeline.
    """

    feed_type = Atom1Feed
    site_title = "Citeline: timeline events"
    subtitle = "Published events of the timeline, newest first; each cites its evidence."

    def get_object(self, request, slug=None):
        # The filters are the feed's "object": the same URL parameters as the timeline page.
        query = request.GET
        if slug is not None:
            timeline = Timeline.objects.published().filter(slug=slug).first()
            if timeline is None:
                raise Http404(f"There is no published timeline “{slug}”; /timelines/ lists them.")
            query = timeline_filter_query(query, timeline)
        filterset = EventFilter(query, queryset=Event.objects.published())
        if "timeline" in filterset.errors:
            raise Http404(" ".join(filterset.errors["timeline"]))
        return filterset

    def _timeline(self, filterset):
        return (filterset.form.cleaned_data if filterset.is_bound else {}).get("timeline")

    def title(self, filterset):
        timeline = self._timeline(filterset)
        return f"{timeline.title}: events" if timeline else self.site_title

    def link(self, filterset):
        timeline = self._timeline(filterset)
        if timeline is None:
            query = filterset.data.urlencode() if filterset.data else ""
            return reverse("timeline:index") + (f"?{query}" if query else "")
        query = filterset.data.copy()
        query.pop("timeline", None)
        query = query.urlencode()
        return timeline.get_absolute_url() + (f"?{query}" if query else "")

    def items(self, filterset):
        # EXISTS rather than IN: the newest events are a short walk of event_published_at_idx.
        matching = filterset.qs.filter(pk=OuterRef("pk"))
        events = Event.objects.filter(Exists(matching)).order_by("-published_at", "-pk")
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

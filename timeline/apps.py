"""The timeline app: events, citations and everything readers see; it builds on the sources app."""

from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        # Connects the receivers of the sources layer's signals (re-anchoring on re-import), and those
        # that move the HTTP validators on every write to what readers see, and those that keep the tallies.
        from timeline import receivers

        receivers.content_receivers_connect()
        receivers.tallies_receivers_connect()

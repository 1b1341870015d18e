"""The timeline app: events, citations and everything readers see; it builds on the sources app."""

from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        # Connects the receivers of the sources layer's signals (re-anchoring on re-import).
        from timeline import receivers  # noqa: F401

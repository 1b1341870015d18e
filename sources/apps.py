"""The sources app: documents, passages and the dates found in them; the lower layer."""

from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

"""URLs of the REST API (/api/) and of its OpenAPI schema and documentation, served offline."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from timeline.api import views as api
from timeline.api.docs import RedocView, SwaggerView

router = DefaultRouter()
router.register("timelines", api.TimelineViewSet, basename="timeline")
router.register("events", api.EventViewSet, basename="event")
router.register("citations", api.CitationViewSet, basename="citation")
router.register("sources", api.SourceViewSet, basename="source")
router.register("actors", api.ActorViewSet, basename="actor")
router.register("themes", api.ThemeViewSet, basename="theme")
router.register("periods", api.PeriodViewSet, basename="period")

urlpatterns = [
    path("token/", api.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]

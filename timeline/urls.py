from django.contrib import admin
from django.urls import include, path

from timeline import views


timeline_patterns = [
    path("", views.timeline_index, name="index"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
]

urlpatterns = [
    path("", include((timeline_patterns, "timeline"))),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

"""Every REST endpoint lives under /api/v1/; each app contributes its own api_urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("codesets.api_urls")),
    path("", include("lookup.api_urls")),
    path("", include("exercises.api_urls")),
    path("", include("courses.api_urls")),
    path("", include("certification.api_urls")),
    path("", include("lti.api_urls")),
]

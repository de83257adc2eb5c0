from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from courses import views as courses_views
from lti.views.docs import RedocDocsView, SwaggerDocsView
from oauth2_provider import views as oauth2_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("certificates/verify/<str:token>/", courses_views.certificate_verify, name="certificate_verify"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("codesets/", include("codesets.urls")),
    path("lookup/", include("lookup.urls")),
    path("courses/", include("courses.urls")),
    path("cases/", include("exercises.urls")),
    path("exams/", include("certification.urls")),
    path("lti/", include("lti.urls")),
    path("api/v1/", include("coding_lms.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerDocsView.as_view(), name="api-docs"),
    path("api/docs/redoc/", RedocDocsView.as_view(), name="api-docs-redoc"),
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke-token"),
]

handler400 = "coding_lms.errors.bad_request"
handler403 = "coding_lms.errors.permission_denied"
handler404 = "coding_lms.errors.page_not_found"
handler500 = "coding_lms.errors.server_error"

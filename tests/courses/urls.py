"""The project URLconf plus the public certificate verification route (mounted at project level)."""

from django.urls import path

from coding_lms.urls import handler400, handler403, handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401
from courses import views as courses_views

urlpatterns = [
    path("certificates/verify/<str:token>/", courses_views.certificate_verify, name="certificate_verify"),
    *project_urlpatterns,
]

from django.urls import path

from .views import deep_link, launch, pages

app_name = "lti"

urlpatterns = [
    path("jwks/", launch.jwks, name="jwks"),
    path("login/", launch.login_initiation, name="login"),
    path("launch/", launch.launch, name="launch"),
    path("deep-link/", deep_link.deep_link, name="deep_link"),
    path("placements/<int:pk>/", pages.placement, name="placement"),
    path("courses/<int:pk>/", pages.course, name="course"),
    path("courses/<int:pk>/roster/", pages.roster_sync_view, name="roster_sync"),
    path("passbacks/<int:pk>/retry/", pages.passback_retry_view, name="passback_retry"),
]

from django.urls import path

from .views import deep_link, launch, pages, registration, tokens

app_name = "lti"

urlpatterns = [
    path("jwks/", launch.jwks, name="jwks"),
    path("login/", launch.login_initiation, name="login"),
    path("launch/", launch.launch, name="launch"),
    path("register/<str:token>/", registration.register, name="register"),
    path("registration-links/", registration.registration_links, name="registration_links"),
    path("deep-link/", deep_link.deep_link, name="deep_link"),
    path("placements/<int:pk>/", pages.placement, name="placement"),
    path("courses/<int:pk>/", pages.course, name="course"),
    path("courses/<int:pk>/roster/", pages.roster_sync_view, name="roster_sync"),
    path("passbacks/<int:pk>/retry/", pages.passback_retry_view, name="passback_retry"),
    path("api-tokens/", tokens.token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", tokens.token_revoke, name="api_token_revoke"),
]

from django.urls import include, path

from . import api

api_patterns = [
    path("codesets/", api.ReleaseListApi.as_view(), name="release_list"),
    path("codesets/upload/", api.ReleaseUploadApi.as_view(), name="release_upload"),
    path("codesets/<int:release_id>/", api.ReleaseDetailApi.as_view(), name="release_detail"),
    path("codesets/<int:release_id>/changes/", api.ReleaseChangesApi.as_view(), name="release_changes"),
    path("codesets/<int:release_id>/activate/", api.ReleaseActivateApi.as_view(), name="release_activate"),
]

urlpatterns = [path("", include((api_patterns, "codesets-api")))]

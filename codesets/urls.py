from django.urls import path

from . import drg_weights_views, pcs_views, views

app_name = "codesets"

urlpatterns = [
    path("", views.release_list, name="release_list"),
    path("upload/", views.release_upload, name="release_upload"),
    path("releases/<int:release_id>/", views.release_detail, name="release_detail"),
    path("releases/<int:release_id>/progress/", views.release_progress, name="release_progress"),
    path("releases/<int:release_id>/activate/", views.release_activate_view, name="release_activate"),
    path("releases/<int:release_id>/changes/", views.release_changes, name="release_changes"),
    path("releases/<int:release_id>/whats-new/", views.release_whats_new, name="release_whats_new"),
    path("drg-weights/", drg_weights_views.drg_weights, name="drg_weights"),
    path("review/", views.flag_queue, name="flag_queue"),
    path("review/<int:flag_id>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("pcs/", pcs_views.pcs_browse, name="pcs_browse"),
    path("pcs/build/", pcs_views.pcs_build, name="pcs_build"),
    path("pcs/<str:table>/", pcs_views.pcs_table, name="pcs_table"),
]

from django.urls import path

from . import index_views, views

app_name = "lookup"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("code/<str:code>/", views.code_detail, name="code_detail"),
    path("notes/", views.code_notes, name="code_notes"),
    path("index/", index_views.index_browse, name="index_browse"),
    path("index/see/", index_views.index_see, name="index_see"),
    path("index/import/", index_views.index_upload, name="index_upload"),
    path("index/<str:table>/<int:position>/", index_views.index_term, name="index_term"),
]

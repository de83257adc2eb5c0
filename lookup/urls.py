from django.urls import path

from . import views

app_name = "lookup"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("code/<str:code>/", views.code_detail, name="code_detail"),
    path("notes/", views.code_notes, name="code_notes"),
]

from django.urls import path

from .api import CodeSearchApi

urlpatterns = [
    path("codes/search/", CodeSearchApi.as_view(), name="code_search_api"),
]

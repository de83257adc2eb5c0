from django.urls import path

from . import api

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="exercises-api-case-list"),
    path("cases/<slug:slug>/", api.CaseDetailApi.as_view(), name="exercises-api-case-detail"),
    path("cases/<slug:slug>/submissions/", api.SubmissionCreateApi.as_view(), name="exercises-api-submit"),
    path("cases/<slug:slug>/query/", api.ProviderQueryApi.as_view(), name="exercises-api-query"),
    path("case-submissions/<int:pk>/", api.SubmissionDetailApi.as_view(), name="exercises-api-submission"),
]

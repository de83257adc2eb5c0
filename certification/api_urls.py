from django.urls import path

from . import api

urlpatterns = [
    path("exams/blueprints/", api.BlueprintListApi.as_view(), name="certification-api-blueprints"),
    path("exams/blueprints/<int:blueprint_id>/attempts/", api.attempt_start_view, name="certification-api-start"),
    path("exams/attempts/<int:attempt_id>/", api.AttemptDetailApi.as_view(), name="certification-api-attempt"),
    path("exams/attempts/<int:attempt_id>/items/<int:position>/", api.answer_save_view, name="certification-api-answer"),
    path("exams/attempts/<int:attempt_id>/items/<int:position>/flag/", api.flag_view, name="certification-api-flag"),
    path("exams/attempts/<int:attempt_id>/submit/", api.SubmitApi.as_view(), name="certification-api-submit"),
    path("exams/attempts/<int:attempt_id>/report/", api.ReportApi.as_view(), name="certification-api-report"),
    path("readiness/me/", api.ReadinessApi.as_view(), name="certification-api-readiness-me"),
    path("readiness/students/<int:student_id>/", api.ReadinessApi.as_view(), name="certification-api-readiness"),
]

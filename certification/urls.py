from django.urls import path

from .views import blueprints, dashboards, exams

app_name = "certification"

urlpatterns = [
    path("", exams.exam_list, name="exam_list"),
    path("blueprints/new/", blueprints.blueprint_new, name="blueprint_new"),
    path("blueprints/<int:blueprint_id>/start/", exams.start, name="attempt_start"),
    path("drills/<slug:domain>/start/", exams.drill_start, name="drill_start"),
    path("attempts/<int:attempt_id>/", exams.resume, name="attempt_resume"),
    path("attempts/<int:attempt_id>/q/<int:position>/", exams.question, name="question"),
    path("attempts/<int:attempt_id>/q/<int:position>/answer/", exams.answer, name="answer"),
    path("attempts/<int:attempt_id>/q/<int:position>/flag/", exams.flag, name="flag"),
    path("attempts/<int:attempt_id>/submit/", exams.submit, name="attempt_submit"),
    path("attempts/<int:attempt_id>/report/", exams.report, name="attempt_report"),
    path("attempts/<int:attempt_id>/report/status/", exams.report_status, name="attempt_report_status"),
    path("readiness/", dashboards.my_dashboard, name="my_dashboard"),
    path("readiness/students/<int:student_id>/", dashboards.student_detail, name="student_dashboard"),
    path("cohorts/", dashboards.instructor_view, name="instructor_dashboard"),
    path("cohorts/<int:cohort_id>/export.csv", dashboards.cohort_export, name="cohort_export"),
    path("operations/", dashboards.admin_view, name="admin_dashboard"),
]

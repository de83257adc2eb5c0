from django.urls import path

from . import views
from .views import drg_audit

app_name = "exercises"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("authoring/validate/", views.case_validate, name="case_validate"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/export.csv", views.review_export, name="review_export"),
    path("review/regrade/", views.review_regrade, name="review_regrade"),
    path("review/cohorts/<int:cohort_id>/drg-audit/", drg_audit.cohort_drg_audit_view, name="drg_audit"),
    path("review/cohorts/<int:cohort_id>/drg-audit.csv", drg_audit.cohort_drg_audit_csv, name="drg_audit_csv"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/result/", views.submission_result, name="submission_result"),
    path("submissions/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("submissions/<int:pk>/review-state/", views.submission_review_state, name="submission_review_state"),
    path("scores/<int:pk>/override-line/", views.override_line, name="override_line"),
    path("scores/<int:pk>/override-total/", views.override_total, name="override_total"),
    path("scores/<int:pk>/override-query/", views.override_query, name="override_query"),
    path("<slug:slug>/", views.case_workspace, name="case_workspace"),
    path("<slug:slug>/draft/", views.draft_autosave, name="draft_save"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/query/", views.query_send_view, name="query_send"),
    path("<slug:slug>/notes/", views.code_notes, name="code_notes"),
    path("<slug:slug>/edit/", views.case_edit, name="case_edit"),
    path("<slug:slug>/move-release/", views.case_move_release, name="case_move_release"),
    path("<slug:slug>/sharing/", views.case_share, name="case_share"),
    path("<slug:slug>/sharing/<int:instructor_id>/remove/", views.case_unshare, name="case_unshare"),
    path("<slug:slug>/review/", views.case_review, name="case_review"),
    path("<slug:slug>/review/send/", views.case_review_send, name="case_review_send"),
    path("<slug:slug>/review/verify/", views.case_review_verify, name="case_review_verify"),
    path("<slug:slug>/review/send-back/", views.case_review_send_back, name="case_review_send_back"),
    path("<slug:slug>/pilot-cohorts/", views.case_pilot_cohorts, name="case_pilot_cohorts"),
]

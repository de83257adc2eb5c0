from django.urls import path

from . import api

urlpatterns = [
    path("integrations/cohorts/", api.CohortListApi.as_view(), name="lti-api-cohorts"),
    path("integrations/cohorts/<int:cohort_id>/results/", api.CohortResultsApi.as_view(), name="lti-api-cohort-results"),
    path("integrations/cohorts/<int:cohort_id>/roster/", api.RosterApi.as_view(), name="lti-api-cohort-roster"),
    path("integrations/cohorts/<int:cohort_id>/members/<int:student_id>/", api.MemberApi.as_view(),
         name="lti-api-cohort-member"),
]

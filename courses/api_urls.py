from django.urls import path

from . import api

urlpatterns = [
    path("courses/programs/", api.ProgramListApi.as_view(), name="courses-api-programs"),
    path("courses/lessons/<int:lesson_id>/", api.LessonDetailApi.as_view(), name="courses-api-lesson"),
    path("courses/questions/<int:question_id>/answer/", api.QuestionAnswerApi.as_view(), name="courses-api-answer"),
    path("courses/flashcards/queue/", api.ReviewQueueApi.as_view(), name="courses-api-queue"),
    path("courses/flashcards/cards/<int:card_id>/review/", api.CardReviewApi.as_view(), name="courses-api-card-review"),
    path("courses/cohorts/join/", api.CohortJoinApi.as_view(), name="courses-api-cohort-join"),
]

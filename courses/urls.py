from django.urls import path

from .views import authoring, cohorts, completion, flashcards, learning

app_name = "courses"

urlpatterns = [
    # Learning
    path("", learning.catalog, name="catalog"),
    path("programs/<slug:slug>/", learning.program_detail, name="program_detail"),
    path("modules/<int:module_id>/", learning.module_detail, name="module_detail"),
    path("lessons/<int:lesson_id>/", learning.lesson_detail, name="lesson_detail"),
    path("lessons/<int:lesson_id>/complete/", learning.lesson_mark_complete, name="lesson_complete"),
    path("questions/<int:question_id>/answer/", learning.question_answer, name="question_answer"),
    # Flashcards
    path("flashcards/", flashcards.deck_list, name="deck_list"),
    path("flashcards/review/", flashcards.review, name="review"),
    path("flashcards/decks/<slug:slug>/review/", flashcards.review, name="deck_review"),
    path("flashcards/cards/<int:card_id>/rate/", flashcards.card_rate, name="card_rate"),
    # Cohorts
    path("cohorts/", cohorts.cohort_list, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_new, name="cohort_new"),
    path("cohorts/join/", cohorts.cohort_join_view, name="cohort_join"),
    path("cohorts/invitations/<int:invitation_id>/accept/", cohorts.cohort_invitation_respond, {"answer": "accept"},
         name="cohort_invitation_accept"),
    path("cohorts/invitations/<int:invitation_id>/decline/", cohorts.cohort_invitation_respond, {"answer": "decline"},
         name="cohort_invitation_decline"),
    path("cohorts/<int:cohort_id>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:cohort_id>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/roster/", cohorts.cohort_roster, name="cohort_roster"),
    path("cohorts/<int:cohort_id>/due-dates/", cohorts.cohort_due_date, name="cohort_due_date"),
    path("cohorts/<int:cohort_id>/invite-code/", cohorts.cohort_invite_regenerate, name="cohort_invite_regenerate"),
    path("cohorts/<int:cohort_id>/students/<int:student_id>/", cohorts.student_progress, name="cohort_student"),
    # Completion
    path("ceu/", completion.ceu_log_view, name="ceu_log"),
    path("ceu.csv", completion.ceu_log_csv, name="ceu_log_csv"),
    path("certificates/<int:certificate_id>/", completion.certificate_detail, name="certificate_detail"),
    path("certificates/<int:certificate_id>/pdf/", completion.certificate_pdf_view, name="certificate_pdf"),
    # Authoring
    path("author/", authoring.author_home, name="author_home"),
    path("author/import/", authoring.program_import_view, name="author_import"),
    path("author/programs/new/", authoring.program_new, name="author_program_new"),
    path("author/programs/<slug:slug>/", authoring.program_edit, name="author_program"),
    path("author/programs/<slug:slug>/export/", authoring.program_export_view, name="author_program_export"),
    path("author/programs/<slug:slug>/modules/new/", authoring.module_new, name="author_module_new"),
    path("author/modules/<int:module_id>/", authoring.module_edit, name="author_module"),
    path("author/modules/<int:module_id>/lessons/new/", authoring.lesson_new, name="author_lesson_new"),
    path("author/lessons/<int:lesson_id>/", authoring.lesson_edit, name="author_lesson"),
    path("author/lessons/<int:lesson_id>/questions/new/", authoring.question_new, name="author_question_new"),
    path("author/lessons/<int:lesson_id>/questions/preview/", authoring.question_preview, name="author_question_preview"),
    path("author/questions/<int:question_id>/", authoring.question_edit, name="author_question"),
    path("author/questions/<int:question_id>/delete/", authoring.question_remove, name="author_question_delete"),
    path("author/decks/new/", authoring.deck_new, name="author_deck_new"),
    path("author/decks/<slug:slug>/", authoring.deck_edit, name="author_deck"),
    path("author/cards/<int:card_id>/", authoring.card_edit, name="author_card"),
    path("author/cards/<int:card_id>/delete/", authoring.card_remove, name="author_card_delete"),
]

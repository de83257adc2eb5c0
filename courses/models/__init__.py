"""Courses: programs, modules, lessons and quizzes; progress; flashcards; cohorts and certificates."""

from .cohorts import Cohort, CohortDueDate, CohortInvitation, CohortMembership, InvitationStatus, new_invite_code
from .content import ContentSource, Lesson, Module, Program, Question, QuestionKind
from .flashcards import CardReview, CardState, Deck, DeckKind, Flashcard
from .progress import Certificate, LessonProgress, ModuleCompletion, QuizAnswer, QuizAttempt, new_certificate_token

__all__ = [
    "CardReview", "CardState", "Certificate", "Cohort", "CohortDueDate", "CohortInvitation", "CohortMembership", "ContentSource",
    "Deck", "DeckKind", "Flashcard", "InvitationStatus", "Lesson", "LessonProgress", "Module", "ModuleCompletion", "Program",
    "Question", "QuestionKind", "QuizAnswer", "QuizAttempt", "new_certificate_token", "new_invite_code",
]

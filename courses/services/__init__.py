"""Courses services, one module per concept: content, progress, quiz, flashcards, cohorts, authoring, packages."""

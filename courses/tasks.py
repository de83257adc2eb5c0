"""Background work for courses: runs eagerly in embedded mode, on a worker otherwise."""

from __future__ import annotations

from celery import shared_task

from codesets.models import CodeSetRelease

from .services.codeset_updates import code_questions_flag, whats_new_lesson_publish


@shared_task(ignore_result=True)
def publish_release_updates(release_id: int) -> None:
    """Idempotent: the lesson is upserted by slug and flags are unique per target."""
    release = CodeSetRelease.objects.filter(pk=release_id).first()
    if release is None:
        return
    whats_new_lesson_publish(release=release)
    code_questions_flag(release=release)

"""Celery tasks: thin, idempotent, given ids. HTTP failures are retried by the outbox (see
lti.services.passback), not by Celery, so a refused score is never resent for ever."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

DB_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "retry_backoff_max": 30,
            "retry_jitter": True, "max_retries": 5}


@shared_task(name="lti.tasks.send_grade", acks_late=True, reject_on_worker_lost=True, **DB_RETRY)
def send_grade(passback_id: int) -> str:
    from .services.passback import passback_send

    return passback_send(passback_id=passback_id)


@shared_task(name="lti.tasks.send_due_grades", acks_late=True)
def send_due_grades() -> int:
    from .services.passback import passbacks_send_due

    return passbacks_send_due()


@shared_task(name="lti.tasks.sync_roster", acks_late=True, **DB_RETRY)
def sync_roster(context_id: int, actor_id: int | None = None) -> str:
    from .services.roster import roster_sync

    return roster_sync(context_id=context_id, actor_id=actor_id)


@shared_task(name="lti.tasks.housekeeping", acks_late=True)
def housekeeping() -> dict:
    from .keys import tool_keys_retire_old
    from .services.launches import login_states_purge

    return {"login_states_purged": login_states_purge(), "keys_retired": tool_keys_retire_old()}

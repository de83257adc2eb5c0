"""The Celery application. Tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")

app = Celery("coding_lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def check_visibility_timeout(**_kwargs) -> None:
    """Refuse to run a worker whose broker would redeliver tasks that are still running."""
    from django.conf import settings

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    if visibility <= settings.CELERY_TASK_TIME_LIMIT:
        raise RuntimeError(
            f"Broker visibility_timeout ({visibility}s) must exceed the task hard time limit "
            f"({settings.CELERY_TASK_TIME_LIMIT}s)"
        )

"""Background work for the code lookup: runs eagerly in embedded mode, on a worker otherwise."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.search import search_index_prebuild


@shared_task(ignore_result=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=60, max_retries=3)
def prebuild_search_index(release_id: int) -> None:
    """Write the release's search index snapshot so no user waits for the build. Idempotent: an existing one is kept."""
    search_index_prebuild(release_id=release_id)

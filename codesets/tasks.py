"""Background jobs: importing an uploaded release, and watching the drop folder."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings

from .models import CodeSetRelease, ReleaseStatus
from .services import CodeSetImportError, release_fail_stale, release_import_run
from .services.dropfolder import drop_folder_scan

logger = logging.getLogger(__name__)


@shared_task(name="codesets.tasks.import_release", acks_late=True)
def import_release(release_id: int) -> str:
    """Run a prepared import. Idempotent: a release that is not IMPORTING any more is left alone."""
    release = CodeSetRelease.objects.filter(pk=release_id).first()
    if release is None or release.status != ReleaseStatus.IMPORTING:
        return "nothing to do"
    try:
        outcome = release_import_run(release=release)
    except CodeSetImportError as exc:
        # Deterministic (bad file, label taken): recorded on the release, not retried.
        return f"failed: {exc.message}"
    return outcome.message


@shared_task(name="codesets.tasks.scan_drop_folder")
def scan_drop_folder() -> list[str]:
    """Import new files from settings.CODESET_DROP_DIR (never activates) and the Index files of ready releases;
    close interrupted imports."""
    from lookup.services.index_dropfolder import index_drop_folder_scan

    release_fail_stale(older_than=datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300))
    report = drop_folder_scan()
    # Alphabetic Index files (icd10cm_index_2026.xml, ...) go into their release once it is ready.
    return report + index_drop_folder_scan()

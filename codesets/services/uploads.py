"""Uploads from the admin page and the API: checked in the request, imported by a task."""

from __future__ import annotations

import datetime
import logging
import shutil
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..models import CodeSetRelease, ReleaseStatus
from ..parsers import CodeSetFormatError, parse_codeset
from .errors import CodeSetImportError
from .imports import file_sha256, release_prepare

logger = logging.getLogger(__name__)


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "codesets" / "uploads"


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def check_upload_size(upload: UploadedFile | None) -> None:
    if upload is None:
        return
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise CodeSetImportError(f"{upload.name} is {_human_size(upload.size)}; the largest file accepted is {_human_size(limit)}.")
    if not upload.size:
        raise CodeSetImportError(f"{upload.name} is empty.")


def _save(upload: UploadedFile, folder: Path) -> Path:
    name = Path(upload.name or "upload").name[-120:] or "upload"
    target = folder / name
    with open(target, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target


def release_upload_create(
    *,
    system: str,
    upload: UploadedFile,
    label: str,
    effective_from: datetime.date,
    actor,
    order_upload: UploadedFile | None = None,
    descriptors_are_licensed: bool = False,
) -> tuple[CodeSetRelease, bool]:
    """Check the file completely, record the release and queue its import.

    Returns (release, created). ``created`` is False when this exact file was
    imported before: nothing new is queued. Raises CodeSetImportError with a
    message for the admin; nothing is kept in that case.
    """
    check_upload_size(upload)
    check_upload_size(order_upload)
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    try:
        main_path = _save(upload, folder)
        order_path = _save(order_upload, folder / "order") if order_upload else None
        sha = file_sha256(main_path, order_path)
        existing = CodeSetRelease.objects.filter(system=system, source_sha256=sha, status=ReleaseStatus.READY).first()
        if existing is not None:
            shutil.rmtree(folder, ignore_errors=True)
            return existing, False
        parse_codeset(system, main_path, order_path=order_path)
        with transaction.atomic():
            release, created = release_prepare(
                system=system,
                label=label,
                effective_from=effective_from,
                main_path=main_path,
                order_path=order_path,
                actor=actor,
                descriptors_are_licensed=descriptors_are_licensed,
                source_name=upload.name or "",
                sha256=sha,
            )
            if created:
                release_id = release.pk
                transaction.on_commit(lambda: release_import_queue(release_id=release_id))
    except CodeSetFormatError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise CodeSetImportError(str(exc)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not created:
        shutil.rmtree(folder, ignore_errors=True)
    return release, created


def release_import_queue(*, release_id: int) -> threading.Thread | None:
    """Start the import of a prepared release in the background; the release page polls its progress.

    With a worker the Celery task runs there. In the embedded mode Celery runs tasks eagerly, inside
    the request, which would hold the upload page until the whole import is written: a thread of this
    process runs it instead (settings.CODESET_IMPORT_IN_THREAD). Returns that thread, if any.
    """
    from ..tasks import import_release

    if not getattr(settings, "CODESET_IMPORT_IN_THREAD", False):
        import_release.delay(release_id)
        return None
    thread = threading.Thread(target=_import_in_thread, args=(release_id,), name=f"codeset-import-{release_id}", daemon=True)
    thread.start()
    return thread


def _import_in_thread(release_id: int) -> None:
    from django.db import connection

    from ..tasks import import_release

    try:
        import_release(release_id)  # failures are recorded on the release by the import itself
    except Exception:  # noqa: BLE001 - a thread has nobody to raise to; the release shows the failure
        logger.exception("Background import of release %s failed", release_id)
    finally:
        connection.close()

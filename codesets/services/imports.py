"""The one loader for every code-set release: parse and validate first, then write in one transaction.

    release, created = release_prepare(system=..., label=..., effective_from=..., main_path=...)
    outcome = release_import_run(release=release)

``release_import`` does both (the command, the drop folder, the demo); the
upload page and the API prepare the release in the request and queue
``codesets.tasks.import_release`` for the run. A failure leaves the release
FAILED with its message and no codes; the current release is never touched
unless ``activate`` is asked for.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..models import Code, CodeSetRelease, CodeSystem, ReleaseStatus
from ..parsers import CodeSetFormatError, ParsedCodeSet, parse_codeset
from ..signals import release_ready
from .activation import release_activate
from .diff import release_after, release_before, release_diff_compute, release_ready_message, release_rebase
from .errors import CodeSetImportError

logger = logging.getLogger(__name__)

# Rows written between two progress reports.
CHUNK_SIZE = 10_000

ProgressEcho = Callable[[int, str], None]


@dataclass
class ImportOutcome:
    release: CodeSetRelease
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.created:
            return f"This file was already imported as {self.release}; nothing new was created."
        return self.release.progress_message


def progress_cache_key(release_id: int) -> str:
    return f"codesets:progress:{release_id}"


class ProgressReporter:
    """Writes progress where the page can read it: the release row and the cache.

    Inside the write transaction the row update is invisible to other
    connections until commit, so the cache (Redis in production) carries it.
    """

    def __init__(self, release_id: int, echo: ProgressEcho | None = None):
        self.release_id = release_id
        self.echo = echo

    def __call__(self, percent: int, message: str) -> None:
        percent = max(0, min(100, int(percent)))
        now = timezone.now()
        cache.set(progress_cache_key(self.release_id), {"percent": percent, "message": message, "at": now.isoformat()}, 3600)
        CodeSetRelease.objects.filter(pk=self.release_id).update(progress_percent=percent, progress_message=message[:255], progress_at=now)
        if self.echo:
            self.echo(percent, message)


def file_sha256(*paths: Path | str | None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if not path:
            continue
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
        digest.update(b"\x00--next file--\x00")
    return digest.hexdigest()


def release_prepare(
    *,
    system: str,
    label: str,
    effective_from: datetime.date,
    main_path: Path | str,
    order_path: Path | str | None = None,
    actor=None,
    descriptors_are_licensed: bool = False,
    source_name: str = "",
    sha256: str | None = None,
    supplement_path: Path | str | None = None,
) -> tuple[CodeSetRelease, bool]:
    """Create the IMPORTING release row, or return the release this exact file already made.

    Raises CodeSetImportError when the label is taken by a different file.
    """
    if system not in CodeSystem.values:
        raise CodeSetImportError(f"Unknown code system {system!r}.")
    label = (label or "").strip()
    if not label or len(label) > 64:
        raise CodeSetImportError("Give the release a label of 1 to 64 characters, e.g. FY2026.")
    sha = sha256 or file_sha256(main_path, order_path, supplement_path)
    files = {"main": str(main_path), **({"order": str(order_path)} if order_path else {}),
             **({"supplement": str(supplement_path)} if supplement_path else {})}
    fields = {
        "effective_from": effective_from,
        "status": ReleaseStatus.IMPORTING,
        "source_sha256": sha,
        "source_name": (source_name or Path(main_path).name)[:255],
        "source_files": files,
        "progress_percent": 0,
        "progress_message": "Waiting to start",
        "progress_at": timezone.now(),
        "error_message": "",
        "billable_count": 0,
        "header_count": 0,
        "imported_by": actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        "descriptors_are_licensed": bool(descriptors_are_licensed) and system == CodeSystem.CPT,
    }
    try:
        with transaction.atomic():
            same_file = (
                CodeSetRelease.objects.select_for_update()
                .filter(system=system, source_sha256=sha, status__in=[ReleaseStatus.READY, ReleaseStatus.IMPORTING])
                .first()
            )
            if same_file is not None:
                return same_file, False
            existing = CodeSetRelease.objects.select_for_update().filter(system=system, label=label).first()
            if existing is not None and existing.status != ReleaseStatus.FAILED:
                raise CodeSetImportError(
                    f"{existing} already exists and was made from a different file. Choose another label "
                    f"(for an update, e.g. {label}-APR)."
                )
            if existing is not None:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save()
                return existing, True
            return CodeSetRelease.objects.create(system=system, label=label, **fields), True
    except IntegrityError:
        raise CodeSetImportError(f"A release labelled {label} was created at the same moment; try again.") from None


def _mark_failed(release_id: int, message: str) -> None:
    CodeSetRelease.objects.filter(pk=release_id).exclude(status=ReleaseStatus.READY).update(
        status=ReleaseStatus.FAILED,
        error_message=message,
        progress_message="Import failed",
        progress_at=timezone.now(),
        is_current=False,
    )
    cache.delete(progress_cache_key(release_id))


def _send_release_ready(release_id: int) -> None:
    release = CodeSetRelease.objects.get(pk=release_id)
    for receiver, response in release_ready.send_robust(sender=CodeSetRelease, release=release):
        if isinstance(response, Exception):
            logger.error("release_ready receiver %r failed for %s", receiver, release, exc_info=response)


CODE_FIELDS = ("release", "code", "display_code", "kind", "short_title", "long_title", "billable",
               "parent_code", "chapter", "depth", "sort_order", "notes")


def _write_codes(release: CodeSetRelease, parsed: ParsedCodeSet, report: ProgressReporter) -> None:
    total = len(parsed.records)
    for start in range(0, total, CHUNK_SIZE):
        _write_code_chunk(release, parsed.records[start:start + CHUNK_SIZE], first_sort_order=start)
        written = min(total, start + CHUNK_SIZE)
        report(30 + int(55 * written / total), f"Wrote {written:,} of {total:,} codes and headers")


def _write_code_chunk(release: CodeSetRelease, records, *, first_sort_order: int) -> None:
    """One chunk of rows, in the caller's transaction: COPY on PostgreSQL, one prepared INSERT on SQLite.

    Both skip model instances: an import writes about 100,000 rows, and building a model per row (with
    ``bulk_create``'s per-value preparation) cost more than the writing itself.
    """
    rows = (
        (release.pk, r.code, r.display_code, r.kind, r.short_title[:255], r.long_title, bool(r.billable),
         r.parent_code, r.chapter, r.depth, sort_order, json.dumps(r.notes or {}, ensure_ascii=False))
        for sort_order, r in enumerate(records, start=first_sort_order)
    )  # in CODE_FIELDS order
    quote = connection.ops.quote_name
    table = quote(Code._meta.db_table)
    columns = ", ".join(quote(Code._meta.get_field(name).column) for name in CODE_FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            # Every field quoted: in CSV COPY an unquoted empty field would be NULL, not "".
            csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
        else:  # SQLite, the only other back end the settings accept
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(CODE_FIELDS))})",
                               list(rows))


def _write(release: CodeSetRelease, parsed: ParsedCodeSet, report: ProgressReporter, *, activate: bool, actor) -> dict[str, int]:
    """Everything in one transaction: codes, diff, counts, status, optional activation."""
    with transaction.atomic():
        release = CodeSetRelease.objects.select_for_update().get(pk=release.pk)
        if release.status == ReleaseStatus.READY:
            return {}
        Code.objects.filter(release=release).delete()
        _write_codes(release, parsed, report)
        release.previous_release = release_before(release)
        report(86, f"Comparing with {release.previous_release.label}" if release.previous_release else "No earlier release to compare with")
        counts = release_diff_compute(release=release)
        release.billable_count = parsed.billable_count
        release.header_count = parsed.header_count
        release.status = ReleaseStatus.READY
        release.error_message = ""
        release.progress_percent = 100
        release.progress_message = release_ready_message(release, counts)
        release.progress_at = timezone.now()
        release.save()
        # Imported out of order: the release effective after this one now compares with this one.
        following = release_after(release)
        if following is not None:
            report(95, f"Comparing {following.label} with {release.label}")
            if not release_rebase(release=following):
                following = None
        report(100, release.progress_message)
        if activate:
            release_activate(release=release, actor=actor, allow_older=True)
        release_id = release.pk
        transaction.on_commit(lambda: _send_release_ready(release_id))
        if following is not None:
            following_id = following.pk
            transaction.on_commit(lambda: _send_release_ready(following_id))
    cache.delete(progress_cache_key(release.pk))
    return counts


def release_import_run(
    *, release: CodeSetRelease, activate: bool = False, actor=None, echo: ProgressEcho | None = None
) -> ImportOutcome:
    """Parse, validate and load a prepared release. Idempotent: a READY release is left alone."""
    release.refresh_from_db()
    if release.status == ReleaseStatus.READY:
        return ImportOutcome(release=release, created=False)
    report = ProgressReporter(release.pk, echo)
    files = release.source_files or {}
    try:
        report(5, "Reading and checking the file")
        main = files.get("main")
        if not main or not Path(main).exists():
            raise CodeSetFormatError("The uploaded file is no longer on the server; upload it again.")
        parsed = parse_codeset(release.system, main, order_path=files.get("order"), supplement_path=files.get("supplement"))
        report(30, f"File checked: {parsed.billable_count:,} billable codes, {parsed.header_count:,} headers")
        counts = _write(release, parsed, report, activate=activate, actor=actor)
    except CodeSetFormatError as exc:
        _mark_failed(release.pk, str(exc))
        raise CodeSetImportError(str(exc), release=release) from None
    except CodeSetImportError as exc:
        _mark_failed(release.pk, exc.message)
        raise
    except Exception as exc:
        logger.exception("Import of %s failed", release)
        message = f"The import stopped while writing ({type(exc).__name__}: {exc}). Nothing of this release was kept."
        _mark_failed(release.pk, message[:2000])
        raise CodeSetImportError(message, release=release) from exc
    except BaseException:
        # Ctrl-C or a worker shutting down: the transaction rolled back; say so if we still can.
        try:
            _mark_failed(release.pk, "The import was interrupted. Nothing of this release was kept; import the file again.")
        except Exception:  # noqa: BLE001 - the stale-import sweep marks it later
            logger.warning("Could not mark interrupted import %s as failed", release.pk)
        raise
    release.refresh_from_db()
    return ImportOutcome(release=release, created=True, counts=counts, warnings=parsed.warnings)


def release_import(
    *,
    system: str,
    path: Path | str,
    label: str,
    effective_from: datetime.date,
    order_path: Path | str | None = None,
    activate: bool = False,
    actor=None,
    descriptors_are_licensed: bool = False,
    echo: ProgressEcho | None = None,
    supplement_path: Path | str | None = None,
) -> ImportOutcome:
    """Import files already on the server (command, drop folder, demo)."""
    path = Path(path)
    if not path.is_file():
        raise CodeSetImportError(f"No file at {path}.")
    if order_path and not Path(order_path).is_file():
        raise CodeSetImportError(f"No order file at {order_path}.")
    release, created = release_prepare(
        system=system,
        label=label,
        effective_from=effective_from,
        main_path=path.resolve(),
        order_path=Path(order_path).resolve() if order_path else None,
        actor=actor,
        descriptors_are_licensed=descriptors_are_licensed,
        supplement_path=Path(supplement_path).resolve() if supplement_path else None,
    )
    if not created:
        if release.status == ReleaseStatus.READY and activate and not release.is_current:
            release_activate(release=release, actor=actor, allow_older=True)
            release.refresh_from_db()
        return ImportOutcome(release=release, created=False)
    return release_import_run(release=release, activate=activate, actor=actor, echo=echo)


def release_fail_stale(*, older_than: datetime.timedelta) -> int:
    """Mark imports with no progress for ``older_than`` as interrupted (their transaction never committed)."""
    cutoff = timezone.now() - older_than
    stale = CodeSetRelease.objects.filter(status=ReleaseStatus.IMPORTING, progress_at__lt=cutoff)
    return stale.update(
        status=ReleaseStatus.FAILED,
        error_message="The import was interrupted (no progress for a long time). Nothing of this release was kept; import the file again.",
        progress_message="Import interrupted",
    )


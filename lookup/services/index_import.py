"""Import the ICD-10-CM Alphabetic Index files into a release: all or nothing.

A release takes up to four files, alone or together: the Index to Diseases and
Injuries, the External Cause Index, the Neoplasm Table and the Table of Drugs
and Chemicals. Which file is which is read from the file itself. Every file is
parsed and checked first; then each one's terms replace that table's terms of
the release, all in one transaction.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accounts.services import audit_record
from codesets.models import CodeSetRelease, CodeSystem, ReleaseStatus
from lookup.alphaindex import TABLE_NAMES, IndexFormatError, ParsedIndex, parse_index_file
from lookup.models import IndexSource, IndexTerm
from lookup.services.search import search_index_forget
from lookup.tasks import prebuild_search_index

BATCH_SIZE = 2000


class IndexImportError(Exception):
    """Why an Index import was refused; nothing was written."""


@dataclass
class IndexImportOutcome:
    release: CodeSetRelease
    created: bool
    term_count: int = 0
    coded_count: int = 0
    unknown_codes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    table: str = "index"
    file_name: str = ""

    @property
    def table_name(self) -> str:
        return TABLE_NAMES.get(self.table, self.table)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _code_key(code: str) -> str:
    return code.replace(".", "").replace("-", "").upper()


def _check_release(release: CodeSetRelease) -> None:
    if release.system != CodeSystem.ICD10CM:
        raise IndexImportError(f"{release} is not an ICD-10-CM release; the Alphabetic Index belongs to ICD-10-CM.")
    if release.status != ReleaseStatus.READY:
        raise IndexImportError(
            f"{release} is not ready (status: {release.get_status_display()}); import its codes first."
        )


def _terms(release: CodeSetRelease, parsed: ParsedIndex) -> list[IndexTerm]:
    return [
        IndexTerm(
            release=release,
            table=parsed.table,
            sort_order=entry.position,
            parent_order=entry.parent,
            letter=entry.letter[:8],
            level=entry.level,
            title=entry.title[:500],
            nemod=entry.nemod[:500],
            path=" > ".join(entry.path),
            code=entry.code,
            code_key=_code_key(entry.code),
            manif_code=entry.manif_code,
            see=entry.see[:500],
            see_also=entry.see_also[:500],
            cells=entry.cells,
        )
        for entry in parsed.entries
    ]


def _unknown_codes(parsed: ParsedIndex, known: set[str]) -> list[str]:
    named = {entry.code for entry in parsed.entries if entry.code}
    named.update(code for entry in parsed.entries for code in entry.cells if code)
    return sorted(
        code for code in named
        if not any(_code_key(code)[:n] in known for n in range(len(_code_key(code)), 2, -1))
    )


def index_files_import(*, release: CodeSetRelease, paths: list[Path | str], actor=None) -> list[IndexImportOutcome]:
    """Parse and check every file, then replace the terms of each file's table in one transaction.

    One outcome per file, in the order given. A file already imported for its table is a no-op;
    two files of the same table are refused. Codes a file names that the release does not contain
    are reported (they are kept: the Index is printed as published).
    """
    _check_release(release)
    if not paths:
        raise IndexImportError("Give at least one Index file.")
    existing = {source.table: source for source in IndexSource.objects.filter(release=release)}
    known: set[str] | None = None
    plans: list[tuple[Path, str, ParsedIndex | None, IndexImportOutcome]] = []
    seen: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise IndexImportError(f"No file at {path}.")
        sha256 = _sha256(path)
        same = next((source for source in existing.values() if source.sha256 == sha256), None)
        if same is not None:  # already imported: nothing to parse
            if same.table in seen:
                raise IndexImportError(
                    f"{seen[same.table]} and {path.name} are both the {TABLE_NAMES[same.table]}; give one of them."
                )
            seen[same.table] = path.name
            plans.append((path, sha256, None, IndexImportOutcome(
                release=release, created=False, term_count=same.term_count, coded_count=same.coded_count,
                table=same.table, file_name=path.name)))
            continue
        try:
            parsed = parse_index_file(path, file_name=path.name)
        except IndexFormatError as exc:
            raise IndexImportError(f"{path.name}: {exc}") from None
        if parsed.table in seen:
            raise IndexImportError(
                f"{seen[parsed.table]} and {path.name} are both the {TABLE_NAMES[parsed.table]}; give one of them."
            )
        seen[parsed.table] = path.name
        if known is None:
            known = set(release.codes.values_list("code", flat=True))
        plans.append((path, sha256, parsed, IndexImportOutcome(
            release=release, created=True, term_count=len(parsed.entries), coded_count=parsed.coded_count,
            unknown_codes=_unknown_codes(parsed, known), warnings=parsed.warnings, table=parsed.table,
            file_name=path.name)))

    changed = [(path, sha256, parsed, outcome) for path, sha256, parsed, outcome in plans if parsed is not None]
    if changed:
        with transaction.atomic():
            for path, sha256, parsed, outcome in changed:
                old = existing.get(parsed.table)
                before = {"file": old.file_name, "terms": old.term_count} if old else None
                IndexTerm.objects.filter(release=release, table=parsed.table).delete()
                IndexTerm.objects.bulk_create(_terms(release, parsed), batch_size=BATCH_SIZE)
                source, _ = IndexSource.objects.update_or_create(
                    release=release,
                    table=parsed.table,
                    defaults={
                        "file_name": path.name[:255],
                        "sha256": sha256,
                        "version": parsed.version[:32],
                        "term_count": len(parsed.entries),
                        "coded_count": parsed.coded_count,
                        "imported_by": actor if actor is not None and actor.is_authenticated else None,
                    },
                )
                audit_record(actor=actor, action="lookup.index_import", target=release, before=before,
                             after={"table": parsed.table, "file": source.file_name, "terms": source.term_count,
                                    "sha256": sha256})
        # This process rebuilds at once; other processes notice the new IndexSource within RECHECK_SECONDS
        # and map the snapshot the task writes.
        search_index_forget(release_id=release.pk)
        transaction.on_commit(lambda: prebuild_search_index.delay(release.pk))
    return [outcome for _, _, _, outcome in plans]


def index_import(*, release: CodeSetRelease, path: Path | str, actor=None) -> IndexImportOutcome:
    """One Index file (whichever of the four it is)."""
    return index_files_import(release=release, paths=[path], actor=actor)[0]


def index_sources(*, release: CodeSetRelease) -> dict[str, IndexSource]:
    """The Index files a release has, by table."""
    return {source.table: source for source in IndexSource.objects.filter(release=release)}


def index_uploads_import(*, release: CodeSetRelease, uploads: list, actor=None) -> list[IndexImportOutcome]:
    """Uploaded Index files (size-checked), imported as ``index_files_import`` does; nothing of them is kept."""
    from codesets.services.errors import CodeSetImportError
    from codesets.services.uploads import check_upload_size

    folder = Path(tempfile.mkdtemp(prefix="index-upload-"))
    try:
        paths: list[Path] = []
        for upload in uploads:
            try:
                check_upload_size(upload)
            except CodeSetImportError as exc:
                raise IndexImportError(exc.message) from None
            target = folder / f"{len(paths)}" / (Path(upload.name or "index.xml").name[-120:] or "index.xml")
            target.parent.mkdir()
            with open(target, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            paths.append(target)
        return index_files_import(release=release, paths=paths, actor=actor)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

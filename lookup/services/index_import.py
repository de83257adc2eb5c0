"""Import the ICD-10-CM Alphabetic Index XML into a release: all or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accounts.services import audit_record
from codesets.models import CodeSetRelease, CodeSystem, ReleaseStatus
from lookup.alphaindex import IndexFormatError, parse_index_xml
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _code_key(code: str) -> str:
    return code.replace(".", "").replace("-", "").upper()


def index_import(*, release: CodeSetRelease, path: Path | str, actor=None) -> IndexImportOutcome:
    """Parse and check the whole file, then replace the release's Index terms in one transaction.

    Importing the same file again is a no-op. Codes the Index names that the
    release does not contain are reported (they are kept: the Index is printed
    as published).
    """
    path = Path(path)
    if release.system != CodeSystem.ICD10CM:
        raise IndexImportError(f"{release} is not an ICD-10-CM release; the Alphabetic Index belongs to ICD-10-CM.")
    if release.status != ReleaseStatus.READY:
        raise IndexImportError(f"{release} is not ready (status: {release.get_status_display()}); import its codes first.")
    if not path.is_file():
        raise IndexImportError(f"No file at {path}.")
    sha256 = _sha256(path)
    existing = IndexSource.objects.filter(release=release).first()
    if existing is not None and existing.sha256 == sha256:
        return IndexImportOutcome(release=release, created=False, term_count=existing.term_count,
                                  coded_count=existing.coded_count)
    try:
        parsed = parse_index_xml(path)
    except IndexFormatError as exc:
        raise IndexImportError(str(exc)) from None

    known = set(release.codes.values_list("code", flat=True))
    unknown = sorted({
        entry.code for entry in parsed.entries
        if entry.code and not any(_code_key(entry.code)[:n] in known for n in range(len(_code_key(entry.code)), 2, -1))
    })
    terms = [
        IndexTerm(
            release=release,
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
        )
        for entry in parsed.entries
    ]
    with transaction.atomic():
        before = {"file": existing.file_name, "terms": existing.term_count} if existing else None
        IndexTerm.objects.filter(release=release).delete()
        IndexTerm.objects.bulk_create(terms, batch_size=BATCH_SIZE)
        source, _ = IndexSource.objects.update_or_create(
            release=release,
            defaults={
                "file_name": path.name[:255],
                "sha256": sha256,
                "version": parsed.version[:32],
                "term_count": len(terms),
                "coded_count": parsed.coded_count,
                "imported_by": actor if actor is not None and actor.is_authenticated else None,
            },
        )
        audit_record(actor=actor, action="lookup.index_import", target=release, before=before,
                     after={"file": source.file_name, "terms": source.term_count, "sha256": sha256})
    # This process rebuilds at once; other processes notice the new IndexSource within RECHECK_SECONDS
    # and map the snapshot the task writes.
    search_index_forget(release_id=release.pk)
    transaction.on_commit(lambda: prebuild_search_index.delay(release.pk))
    return IndexImportOutcome(release=release, created=True, term_count=len(terms), coded_count=parsed.coded_count,
                              unknown_codes=unknown, warnings=parsed.warnings)

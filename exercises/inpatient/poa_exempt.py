"""The official POA exempt list of a release (CDC's ``POAexemptCodes<FY>.txt``), kept with the release.

The file is tab separated: an order number, the exempt code (no dot) and its title, with a header row. Once
loaded for an ICD-10-CM release, its list decides which codes are exempt (``CodeFacts.poa_exempt``) instead of
the rules in ``exercises/grading/poa.py``. Kept as a file next to the release (``VAR_DIR/poa-exempt``) and
named in ``source_files["poa_exempt"]``; read once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from codesets.models import Code, CodeSetRelease
from codesets.parsers.textfiles import read_text

_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")


class PoaExemptFileError(ValueError):
    """Not a POA exempt file (the message says why)."""


def parse_poa_exempt(text: str) -> set[str]:
    codes: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.split("\t")]
        if not line.strip() or (number == 1 and not parts[0].isdigit()):
            continue  # the header row
        if len(parts) < 2 or not parts[0].isdigit():
            raise PoaExemptFileError(f"line {number} is not 'order<TAB>code<TAB>title'")
        code = parts[1].replace(".", "").upper()
        if not _CODE.match(code):
            raise PoaExemptFileError(f"line {number}: {parts[1]!r} is not an ICD-10-CM code")
        codes.add(code)
    if not codes:
        raise PoaExemptFileError("the file lists no codes")
    return codes


def poa_exempt_import(*, release: CodeSetRelease, path: Path) -> tuple[int, int]:
    """Keep the list for the release: (codes listed, of them in the release)."""
    if release.system != "icd10cm":
        raise PoaExemptFileError("a POA exempt list goes with an ICD-10-CM release")
    codes = parse_poa_exempt(read_text(path))
    known = set(Code.objects.filter(release=release, code__in=codes).values_list("code", flat=True))
    folder = Path(settings.VAR_DIR) / "poa-exempt"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"release-{release.pk}.txt"
    target.write_text("\n".join(sorted(codes)) + "\n", encoding="utf-8")
    with transaction.atomic():
        files = dict(CodeSetRelease.objects.select_for_update().get(pk=release.pk).source_files or {})
        files["poa_exempt"] = str(target)
        CodeSetRelease.objects.filter(pk=release.pk).update(source_files=files)
    _exempt_set.cache_clear()
    return len(codes), len(known)


@lru_cache(maxsize=16)
def _exempt_set(path: str, stamp: float) -> frozenset[str]:
    return frozenset(Path(path).read_text(encoding="utf-8").split())


def exempt_codes(release_id: int) -> frozenset[str] | None:
    """The release's official exempt list, or None when none was loaded."""
    files = CodeSetRelease.objects.filter(pk=release_id).values_list("source_files", flat=True).first() or {}
    path = files.get("poa_exempt") if isinstance(files, dict) else None
    if not path or not Path(path).exists():
        return None
    return _exempt_set(path, Path(path).stat().st_mtime)

"""Build the grading engine's code facts from the catalog rows of a pinned release.

Releases are immutable once ready, so facts are cached per (release, code) in the process.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterable

from codesets.models import Code, CodeSetRelease
from codesets.pcs_tables import bilateral_code, explain

from .grading import CodeFacts, normalize_code
from .grading.demographics import demographic_edit, sex_from_notes
from .grading.notes import code_references, instructional_notes, is_manifestation_title


def pcs_axes(code: str, table_notes: dict) -> tuple[tuple[str, str], ...]:
    """(axis title, value label) of the 7 characters of an ICD-10-PCS code, from its table's axes and rows."""
    axes = table_notes.get("axes") or {}
    if len(code) != 7 or not axes:
        return ()
    found: list[tuple[str, str]] = []
    for position in ("1", "2", "3"):
        axis = axes.get(position) or {}
        found.append((axis.get("title", ""), axis.get("label", "") if axis.get("value") == code[int(position) - 1] else ""))
    labels: dict[str, tuple[str, str]] = {}
    for row in table_notes.get("rows") or ():
        values = {pos: dict(axis.get("values") or ()) for pos, axis in row.items()}
        if all(code[int(pos) - 1] in values.get(pos, {}) for pos in ("4", "5", "6", "7")):
            labels = {pos: (row[pos].get("title", ""), values[pos][code[int(pos) - 1]]) for pos in ("4", "5", "6", "7")}
            break
    if not labels:  # a code no row allows: titles from the first row, no labels
        first = (table_notes.get("rows") or [{}])[0]
        labels = {pos: ((first.get(pos) or {}).get("title", ""), "") for pos in ("4", "5", "6", "7")}
    return (*found, *(labels[pos] for pos in ("4", "5", "6", "7")))

_CACHE: "OrderedDict[tuple[int, str], CodeFacts | None]" = OrderedDict()
_CACHE_SIZE = 100_000
_CHAPTER_SEX: dict[int, dict[str, str | None]] = {}


def _prefixes(code: str) -> list[str]:
    return [code[:size] for size in range(3, len(code) + 1)]


def _chapter_sex(release_id: int) -> dict[str, str | None]:
    """Chapter -> "F" for chapters whose notes restrict them to maternal records (chapter 15), per release."""
    found = _CHAPTER_SEX.get(release_id)
    if found is None:
        found = {
            chapter.code: sex_from_notes((chapter.notes or {}).get("notes") or ())
            for chapter in Code.objects.filter(release_id=release_id, kind="chapter").only("code", "notes")
        }
        _CHAPTER_SEX[release_id] = found
    return found


def _build(code: str, rows: dict[str, Code], system: str, release_id: int) -> CodeFacts | None:
    row = rows.get(code)
    if row is None:
        return None
    if system == "icd10pcs":
        table = rows.get(code[:3])
        notes = (table.notes or {}) if table is not None else {}
        return CodeFacts(exists=True, billable=row.billable, title=row.long_title, axes=pcs_axes(code, notes),
                         pcs_bilateral=bilateral_code(code, notes))
    if system != "icd10cm":
        return CodeFacts(exists=True, billable=row.billable, title=row.long_title)
    # The code and the category and subcategories above it: their notes all apply to it.
    lineage = [rows[p] for p in _prefixes(code) if p in rows]
    excludes: list[str] = []
    instructions = []
    seven = False
    manifestation = False
    data_sex = _chapter_sex(release_id).get(row.chapter) if row.chapter else None
    for item in lineage:
        notes = item.notes or {}
        for note in notes.get("excludes1") or ():
            for ref in code_references(note):
                if ref not in excludes:
                    excludes.append(ref)
        instructions.extend(instructional_notes(item.code, notes))
        if notes.get("seven_chr"):
            seven = True
        if is_manifestation_title(item.long_title or ""):
            manifestation = True
        data_sex = data_sex or sex_from_notes(notes.get("notes") or ())
    sex, min_age, max_age = demographic_edit(code)
    return CodeFacts(
        exists=True, billable=row.billable, needs_seventh=seven and len(code) < 7 and not row.billable,
        title=row.long_title, excludes1=tuple(excludes), manifestation=manifestation,
        sex=data_sex or sex, min_age=min_age, max_age=max_age, notes=tuple(instructions),
    )


def facts_for(release: CodeSetRelease | None, codes: Iterable[str]) -> dict[str, CodeFacts]:
    """Facts for the codes (and their parent rows) that exist in the release."""
    if release is None:
        return {}
    return facts_for_release_id(release.pk, release.system, codes)


def facts_for_release_id(release_id: int, system: str, codes: Iterable[str]) -> dict[str, CodeFacts]:
    wanted: set[str] = set()
    for raw in codes:
        code = normalize_code(raw)
        if code:
            wanted.update(_prefixes(code) if system == "icd10cm" else [code])
    result: dict[str, CodeFacts] = {}
    missing: list[str] = []
    for code in wanted:
        cache_key = (release_id, code)
        if cache_key in _CACHE:
            facts = _CACHE[cache_key]
            if facts is not None:
                result[code] = facts
        else:
            missing.append(code)
    if missing:
        lookup = set(missing)
        if system == "icd10cm":
            for code in missing:
                lookup.update(_prefixes(code))
        elif system == "icd10pcs":
            lookup.update(code[:3] for code in missing)  # the table: its axes label the code's characters
        rows = {row.code: row for row in Code.objects.filter(release_id=release_id, code__in=lookup)}
        for code in missing:
            facts = _build(code, rows, system, release_id)
            _CACHE[(release_id, code)] = facts
            if facts is not None:
                result[code] = facts
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def oracle_for_case(case, codes_by_system: dict[str, Iterable[str]]) -> dict[str, dict[str, CodeFacts]]:
    """system -> facts for every system the case pins a release for."""
    oracle: dict[str, dict[str, CodeFacts]] = {}
    pinned = {"icd10cm": case.icd10cm_release_id, "cpt": case.cpt_release_id, "hcpcs": case.hcpcs_release_id,
              "icd10pcs": getattr(case, "icd10pcs_release_id", None)}
    for system, codes in codes_by_system.items():
        release_id = pinned.get(system)
        if release_id is not None:
            oracle[system] = facts_for_release_id(release_id, system, codes)
            if system == "icd10pcs":
                lacking = [c for c in (normalize_code(code) for code in codes) if c not in oracle[system]]
                if lacking and release_is_incomplete(release_id):
                    oracle[system].update(pcs_unchecked_facts(release_id, lacking))
    return oracle


def pcs_unchecked_facts(release_id: int, codes: Iterable[str]) -> dict[str, CodeFacts]:
    """Facts for ICD-10-PCS codes a partial demo release lacks: a demo set never calls a valid code invalid, so
    they are not checked; their table, when the set has it, still names each character (and which one no row
    allows)."""
    codes = [code for code in codes if code]
    tables = dict(Code.objects.filter(release_id=release_id, code__in={c[:3] for c in codes if len(c) == 7})
                  .values_list("code", "notes"))
    found: dict[str, CodeFacts] = {}
    for code in codes:
        notes = tables.get(code[:3]) or {}
        found[code] = (CodeFacts(exists=True, billable=True, axes=tuple((c.title, c.label) for c in explain(code, notes)))
                       if notes.get("rows") and len(code) == 7 else UNCHECKED)
    return found


UNCHECKED = CodeFacts(exists=True, billable=True, title="")


def release_is_incomplete(release_id: int) -> bool:
    """A release loaded from a partial source (the ICD-10-PCS demo set) has ``source_files["complete"]`` False."""
    files = CodeSetRelease.objects.filter(pk=release_id).values_list("source_files", flat=True).first()
    return isinstance(files, dict) and files.get("complete") is False


def clear_cache() -> None:
    _CACHE.clear()
    _CHAPTER_SEX.clear()


def forget_release(release_id: int) -> None:
    """Drop cached facts of one release (its rows changed, or a test database reused its id)."""
    for cache_key in [k for k in _CACHE if k[0] == release_id]:
        _CACHE.pop(cache_key, None)
    _CHAPTER_SEX.pop(release_id, None)

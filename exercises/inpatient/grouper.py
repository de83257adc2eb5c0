"""The ``msdrg`` package (MS-DRG v40-v44 with the Medicare Code Editor, native code, offline) as a ``DrgGrouper``.

Encodings checked against the package (tests/exercises/test_drg_grouper.py): sex 0 = male, 1 = female, 2 = unknown
(a prostate code on a male claim passes the FY2024 sex edit, on a female claim it fails); age in years; a POA of
"1" (exempt) is sent blank, which is how the 837I reports it. The version used for a fiscal year is its latest
release (FY2026: v43.1, the April 2026 update); the MCE runs with a discharge date of April 1 of the fiscal year.
"""

from __future__ import annotations

import atexit
import threading
from functools import lru_cache

from ..grading.drg import Claim, DrgGroup, GrouperError, MceEdit, SecondaryEffect
from ..grading.poa import EXEMPT as POA_EXEMPT

VERSIONS = {2023: 401, 2024: 411, 2025: 421, 2026: 431, 2027: 440}
SEX_CODES = {"M": 0, "F": 1}
UNKNOWN_SEX = 2
# MCE edits about the principal diagnosis; the others are found code by code.
_PDX_EDITS = frozenset({"E_CODE_AS_PDX", "MANIFESTATION_AS_PDX", "UNACCEPTABLE_PDX", "NONSPECIFIC_PDX",
                        "QUESTIONABLE_ADMISSION", "QUESTIONABLE_OBSTETRIC_ADMISSION", "REQUIRES_SDX"})
_CLAIM_EDITS = frozenset({"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "INVALID_ADMIT_DX"})


def _poa(value: str) -> str:
    return " " if not value or value == POA_EXEMPT else value


class MsdrgGrouper:
    """One native grouper and editor per process, shared by threads (the calls hold a lock)."""

    def __init__(self) -> None:
        try:
            import msdrg
        except ImportError as exc:  # the package is a dependency; a broken install says so instead of a 500
            raise GrouperError("the msdrg package is not installed") from exc
        self._grouper = msdrg.MsdrgGrouper()
        self._editor = msdrg.MceEditor()
        self._lock = threading.Lock()
        atexit.register(self.close)  # free the native contexts before the interpreter tears down

    def close(self) -> None:
        self._grouper.close()
        self._editor.close()

    @staticmethod
    def supported_years() -> list[int]:
        return sorted(VERSIONS)

    def _payload(self, claim: Claim, fiscal_year: int) -> dict:
        version = VERSIONS.get(fiscal_year)
        if version is None:
            years = ", ".join(f"FY{year}" for year in sorted(VERSIONS))
            raise GrouperError(f"no MS-DRG grouper for FY{fiscal_year} (available: {years})")
        age = claim.age if claim.age is not None and 0 <= claim.age <= 124 else 0
        return {
            "version": version, "discharge_date": fiscal_year * 10000 + 401, "age": age,
            "sex": SEX_CODES.get(claim.sex or "", UNKNOWN_SEX), "discharge_status": claim.discharge_status,
            "pdx": {"code": claim.principal, "poa": _poa(claim.principal_poa)},
            "sdx": [{"code": code, "poa": _poa(poa)} for code, poa in claim.secondaries],
            "procedures": [{"code": code} for code in claim.procedures],
        }

    def group(self, claim: Claim, *, fiscal_year: int) -> DrgGroup:
        payload = self._payload(claim, fiscal_year)
        try:
            with self._lock:
                result = self._grouper.group(payload)
                edits = self._editor.edit(payload)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise GrouperError(str(exc)) from exc
        return DrgGroup(
            drg=result.get("final_drg"), mdc=result.get("final_mdc"),
            title=result.get("final_drg_description") or "", mdc_title=result.get("final_mdc_description") or "",
            severity=result.get("final_severity") or "NONE", return_code=result.get("return_code") or "",
            secondaries=tuple(
                SecondaryEffect(item["code"], item.get("severity") or "NONE",
                                (item.get("drg_impact") or "NONE") in ("BOTH", "FINAL"))
                for item in result.get("sdx_output") or ()
            ),
            edits=self._attribute(payload, edits.get("edits") or ()),
        )

    def _attribute(self, payload: dict, edits) -> tuple[MceEdit, ...]:
        """The MCE counts edits per claim; find the codes each one is about."""
        found: list[MceEdit] = []
        for edit in edits:
            name = edit.get("name", "")
            if name in _CLAIM_EDITS:
                found.append(MceEdit(name))
            elif name in _PDX_EDITS:
                found.append(MceEdit(name, (payload["pdx"]["code"],)))
            elif name == "DUPLICATE_OF_PDX":
                found.append(MceEdit(name, (payload["pdx"]["code"],)))
            else:
                found.extend(self._code_by_code(payload, name))
        return tuple(found)

    def _code_by_code(self, payload: dict, name: str) -> list[MceEdit]:
        diagnoses = [payload["pdx"]["code"], *(d["code"] for d in payload["sdx"])]
        procedures = [p["code"] for p in payload["procedures"]]
        hits_dx: list[str] = []
        hits_px: list[str] = []
        base = {key: value for key, value in payload.items() if key not in ("sdx", "procedures")}
        with self._lock:
            for code in diagnoses:
                single = {**base, "pdx": {"code": code, "poa": " "}, "sdx": [], "procedures": []}
                if any(e.get("name") == name for e in self._editor.edit(single).get("edits") or ()):
                    hits_dx.append(code)
            for code in procedures:
                single = {**base, "sdx": [], "procedures": [{"code": code}]}
                if any(e.get("name") == name for e in self._editor.edit(single).get("edits") or ()):
                    hits_px.append(code)
        edits = []
        if hits_dx:
            edits.append(MceEdit(name, tuple(hits_dx)))
        if hits_px:
            edits.append(MceEdit(name, tuple(hits_px), procedure=True))
        if not edits:
            edits.append(MceEdit(name))
        return edits


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _shared() -> MsdrgGrouper:
    return MsdrgGrouper()


def default_grouper() -> MsdrgGrouper:
    """The process's grouper (loaded once: about a millisecond, the data file is memory-mapped)."""
    with _LOCK:
        return _shared()

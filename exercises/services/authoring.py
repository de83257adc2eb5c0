"""Case authoring: saving cases and documents, versioned answer keys, validation, release moves."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accounts.services import audit_record
from codesets.models import CodeSetRelease

from ..grading import Demographics, KeyLine, display_code, normalize_code, normalize_modifiers, normalize_units
from ..grading.key_validation import BLOCKING_KINDS, KeyReview, codes_review, key_review, problems_text
from ..grading.poa import normalize_poa, poa_valid
from ..inpatient.poa_exempt import exempt_codes
from ..inpatient.services import key_review_grouper
from ..models import AnswerKey, AnswerKeyLine, Case, CaseDocument, Submission, SubmissionStatus, case_grading_rules
from ..oracle import facts_for, pcs_unchecked_facts, release_is_incomplete
from ..privacy import privacy_warnings
from .submissions import submissions_regrade
from .time_estimate import case_time_estimate_refresh

KEY_FIELDS = ("role", "system", "code", "modifiers", "units", "points", "alternates", "optional", "rationale", "guideline_refs",
              "poa")
BLOCKING = BLOCKING_KINDS
SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS", "icd10pcs": "ICD-10-PCS"}


@dataclass(frozen=True)
class Issue:
    line: int | None  # 1-based key line number; None for the whole case
    level: str  # "error" blocks publishing and release moves; "warning" is shown to the author
    message: str
    kind: str = ""


class KeyRefused(ValidationError):
    """A published case's key (or a release move) was refused; ``problems`` lists every blocking problem."""

    def __init__(self, heading: str, problems: list[str], advice: str):
        self.problems = problems
        super().__init__([heading, *problems, advice])


def key_line_clean(raw: dict, number: int) -> tuple[dict | None, list[str]]:
    """Shape of one key line from a form or an import; (clean line or None, errors)."""
    errors: list[str] = []
    code = normalize_code(raw.get("code"))
    if not code:
        return None, []
    role = raw.get("role") or "secondary"
    system = raw.get("system") or ("icd10cm" if role in ("principal", "secondary") else "cpt")
    if role not in ("principal", "secondary", "procedure", "em"):
        errors.append(f"Key line {number}: choose a role.")
    if system not in ("icd10cm", "cpt", "hcpcs", "icd10pcs"):
        errors.append(f"Key line {number}: choose a code system.")
    if system == "icd10pcs" and role != "procedure":
        errors.append(f"Key line {number}: an ICD-10-PCS code is a procedure line.")
    if system == "icd10cm" and role not in ("principal", "secondary"):
        errors.append(f"Key line {number}: an ICD-10-CM code is a diagnosis (principal or secondary).")
    if system != "icd10cm" and role in ("principal", "secondary"):
        errors.append(f"Key line {number}: CPT, HCPCS and ICD-10-PCS codes are procedure (or E/M) lines.")
    modifiers = list(normalize_modifiers(raw.get("modifiers")))
    if len(modifiers) > 4 or any(len(m) != 2 or not m.isalnum() for m in modifiers):
        errors.append(f"Key line {number}: modifiers are two letters or digits each, at most four.")
    units = normalize_units(raw.get("units"))
    if units is None:
        errors.append(f"Key line {number}: units must be a whole number from 1 to 999.")
    try:
        points = float(raw.get("points") or 1)
        if not 0.1 <= points <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(f"Key line {number}: points must be a number from 0.1 to 100.")
        points = 1.0
    alternates_raw = raw.get("alternates") or []
    if isinstance(alternates_raw, str):
        alternates_raw = alternates_raw.replace(";", ",").split(",")
    alternates = [a for a in (normalize_code(x) for x in alternates_raw) if a and a != code]
    optional = raw.get("optional") in (True, "on", "true", "1", 1)
    poa = normalize_poa(raw.get("poa")) if role in ("principal", "secondary") else ""
    if poa and not poa_valid(poa):
        errors.append(f"Key line {number}: the POA indicator is Y, N, U, W or 1 (exempt), or blank.")
        poa = ""
    line = {
        "role": role, "system": system, "code": code, "modifiers": modifiers, "units": units or 1, "points": points,
        "alternates": alternates, "optional": optional, "rationale": str(raw.get("rationale") or "").strip(),
        "guideline_refs": str(raw.get("guideline_refs") or "").strip()[:120], "poa": poa,
    }
    return line, errors


def key_lines_clean(raw_lines: list[dict]) -> list[dict]:
    errors: list[str] = []
    lines: list[dict] = []
    for number, raw in enumerate(raw_lines, start=1):
        line, line_errors = key_line_clean(raw, number)
        errors.extend(line_errors)
        if line is not None:
            lines.append(line)
    if sum(1 for line in lines if line["role"] == "principal") > 1:
        errors.append("An answer key has one principal (first-listed) diagnosis.")
    if errors:
        raise ValidationError(errors)
    return lines


def _key_lines(lines: list[dict]) -> list[KeyLine]:
    return [
        KeyLine(code=line["code"], role=line["role"], system=line["system"], modifiers=tuple(line.get("modifiers") or ()),
                units=line.get("units") or 1, alternates=tuple(line.get("alternates") or ()), poa=line.get("poa") or "")
        for line in lines
    ]


def key_review_for(*, lines: list[dict], releases: dict[str, CodeSetRelease | None],
                   patient_age: int | None = None, patient_sex: str | None = None,
                   inpatient: bool = False) -> tuple[KeyReview, list[str]]:
    """The key checked against the pinned releases and the patient: (review, systems that no release covers)."""
    codes: dict[str, set[str]] = {}
    for line in lines:
        codes.setdefault(line["system"], set()).update([line["code"], *line.get("alternates", [])])
    oracle = {system: facts_for(releases.get(system), found) for system, found in codes.items() if releases.get(system)}
    pcs = releases.get("icd10pcs")
    if "icd10pcs" in oracle and release_is_incomplete(pcs.pk):  # a partial demo set: what it lacks is unchecked
        lacking = [code for code in codes["icd10pcs"] if code not in oracle["icd10pcs"]]
        oracle["icd10pcs"].update(pcs_unchecked_facts(pcs.pk, lacking))
    unchecked = [system for system in codes if not releases.get(system)]
    if inpatient and "icd10cm" in oracle:
        official = exempt_codes(releases["icd10cm"].pk)
        if official is not None:  # the release's own POA exempt list wins over the rules
            oracle["icd10cm"] = {code: dataclasses.replace(facts, poa_exempt=code in official)
                                 for code, facts in oracle["icd10cm"].items()}
    grouper, fiscal_year = key_review_grouper(release=releases.get("icd10cm")) if inpatient else (None, None)
    review = key_review(_key_lines(lines), oracle, Demographics(age=patient_age, sex=patient_sex or None),
                        inpatient=inpatient, grouper=grouper, fiscal_year=fiscal_year)
    return review, unchecked


def key_validate(*, lines: list[dict], releases: dict[str, CodeSetRelease | None],
                 patient_age: int | None = None, patient_sex: str | None = None, inpatient: bool = False) -> list[Issue]:
    """Check key lines against the pinned releases and the patient: errors block publishing, warnings do not.

    ``inpatient``: diagnoses carry POA indicators (checked against the exempt list, warnings only)."""
    review, unchecked = key_review_for(lines=lines, releases=releases, patient_age=patient_age, patient_sex=patient_sex,
                                       inpatient=inpatient)
    issues: list[Issue] = []
    for system in unchecked:
        label = SYSTEM_LABELS[system]
        issues.append(Issue(None, "warning", f"No {label} release is pinned, so {label} codes cannot be checked."))
    for problem in review.problems:
        message = f"{problem.message} (guideline {problem.guideline})" if problem.guideline else problem.message
        issues.append(Issue(problem.line, "error", message, problem.kind))
    for warning in review.warnings:
        message = f"{warning.message} (guideline {warning.guideline})" if warning.guideline else warning.message
        issues.append(Issue(warning.line, "warning", message, warning.kind))
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, start=1):
        token = (line["system"], line["code"])
        if token in seen and line["system"] == "icd10cm":
            issues.append(Issue(number, "warning", f"{display_code(line['code'])} is already key line {seen[token]}."))
        seen.setdefault(token, number)
    if lines and not any(line["role"] == "principal" for line in lines) and any(line["system"] == "icd10cm" for line in lines):
        issues.append(Issue(None, "warning", "No principal (first-listed) diagnosis: mark one diagnosis as principal."))
    return issues


def key_errors(issues: list[Issue]) -> list[str]:
    """Every blocking issue as 'Key line n: code + why', in key order."""
    return [f"Key line {i.line}: {i.message}" if i.line else i.message for i in issues if i.level == "error"]


def case_key_check(*, case: Case, lines: list[dict], releases: dict | None = None) -> list[Issue]:
    """Validate a case's key against its own releases and patient."""
    pinned = {"icd10cm": case.icd10cm_release, "cpt": case.cpt_release, "hcpcs": case.hcpcs_release,
              "icd10pcs": case.icd10pcs_release}
    pinned.update(releases or {})
    return key_validate(lines=lines, releases=pinned, patient_age=case.patient_age, patient_sex=case.patient_sex,
                        inpatient=case.setting == "inpatient")


def answer_code_release(system: str) -> CodeSetRelease | None:
    """The release a quiz or exam answer code is checked against: the current one, when it is a complete code set.

    ICD-10-CM releases are the official file. A CPT release counts only with licensed descriptors (the demo set is
    a few dozen codes in our own words), and HCPCS Level II is checked by shape only: its demo set is a sample.
    """
    if system == "hcpcs":
        return None
    release = CodeSetRelease.objects.current().filter(system=system).first()
    if release is not None and system == "cpt" and not release.descriptors_are_licensed:
        return None
    return release


def answer_codes_check(*, codes: list[str], system: str, release: CodeSetRelease | None = None) -> list[str]:
    """Blocking problems of the accepted answers of a code-entry question (quiz or exam bank), one line each.

    The rules of answer keys, less the patient: an unknown code, a header and a missing 7th character are refused.
    """
    wanted = [code for code in (normalize_code(raw) for raw in codes) if code]
    release = release if release is not None else answer_code_release(system)
    oracle = {system: facts_for(release, wanted)} if release is not None else {}
    return problems_text(codes_review(wanted, system, oracle).problems)


def case_privacy_warnings(*, title: str, summary: str, documents: list[dict]) -> list[str]:
    warnings = privacy_warnings(f"{title}\n{summary}", where="the title or summary")
    for document in documents:
        warnings.extend(privacy_warnings(document.get("body", ""), where=f"“{document.get('title') or 'a document'}”"))
    return warnings


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "case"
    slug = base
    n = 2
    while Case.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def case_save(*, actor, case: Case | None, fields: dict, documents: list[dict]) -> Case:
    """Create or update a case and replace its documents, all in one transaction."""
    creating = case is None
    with transaction.atomic():
        if creating:
            case = Case(author=actor)
        for name, value in fields.items():
            setattr(case, name, value)
        if not case.slug:
            case.slug = _unique_slug(case.title, exclude_pk=case.pk)
        case.full_clean()
        case.save()
        case.documents.all().delete()
        CaseDocument.objects.bulk_create(
            CaseDocument(case=case, kind=d.get("kind") or "progress_note", title=d["title"][:200], body=d["body"], order=n)
            for n, d in enumerate(documents)
        )
        audit_record(actor=actor, action="exercises.case_created" if creating else "exercises.case_updated", target=case,
                     after={"title": case.title, "published": case.is_published, "documents": len(documents)})
        case_time_estimate_refresh(case=case)
    return case


def _line_signature(lines) -> list[tuple]:
    return [tuple(line[f] if isinstance(line, dict) else getattr(line, f) for f in KEY_FIELDS) for line in lines]


def answer_key_publish(*, actor, case: Case, lines: list[dict], note: str = "") -> tuple[AnswerKey, bool]:
    """Save the key as a new version when it differs from the current one; regrade submitted work.

    Returns (key, created). Old versions and the scores graded against them are kept. A published case's key
    must pass validation: every blocking problem (unknown, header or incomplete code, a sex or age conflict with
    the patient) is listed in the KeyRefused error and nothing is saved. A draft may keep problems.
    """
    lines = key_lines_clean(lines)
    if case.is_published:
        errors = key_errors(case_key_check(case=case, lines=lines))
        if errors:
            raise KeyRefused(
                "This case cannot be published while its answer key has these problems:", errors,
                "Fix them, or save the case as a draft (untick Published) to keep working on it.",
            )
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        current = case.answer_keys.order_by("-version").first()
        rules = case_grading_rules(case)
        changed_rules: list[str] = []
        if current is not None:
            existing = list(current.lines.order_by("order", "id").values(*KEY_FIELDS))
            changed_rules = [name for name in rules if current.case_rules and current.case_rules.get(name) != rules[name]]
            if _line_signature(existing) == _line_signature(lines):
                if not changed_rules:
                    return current, False
                if not Submission.objects.filter(case=case).exclude(status=SubmissionStatus.DRAFT).exists():
                    # Nobody was graded under this version yet: it follows the case.
                    AnswerKey.objects.filter(pk=current.pk).update(case_rules=rules)
                    return current, False
                # Same lines, but the case now grades differently: that is a new version, not a silent change.
                note = note or "Case details changed: " + ", ".join(changed_rules)
        key = AnswerKey.objects.create(case=case, version=(current.version + 1) if current else 1, created_by=actor,
                                       note=note[:255], case_rules=rules)
        AnswerKeyLine.objects.bulk_create(AnswerKeyLine(key=key, order=n, **line) for n, line in enumerate(lines))
        audit_record(
            actor=actor, action="exercises.answer_key_versioned", target=key,
            before={"version": current.version, "case_rules": current.case_rules} if current else None,
            after={"version": key.version, "lines": [f"{line['role']}:{line['code']}" for line in lines],
                   "case_rules": rules, "changed_case_rules": changed_rules},
        )
        if current is not None:
            submissions_regrade(submissions=Submission.objects.filter(case=case), key=key)
        from .case_review import case_review_key_changed  # imports this module

        case_review_key_changed(actor=actor, case=case, key=key)
        case_time_estimate_refresh(case=case)
    return key, True


def case_move_to_release(*, actor, case: Case, release: CodeSetRelease) -> list[Issue]:
    """Re-pin a case to a newer release after re-validating its current key; refuse on blocking problems."""
    if release.status != "ready":
        raise ValidationError("That release is not ready.")
    field = {"icd10cm": "icd10cm_release", "cpt": "cpt_release", "hcpcs": "hcpcs_release"}.get(release.system)
    if field is None:
        raise ValidationError("Cases cannot be pinned to that code system.")
    key = case.answer_keys.order_by("-version").first()
    lines = list(key.lines.order_by("order", "id").values(*KEY_FIELDS)) if key else []
    issues = case_key_check(case=case, lines=lines, releases={release.system: release})
    errors = key_errors(issues)
    if errors:
        raise KeyRefused(
            f"The answer key is not valid in {release}:", errors,
            "Fix the answer key first, then move the case to the new release.",
        )
    with transaction.atomic():
        before = getattr(case, field)
        setattr(case, field, release)
        case.save(update_fields=[field, "updated_at"])
        audit_record(actor=actor, action="exercises.case_release_moved", target=case,
                     before={"release": str(before) if before else None}, after={"release": str(release)})
    return issues

"""Demo chart cases, a default grading policy, the demo cohort and a few scored submissions.

Idempotent and fast on re-run: cases are matched by slug, and an answer key only gets a new
version when the data file changed. Cases are pinned to the current ICD-10-CM release (when one
exists); CPT/HCPCS releases are pinned only when every code of that system in the key exists there.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from codesets.models import Code, CodeSetRelease
from courses.models import Cohort, CohortMembership

from .demo_review import demo_cases_verify
from .grading import normalize_code
from .models import Case, GradingPolicy, Submission, SubmissionStatus
from .services import answer_key_publish, case_save, query_spec_save, submission_score
from .services.authoring import KeyRefused

DATA_DIR = Path(__file__).resolve().parent / "demo_cases"
COHORT_NAME = "Fall 2026 CPC cohort"
CASE_FIELDS = (
    "title", "summary", "setting", "specialty", "difficulty", "exam_domain", "module_slug", "patient_age", "patient_sex",
    "is_query_case", "suggested_minutes",
)
# (username, case slug, lines, query) — a couple of graded attempts so the review queue has work in it.
DEMO_ATTEMPTS = [
    ("student2", "t2dm-hyperglycemia-follow-up", [
        {"role": "principal", "system": "icd10cm", "code": "E119"},
        {"role": "secondary", "system": "icd10cm", "code": "Z794"},
        {"role": "secondary", "system": "icd10cm", "code": "I10"},
        {"role": "em", "system": "cpt", "code": "99214"},
    ], False),
    ("student3", "knee-oa-injection", [
        {"role": "principal", "system": "icd10cm", "code": "M1711"},
        {"role": "procedure", "system": "cpt", "code": "20610", "modifiers": ["RT"]},
        {"role": "procedure", "system": "hcpcs", "code": "J3301", "units": 1},
    ], False),
    ("student2", "wrist-buckle-fracture-child", [
        {"role": "principal", "system": "icd10cm", "code": "S52521"},
        {"role": "procedure", "system": "cpt", "code": "25600"},
        {"role": "secondary", "system": "icd10cm", "code": "R52"},
    ], False),
]


def demo_cases() -> list[dict]:
    cases: list[dict] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return cases


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + ("" if message.endswith("\n") else "\n"))


def _key_lines(data: dict) -> list[dict]:
    lines = []
    for raw in data["key"]:
        role = raw.get("role", "secondary")
        lines.append({
            "role": role, "system": raw.get("system") or ("icd10cm" if role in ("principal", "secondary") else "cpt"),
            "code": str(raw["code"]), "modifiers": [str(m) for m in raw.get("modifiers", [])], "units": raw.get("units", 1),
            "points": raw.get("points", 1), "alternates": [str(a) for a in raw.get("alternates", [])],
            "optional": bool(raw.get("optional", False)), "rationale": raw.get("rationale", ""),
            "guideline_refs": str(raw.get("guideline", "")), "poa": _poa(raw.get("poa")),
        })
    return lines


def _poa(raw) -> str:
    """A key line's `poa:` (Y, N, U, W or 1); YAML reads a bare 1 as a number and yes/no words as booleans."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "Y" if raw else "N"
    return str(raw).strip().upper()


def _release_if_all_present(system: str, codes: set[str]) -> CodeSetRelease | None:
    release = CodeSetRelease.objects.current().filter(system=system).first()
    if release is None or not codes:
        return None
    found = set(Code.objects.filter(release=release, code__in=codes).values_list("code", flat=True))
    return release if codes <= found else None


def _policy() -> GradingPolicy:
    policy, _ = GradingPolicy.objects.get_or_create(name="Standard (max of key and entered)", defaults={"is_default": True})
    if not GradingPolicy.objects.filter(is_default=True).exists():
        policy.is_default = True
        policy.save(update_fields=["is_default"])
    return policy


def _cohort() -> Cohort | None:
    users = {u.username: u for u in User.objects.filter(username__in=["instructor", "student", "student2", "student3"])}
    cohort = Cohort.objects.filter(name=COHORT_NAME).first()
    if cohort is None:
        cohort = Cohort.objects.create(name=COHORT_NAME)
    if "instructor" in users:
        cohort.instructors.add(users["instructor"])
    for name in ("student", "student2", "student3"):
        if name in users:
            CohortMembership.objects.get_or_create(cohort=cohort, student=users[name])
    return cohort


def load(*, stdout=None) -> None:
    author = User.objects.filter(username="instructor").first()
    icd = CodeSetRelease.objects.current().filter(system="icd10cm").first()
    _policy()
    created = 0
    versioned = 0
    refused: list[tuple[str, list[str]]] = []
    cases = demo_cases()
    for data in cases:
        lines = _key_lines(data)
        try:
            with transaction.atomic():
                was_new, new_version = _case_load(data, lines, author=author, icd=icd, publish=True)
        except KeyRefused as exc:
            # The publish gate refused the key: keep the case as a draft an author can fix (a published
            # case keeps its earlier key), and say why.
            refused.append((data["slug"], exc.problems))
            with transaction.atomic():
                was_new, new_version = _case_load(data, lines, author=author, icd=icd, publish=False)
        created += int(was_new)
        versioned += int(new_version)
    _cohort()
    verified, unverified = demo_cases_verify(slugs=[data["slug"] for data in cases], author=author)
    scored = _attempts()
    _say(stdout, f"Chart cases: {Case.objects.count()} cases ({created} new, {versioned} key versions written), "
                 f"{scored} demo attempts graded, cohort \u201c{COHORT_NAME}\u201d ready"
                 + ("" if icd else " (no ICD-10-CM release yet: cases are not pinned)"))
    for slug, problems in refused:
        _say(stdout, f"Demo case \u201c{slug}\u201d: publishing refused, its answer key has blocking problems "
                     "(a new case is kept as a draft, a published one keeps its earlier key):")
        for problem in problems:
            _say(stdout, f"  - {problem}")
    if verified:
        _say(stdout, f"Chart cases: {verified} verified by the demo reviewer")
    for slug, problems in unverified:
        _say(stdout, f"Demo case \u201c{slug}\u201d: not verified: " + " ".join(problems))


def _case_load(data: dict, lines: list[dict], *, author, icd, publish: bool) -> tuple[bool, bool]:
    """Create or update one demo case and its key: (created, new key version)."""
    case = Case.objects.filter(slug=data["slug"]).first()
    created = case is None
    if case is None:
        fields = {name: data.get(name) for name in CASE_FIELDS if data.get(name) is not None}
        fields.update(slug=data["slug"], is_published=publish, icd10cm_release=icd)
        for system, field in (("cpt", "cpt_release"), ("hcpcs", "hcpcs_release")):
            codes = {normalize_code(line["code"]) for line in lines if line["system"] == system}
            fields[field] = _release_if_all_present(system, codes)
        documents = [{"kind": d.get("kind", "progress_note"), "title": d["title"], "body": d["body"]}
                     for d in data["documents"]]
        case = case_save(actor=author, case=None, fields=fields, documents=documents)
    elif case.is_published and not publish:
        return False, False  # a published case keeps its earlier key
    else:
        if case.icd10cm_release_id is None and icd is not None:
            case.icd10cm_release = icd
            case.save(update_fields=["icd10cm_release", "updated_at"])
        _chart_refresh(case, data, author=author)
        if publish and not case.is_published:
            case.is_published = True  # a draft kept by an earlier refusal: published once its key passes
    if data.get("query"):  # a provider-query exercise: its spec is part of what the key version grades
        query_spec_save(actor=author, case=case, data=data["query"])
    _, new_version = answer_key_publish(actor=author, case=case, lines=lines, note="Demo content")
    if case.is_published and not Case.objects.filter(pk=case.pk, is_published=True).exists():
        case.save(update_fields=["is_published", "updated_at"])
    return created, new_version


def _chart_refresh(case: Case, data: dict, *, author) -> None:
    """Bring an existing demo case's descriptive fields, documents and code-set pins in line with the data file.

    A corrected key often rests on corrected chart text: a database loaded before must show the
    chart the new key was written for. Nothing is written when the case already matches.
    """
    fields = {name: data.get(name) for name in CASE_FIELDS if data.get(name) is not None}
    for system, field in (("cpt", "cpt_release"), ("hcpcs", "hcpcs_release")):
        if getattr(case, f"{field}_id") is None:  # pinned once every code of the key exists in the demo set
            codes = {normalize_code(line["code"]) for line in _key_lines(data) if line["system"] == system}
            release = _release_if_all_present(system, codes)
            if release is not None:
                fields[field] = release
    documents = [{"kind": d.get("kind", "progress_note"), "title": d["title"], "body": d["body"]} for d in data["documents"]]
    stored = [{"kind": d.kind, "title": d.title, "body": d.body} for d in case.documents.order_by("order")]
    if stored == documents and all(getattr(case, name) == value for name, value in fields.items()):
        return
    case_save(actor=author, case=case, fields=fields, documents=documents)


def _attempts() -> int:
    scored = 0
    for username, slug, lines, query in DEMO_ATTEMPTS:
        student = User.objects.filter(username=username).first()
        case = Case.objects.filter(slug=slug).first()
        if student is None or case is None or Submission.objects.filter(student=student, case=case).exists():
            continue
        key = case.answer_keys.order_by("-version").first()
        submission = Submission.objects.create(
            student=student, case=case, key=key, lines=lines, query_provider=query,
            status=SubmissionStatus.PENDING, submitted_at=timezone.now(), queued_at=timezone.now(), elapsed_seconds=840,
        )
        if submission_score(submission_id=submission.pk) is not None:
            scored += 1
    return scored

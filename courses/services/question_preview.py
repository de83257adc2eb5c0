"""The question editor's preview: the unsaved question rendered with the student's own partial."""

from __future__ import annotations

import random
from dataclasses import dataclass

from codesets.models import Code
from exercises.services import answer_codes_check
from exercises.services.authoring import answer_code_release

from ..grading import InvalidResponse, check_code_format, dotted, normalize_code
from ..models import Lesson, Question
from ..presenters import question_view
from .authoring import code_question_problems


@dataclass
class CodeCheck:
    field: str
    code: str
    ok: bool
    text: str


def accepted_code_checks(*, codes: dict[str, str], system: str) -> list[CodeCheck]:
    """One line per filled accepted-code box: the code's title in the current release, or the problem."""
    checks = []
    release = answer_code_release(system) if system else None
    for field, raw in codes.items():
        raw = (raw or "").strip()
        if not raw:
            continue
        if not system:
            checks.append(CodeCheck(field, raw, False, "Choose the code set first."))
            continue
        try:
            code = check_code_format(raw, system)
        except InvalidResponse as exc:
            checks.append(CodeCheck(field, raw, False, str(exc)))
            continue
        problems = answer_codes_check(codes=[code], system=system)
        if problems:
            checks.append(CodeCheck(field, dotted(code, system), False, " ".join(problems)))
            continue
        title = ""
        if release is not None:
            title = Code.objects.filter(release=release, code=normalize_code(code)).values_list("long_title", flat=True).first() or ""
        where = f" in {release.label}" if release is not None else " (checked by shape: no complete release to check against)"
        checks.append(CodeCheck(field, dotted(code, system), True, f"{title}{' — ' if title else ''}found{where}."))
    return checks


def _preview_order(question: Question) -> list[int]:
    """A shuffled order, like a student's (each student gets their own)."""
    order = list(range(len(question.choices)))
    random.Random(question.prompt).shuffle(order)
    return order


def question_preview_context(*, form, lesson: Lesson) -> dict:
    """What the editor's preview panel shows for the form as it stands (bound or not)."""
    if not form.is_bound:
        return {"preview": None, "preview_problems": [], "code_checks": []}
    data = form.data
    system = data.get("system", "")
    checks = accepted_code_checks(
        codes={f"accepted_{n}": data.get(f"accepted_{n}", "") for n in range(1, form.CODE_SLOTS + 1)}, system=system,
    ) if data.get("kind") == "code" else []
    if not form.is_valid():
        problems = [str(e) for e in form.non_field_errors()]
        problems += [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items() if name != "__all__"]
        return {"preview": None, "preview_problems": problems, "code_checks": checks}
    spec = form.cleaned_data["spec"]
    question = Question(pk=0, lesson=lesson, kind=spec.kind, prompt=spec.prompt, choices=spec.choices, parts=spec.parts,
                        system=spec.system, term=spec.term, answer=spec.answer, explanation=spec.explanation,
                        domain=spec.domain)
    view = question_view(question, number=(form.cleaned_data.get("position") or 0) + 1, order=_preview_order(question))
    return {"preview": view, "preview_problems": code_question_problems(spec), "code_checks": checks}

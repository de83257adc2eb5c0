"""Export a program as a course package, and import one (validated first, then one transaction)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import audit_record

from ..content_loader import ContentError
from ..content_schema import CHOICE_KINDS, marked_choices
from ..models import ContentSource, Deck, Program
from ..package_format import FORMAT_NAME, FORMAT_VERSION, PackageError, build_package, bundle_from_package, lesson_path
from .authoring import code_question_problems
from .content import program_upsert_from_bundle


def program_export(*, program: Program) -> bytes:
    """The program, its modules, lessons, quizzes and decks as a zip of JSON + Markdown."""
    bodies: dict[str, str] = {}
    modules = []
    for module in program.modules.prefetch_related("lessons__questions", "prerequisites").order_by("position", "id"):
        lessons = []
        for lesson in module.lessons.all():
            path = lesson_path(module.slug, lesson.slug)
            bodies[path] = lesson.body
            lessons.append({
                "slug": lesson.slug, "title": lesson.title, "minutes": lesson.minutes, "body_file": path,
                "exercises": list(lesson.exercises),
                "quiz": [_question_data(q) for q in lesson.questions.all()],
            })
        modules.append({
            "slug": module.slug, "title": module.title, "summary": module.summary, "domains": list(module.domains),
            "ceu_hours": float(module.ceu_hours), "prerequisites": [p.slug for p in module.prerequisites.all()],
            "lessons": lessons,
        })
    decks = [
        {"slug": d.slug, "title": d.title, "kind": d.kind, "domain": d.domain,
         "cards": [{"front": c.front, "back": c.back} for c in d.cards.all()]}
        for d in program.decks.prefetch_related("cards").order_by("slug")
    ]
    manifest = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION,
        "program": {"slug": program.slug, "title": program.title, "summary": program.summary,
                    "credential_focus": program.credential_focus, "modules": [m["slug"] for m in modules]},
        "modules": modules,
        "decks": decks,
    }
    return build_package(manifest=manifest, lesson_bodies=bodies)


def _question_data(q) -> dict:
    data = {"kind": q.kind, "prompt": q.prompt, "explanation": q.explanation, "domain": q.domain}
    if q.kind in CHOICE_KINDS:
        data["choices"] = marked_choices(q.choices, q.answer)
        return data
    data["answer"] = q.answer
    if q.kind == "code":
        data["system"] = q.system
    else:
        data["parts"] = q.parts
        data["term"] = q.term
    return data


def _free_slug(model, slug: str, taken: set[str] | None = None) -> str:
    taken = taken or set()
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists() or candidate in taken:
        suffix = f"-{n}"
        candidate = slug[: 80 - len(suffix)] + suffix
        n += 1
    return candidate


def package_code_problems(bundle) -> list[str]:
    """Every code-entry question whose accepted answer the current release refuses, as 'where: what'."""
    problems: list[str] = []
    for module in bundle.modules:
        for lesson in module.lessons:
            for number, question in enumerate(lesson.quiz, start=1):
                where = f"{module.slug} › {lesson.slug} › question {number}"
                problems.extend(f"{where}: {problem}" for problem in code_question_problems(question))
    return problems


def program_import(*, actor: User, data: bytes) -> Program:
    """Import a package as a new program owned by ``actor``. Raises PackageError; nothing is written on error.

    A slug already in use gets a numeric suffix, so importing never overwrites existing content. A code-entry
    question whose accepted answer is not a billable code of the current release refuses the whole package.
    """
    try:
        bundle = bundle_from_package(data)
    except ContentError as exc:
        raise PackageError(exc.errors) from None
    problems = package_code_problems(bundle)
    if problems:
        raise PackageError(problems)
    with transaction.atomic():
        slug = _free_slug(Program, bundle.program.slug)
        taken: set[str] = set()
        deck_slugs = {}
        for deck in bundle.decks:
            deck_slugs[deck.slug] = _free_slug(Deck, deck.slug, taken)
            taken.add(deck_slugs[deck.slug])
        program = program_upsert_from_bundle(
            bundle=bundle, source=ContentSource.IMPORTED, owner=actor, slug=slug, deck_slugs=deck_slugs
        )
        audit_record(actor=actor, action="course.package_imported", target=program,
                     after={"modules": len(bundle.modules), "questions": bundle.question_count, "cards": bundle.card_count})
    return program

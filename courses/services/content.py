"""Write validated content (a ContentBundle) into the database: one transaction, upsert by slug."""

from __future__ import annotations

from django.db import transaction

from ..content_loader import ContentBundle, DeckSpec, LessonSpec, ModuleSpec
from ..models import ContentSource, Deck, Flashcard, Lesson, Module, Program, Question
from ..reading_time import reading_minutes

# The module the code-set listener publishes into; content reloads never delete it.
CODESET_UPDATES_SLUG = "code-set-updates"


def _question_fields(q) -> dict:
    return {
        "kind": q.kind, "prompt": q.prompt, "choices": q.choices, "parts": q.parts, "system": q.system,
        "term": q.term, "answer": q.answer, "explanation": q.explanation, "domain": q.domain,
    }


def _lesson_upsert(*, module: Module, spec: LessonSpec, position: int) -> Lesson:
    lesson, _ = Lesson.objects.update_or_create(
        module=module, slug=spec.slug,
        defaults={"title": spec.title, "minutes": reading_minutes(spec.body), "body": spec.body, "position": position,
                  "exercises": spec.exercises},
    )
    existing = {q.position: q for q in lesson.questions.all()}
    for position_q, q in enumerate(spec.quiz):
        fields = _question_fields(q)
        current = existing.pop(position_q, None)
        if current is None:
            Question.objects.create(lesson=lesson, position=position_q, **fields)
        elif any(getattr(current, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(current, k, v)
            current.save()
    if existing:
        Question.objects.filter(pk__in=[q.pk for q in existing.values()]).delete()
    return lesson


def _module_upsert(*, program: Program, spec: ModuleSpec, position: int) -> Module:
    module, _ = Module.objects.update_or_create(
        program=program, slug=spec.slug,
        defaults={"title": spec.title, "summary": spec.summary, "domains": spec.domains,
                  "ceu_hours": spec.ceu_hours, "position": position},
    )
    keep = []
    for lesson_position, lesson_spec in enumerate(spec.lessons):
        keep.append(_lesson_upsert(module=module, spec=lesson_spec, position=lesson_position).pk)
    module.lessons.exclude(pk__in=keep).delete()
    return module


def deck_upsert(*, spec: DeckSpec, program: Program | None, source: str, owner=None, content_hash: str = "") -> Deck:
    deck, _ = Deck.objects.update_or_create(
        slug=spec.slug,
        defaults={"title": spec.title, "kind": spec.kind, "domain": spec.domain, "program": program,
                  "source": source, "owner": owner, "content_hash": content_hash},
    )
    existing = {c.front: c for c in deck.cards.all()}
    new_cards = []
    for position, card in enumerate(spec.cards):
        current = existing.pop(card.front, None)
        if current is None:
            new_cards.append(Flashcard(deck=deck, front=card.front, back=card.back, position=position))
        elif current.back != card.back or current.position != position:
            current.back, current.position = card.back, position
            current.save(update_fields=["back", "position"])
    Flashcard.objects.bulk_create(new_cards)
    if existing:
        Flashcard.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return deck


@transaction.atomic
def program_upsert_from_bundle(
    *, bundle: ContentBundle, source: str = ContentSource.DEMO, owner=None, slug: str | None = None,
    deck_slugs: dict[str, str] | None = None,
) -> Program:
    """Create or update a program, its modules, lessons, questions and decks from validated specs."""
    spec = bundle.program
    program, _ = Program.objects.update_or_create(
        slug=slug or spec.slug,
        defaults={"title": spec.title, "summary": spec.summary, "credential_focus": spec.credential_focus,
                  "source": source, "owner": owner},
    )
    modules: dict[str, Module] = {}
    for position, module_spec in enumerate(bundle.modules):
        modules[module_spec.slug] = _module_upsert(program=program, spec=module_spec, position=position)
    for module_spec in bundle.modules:
        modules[module_spec.slug].prerequisites.set([modules[p] for p in module_spec.prerequisites])
    stale = program.modules.exclude(slug__in=list(modules)).exclude(slug=CODESET_UPDATES_SLUG)
    stale.delete()
    updates = program.modules.filter(slug=CODESET_UPDATES_SLUG).first()
    if updates is not None:  # keep the published code-set module last
        updates.position = len(modules)
        updates.save(update_fields=["position"])
    for deck_spec in bundle.decks:
        if deck_slugs:
            deck_spec.slug = deck_slugs.get(deck_spec.slug, deck_spec.slug)
        deck_upsert(spec=deck_spec, program=program, source=source, owner=owner)
    program.content_hash = bundle.content_hash
    program.save(update_fields=["content_hash", "updated_at"])
    return program

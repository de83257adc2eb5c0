"""Course content files: parse and validate, no database. Pure (no Django imports).

Layout of a content directory (YAML)::

    program.yaml            slug, title, summary, credential_focus, modules: [module slug, ...]
    modules/NN-<slug>.yaml  slug, title, summary, domains, ceu_hours, prerequisites, lessons: [...]
    decks/<slug>.yaml       slug, title, kind, domain, cards: [{front, back}, ...]

The same validators (courses.content_schema) check course packages (JSON) and the authoring
forms, so every path accepts exactly the same shapes. Every problem is collected with its
location; nothing is half-accepted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .content_schema import (  # noqa: F401  (re-exported: the public API of content files)
    CODE_SYSTEMS, DECK_KINDS, QUESTION_KINDS, SLUG_RE, CardSpec, ContentBundle, ContentError, DeckSpec, LessonSpec,
    ModuleSpec, ProgramSpec, QuestionSpec, parse_deck, parse_lesson, parse_module, parse_program, parse_question,
)


def check_bundle(program: ProgramSpec, modules: list[ModuleSpec], errors: list[str]) -> list[ModuleSpec]:
    """Cross-file rules: listed modules exist, slugs unique, prerequisites known and acyclic. Returns modules in order."""
    by_slug: dict[str, ModuleSpec] = {}
    for module in modules:
        if module.slug in by_slug:
            errors.append(f"modules: slug {module.slug!r} is used by two modules")
        by_slug[module.slug] = module
    for slug in program.modules:
        if slug not in by_slug:
            errors.append(f"program: module {slug!r} is listed but no module file has that slug")
    ordered = [by_slug[s] for s in program.modules if s in by_slug]
    ordered += [m for m in modules if m.slug not in program.modules]  # unlisted modules go last
    for module in ordered:
        for prereq in module.prerequisites:
            if prereq not in by_slug:
                errors.append(f"module {module.slug}: unknown prerequisite {prereq!r}")
            elif prereq == module.slug:
                errors.append(f"module {module.slug}: a module cannot be its own prerequisite")
    # Cycle check (depth-first).
    state: dict[str, int] = {}

    def visit(slug: str, trail: list[str]) -> None:
        if state.get(slug) == 2 or slug not in by_slug:
            return
        if state.get(slug) == 1:
            errors.append(f"module prerequisites form a cycle: {' → '.join(trail + [slug])}")
            return
        state[slug] = 1
        for prereq in by_slug[slug].prerequisites:
            if prereq != slug:
                visit(prereq, trail + [slug])
        state[slug] = 2

    for slug in by_slug:
        visit(slug, [])
    return ordered


def _load_yaml(path: Path, root: Path, errors: list[str]) -> Any:
    where = str(path.relative_to(root))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(f"{where}: cannot be read as YAML ({str(exc).splitlines()[0]})")
        return None


def content_files(root: Path) -> list[Path]:
    files = [root / "program.yaml"] if (root / "program.yaml").exists() else []
    for sub in ("modules", "decks"):
        if (root / sub).is_dir():
            files += sorted(p for p in (root / sub).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


def directory_hash(root: Path) -> str:
    """A hash of every content file's name and bytes: unchanged hash means nothing to reload."""
    digest = hashlib.sha256()
    for path in content_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_directory(root: str | Path) -> ContentBundle:
    """Read and validate a content directory; raise ContentError listing every problem."""
    root = Path(root)
    errors: list[str] = []
    if not (root / "program.yaml").is_file():
        raise ContentError([f"{root}: program.yaml is missing"])
    program = parse_program(_load_yaml(root / "program.yaml", root, errors), "program.yaml", errors)
    modules: list[ModuleSpec] = []
    decks: list[DeckSpec] = []
    for path in content_files(root):
        where = str(path.relative_to(root))
        if path.parent.name == "modules":
            module = parse_module(_load_yaml(path, root, errors), where, errors)
            if module:
                modules.append(module)
        elif path.parent.name == "decks":
            deck = parse_deck(_load_yaml(path, root, errors), where, errors)
            if deck:
                decks.append(deck)
    deck_slugs = [d.slug for d in decks]
    for slug in {s for s in deck_slugs if deck_slugs.count(s) > 1}:
        errors.append(f"decks: slug {slug!r} is used by two decks")
    if program is not None:
        modules = check_bundle(program, modules, errors)
    if errors or program is None:
        raise ContentError(errors or ["program.yaml: invalid"])
    return ContentBundle(program=program, modules=modules, decks=decks, content_hash=directory_hash(root))

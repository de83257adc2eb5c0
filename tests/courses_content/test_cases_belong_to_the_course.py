"""Chart cases belong to the course: every demo case names a real demo module, and every case a lesson lists
exists (module and lesson pages list their practice cases from these)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
MODULES_DIR = REPO / "courses" / "demo_content" / "modules"


def _modules() -> list[dict]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(MODULES_DIR.glob("*.yaml"))]


def test_every_demo_case_names_a_module_of_the_demo_course():
    from exercises.demo import demo_cases

    modules = _modules()
    module_slugs = {module["slug"] for module in modules}
    lesson_homes = {lesson["slug"]: module["slug"] for module in modules for lesson in module["lessons"]}
    wrong = []
    for case in demo_cases():
        slug = case.get("module_slug")
        if slug not in module_slugs:
            hint = (f"“{slug}” is a lesson of module “{lesson_homes[slug]}”: set module_slug: {lesson_homes[slug]} "
                    "and list the case under that lesson's `exercises`" if slug in lesson_homes else f"“{slug}” is no module")
            wrong.append(f"{case['slug']}: {hint}")
    assert wrong == []


def test_every_case_a_lesson_lists_is_a_demo_case_of_that_module():
    from exercises.demo import demo_cases

    cases = {case["slug"]: case for case in demo_cases()}
    wrong = []
    for module in _modules():
        for lesson in module["lessons"]:
            for slug in lesson.get("exercises") or []:
                if slug not in cases:
                    wrong.append(f"{module['slug']} › {lesson['slug']}: no demo case “{slug}”")
                elif cases[slug].get("module_slug") not in (module["slug"], lesson["slug"]):
                    wrong.append(f"{module['slug']} › {lesson['slug']}: “{slug}” belongs to {cases[slug].get('module_slug')}")
    assert wrong == []

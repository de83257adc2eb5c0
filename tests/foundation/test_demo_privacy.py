"""Demo and fixture data contain nothing that looks like a real patient identifier (RELIABILITY 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exercises.privacy import privacy_warnings

REPO = Path(__file__).resolve().parents[2]
DEMO_DATA_DIRS = ["exercises/demo_cases", "courses/demo_content", "certification/demo_questions", "codesets/data"]


def demo_files() -> list[Path]:
    files: list[Path] = []
    for folder in DEMO_DATA_DIRS:
        files.extend(p for p in sorted((REPO / folder).rglob("*")) if p.is_file() and p.suffix in {".yaml", ".yml", ".json", ".md", ".csv", ".txt"})
    return files


def test_there_is_demo_data_to_check():
    assert len(demo_files()) >= 10


@pytest.mark.parametrize("path", demo_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_demo_file_has_no_identifier_like_text(path):
    assert privacy_warnings(path.read_text(encoding="utf-8"), where=path.name) == []

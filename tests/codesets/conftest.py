"""Fixture files and helpers for the code-set tests (small files in the official formats)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def import_pcs_sample():
    """The hand-made CMS-format ICD-10-PCS sample (tables and order file), imported and current."""
    from codesets.services import release_import

    return release_import(system="icd10pcs", path=fixture_path("pcs_tables_fy2026_sample.xml"),
                          order_path=fixture_path("pcs_order_fy2026_sample.txt"), label="FY2026-sample",
                          effective_from=datetime.date(2025, 10, 1), activate=True).release


@pytest.fixture
def pcs_release(db):
    return import_pcs_sample()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def fy2025(db):
    """The small FY2025-style ICD-10-CM release, imported and current."""
    from codesets.services import release_import

    return release_import(
        system="icd10cm", path=fixture_path("tabular_fy2025.xml"), label="FY2025", effective_from=datetime.date(2024, 10, 1), activate=True
    ).release


@pytest.fixture
def fy2026(fy2025):
    """The small FY2026-style release imported after FY2025 (not current)."""
    from codesets.services import release_import

    return release_import(
        system="icd10cm", path=fixture_path("tabular_fy2026.xml"), label="FY2026", effective_from=datetime.date(2025, 10, 1)
    ).release

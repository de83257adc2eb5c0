"""First run: the README's numbers match the site, and another port is one variable away with every line
printed naming the address actually served."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_readme_module_count_matches_the_demo_program():
    from codesets.services import release_import
    from courses.content_loader import load_directory
    from courses.demo import DEMO_CONTENT_DIR
    from courses.models import ContentSource, Module
    from courses.services.codeset_updates import whats_new_lesson_publish
    from courses.services.content import program_upsert_from_bundle
    from tests.codesets.conftest import fixture_path

    program = program_upsert_from_bundle(bundle=load_directory(DEMO_CONTENT_DIR), source=ContentSource.DEMO)
    release_import(system="icd10cm", path=fixture_path("tabular_fy2025.xml"), label="FY2025",
                   effective_from=datetime.date(2024, 10, 1))
    fy2026 = release_import(system="icd10cm", path=fixture_path("tabular_fy2026.xml"), label="FY2026",
                            effective_from=datetime.date(2025, 10, 1), activate=True).release
    whats_new_lesson_publish(release=fy2026)  # what load_demo does for the bundled release
    on_site = Module.objects.filter(program=program).count()
    readme = (REPO / "README.md").read_text()
    stated = [int(n) for n in re.findall(r"program of (\d+) modules", readme)]
    assert stated == [on_site], f"README says {stated}, the site has {on_site} modules"
    assert "12-module" not in readme


def test_make_run_passes_its_port_to_every_line_it_prints():
    dry = subprocess.run(["make", "-n", "run", "PORT=8102"], cwd=REPO, capture_output=True, text=True, check=True,
                         env={**os.environ, "MAKEFLAGS": ""}).stdout
    assert "load_demo --url http://127.0.0.1:8102/" in dry
    assert 'Serving on http://127.0.0.1:8102/' in dry and "runserver 127.0.0.1:8102" in dry
    assert ":8000" not in dry
    readme = (REPO / "README.md").read_text()
    assert "make run PORT=8102" in readme


@pytest.mark.django_db
def test_load_demo_prints_the_address_it_is_given(monkeypatch):
    from accounts.management.commands import load_demo

    monkeypatch.setattr(load_demo, "DEMO_LOADERS", [])
    out = io.StringIO()
    call_command("load_demo", url="http://127.0.0.1:8102/", stdout=out)
    assert "sign in at http://127.0.0.1:8102/" in out.getvalue()

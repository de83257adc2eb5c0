"""The loader: counts, hierarchy, diff, all-or-nothing, duplicates, activation, the ready signal."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Model

from accounts.models import AuditEvent
from codesets.models import Code, CodeSetRelease, ReleaseChange, ReleaseStatus
from codesets.services import CodeSetImportError, release_activate, release_diff_compute, release_import
from codesets.signals import release_ready
from codesets.services import imports

from .conftest import fixture_path

pytestmark = pytest.mark.django_db


def import_fy2026(**kwargs):
    return release_import(
        system="icd10cm", path=fixture_path("tabular_fy2026.xml"), label="FY2026", effective_from=datetime.date(2025, 10, 1), **kwargs
    )


def test_it_imports_codes_headers_and_counts(fy2025):
    assert fy2025.status == ReleaseStatus.READY
    assert (fy2025.billable_count, fy2025.header_count) == (16, 20)
    assert Code.objects.filter(release=fy2025).count() == 36
    e11 = Code.objects.get(release=fy2025, code="E11")
    assert (e11.display_code, e11.kind, e11.parent_code, e11.chapter, e11.depth) == ("E11", "category", "E08-E13", "4", 2)
    assert Code.objects.get(release=fy2025, code="S060X0A").display_code == "S06.0X0A"
    assert Code.objects.get(release=fy2025, code="E11").notes["excludes1"]
    assert fy2025.is_current and fy2025.previous_release is None


def test_it_stores_the_diff_against_the_previous_release(fy2026):
    assert fy2026.previous_release.label == "FY2025"
    changes = {(c.kind, c.code) for c in ReleaseChange.objects.filter(release=fy2026)}
    assert {code for kind, code in changes if kind == "added"} == {"A001", "B10810", "B10818", "E11A"}
    assert {code for kind, code in changes if kind == "deleted"} == {"B1081", "B1089"}
    assert {code for kind, code in changes if kind == "revised"} == {"A000", "S060X0A", "S060X0D", "S060X0S"}
    revised = ReleaseChange.objects.get(release=fy2026, code="A000")
    assert revised.old_title.endswith("01, biovar cholerae") and revised.new_title.endswith("O1, biovar cholerae")
    assert revised.chapter == "1" and revised.display_code == "A00.0"
    assert ReleaseChange.objects.get(release=fy2026, code="B1089").chapter == "1"


def test_importing_does_not_switch_the_current_release_unless_asked(fy2026):
    fy2025 = CodeSetRelease.objects.get(label="FY2025")
    assert fy2025.is_current and not fy2026.is_current


def test_the_same_file_twice_makes_one_release(fy2025):
    outcome = release_import(
        system="icd10cm", path=fixture_path("tabular_fy2025.xml"), label="FY2025-again", effective_from=datetime.date(2024, 10, 1)
    )
    assert outcome.created is False and outcome.release == fy2025
    assert CodeSetRelease.objects.count() == 1


def test_a_label_taken_by_another_file_is_refused(fy2025):
    with pytest.raises(CodeSetImportError, match="already exists and was made from a different file"):
        release_import(system="icd10cm", path=fixture_path("tabular_fy2026.xml"), label="FY2025", effective_from=datetime.date(2025, 10, 1))
    assert CodeSetRelease.objects.count() == 1


def test_a_bad_file_leaves_a_failed_release_without_codes_and_the_current_one_untouched(fy2025, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(fixture_path("tabular_fy2026.xml").read_bytes()[:3000])
    with pytest.raises(CodeSetImportError, match="not well-formed XML"):
        release_import(system="icd10cm", path=broken, label="FY2026", effective_from=datetime.date(2025, 10, 1), activate=True)
    failed = CodeSetRelease.objects.get(label="FY2026")
    assert failed.status == ReleaseStatus.FAILED and "truncated" in failed.error_message
    assert not Code.objects.filter(release=failed).exists()
    assert CodeSetRelease.objects.get(label="FY2025").is_current


def test_a_failure_while_writing_rolls_back_every_row(fy2025, monkeypatch):
    calls = {"n": 0}
    original = imports._write_code_chunk

    def fail_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "CHUNK_SIZE", 10)
    monkeypatch.setattr(imports, "_write_code_chunk", fail_on_second_batch)
    with pytest.raises(CodeSetImportError, match="stopped while writing.*disk full"):
        import_fy2026(activate=True)
    failed = CodeSetRelease.objects.get(label="FY2026")
    assert failed.status == ReleaseStatus.FAILED
    assert Code.objects.filter(release=failed).count() == 0
    assert ReleaseChange.objects.filter(release=failed).count() == 0
    assert CodeSetRelease.objects.current().get().label == "FY2025"


def test_an_interrupted_import_keeps_nothing_and_can_be_run_again(fy2025, monkeypatch):
    original = imports._write_code_chunk

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(imports, "_write_code_chunk", interrupt)
    with pytest.raises(KeyboardInterrupt):
        import_fy2026()
    release = CodeSetRelease.objects.get(label="FY2026")
    assert release.status == ReleaseStatus.FAILED and "interrupted" in release.error_message
    assert not Code.objects.filter(release=release).exists()
    monkeypatch.setattr(imports, "_write_code_chunk", original)
    outcome = import_fy2026()
    assert outcome.created and outcome.release.pk == release.pk and outcome.release.status == ReleaseStatus.READY


def test_release_ready_is_sent_after_commit(fy2025, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, release, **kwargs):
        received.append((release.label, release.changes.count()))

    release_ready.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            import_fy2026()
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        release_ready.disconnect(receiver)
    assert received == [("FY2026", 10)]


def test_activation_switches_current_and_is_audited(fy2026, admin_user):
    release_activate(release=fy2026, actor=admin_user, ip_address="10.0.0.1")
    fy2026.refresh_from_db()
    fy2025 = CodeSetRelease.objects.get(label="FY2025")
    assert fy2026.is_current and fy2026.activated_at is not None
    assert not fy2025.is_current and fy2025.effective_to == datetime.date(2025, 9, 30)
    event = AuditEvent.objects.get(action="codeset.release_activated", target_id=str(fy2026.pk))
    assert (event.actor, event.target_id, event.ip_address) == (admin_user, str(fy2026.pk), "10.0.0.1")
    assert event.before == {"current_release_id": fy2025.pk, "label": "FY2025"}
    assert event.after["label"] == "FY2026"


def test_a_failed_release_cannot_be_activated(fy2025, admin_user):
    failed = CodeSetRelease.objects.create(system="icd10cm", label="BAD", effective_from=datetime.date(2026, 10, 1), status=ReleaseStatus.FAILED)
    with pytest.raises(CodeSetImportError, match="Only a fully imported release"):
        release_activate(release=failed, actor=admin_user)
    assert CodeSetRelease.objects.current().get() == fy2025


def test_the_diff_can_be_recomputed_without_duplicates(fy2026):
    assert release_diff_compute(release=fy2026) == {"added": 4, "deleted": 2, "revised": 4}
    assert ReleaseChange.objects.filter(release=fy2026).count() == 10


def test_order_file_import_takes_its_billable_flags(db):
    outcome = release_import(
        system="icd10cm",
        path=fixture_path("tabular_fy2025.xml"),
        order_path=fixture_path("order_fy2025.txt"),
        label="FY2025",
        effective_from=datetime.date(2024, 10, 1),
    )
    assert Code.objects.get(release=outcome.release, code="E119").billable is False
    assert Code.objects.get(release=outcome.release, code="A000").short_title == "Cholera d/t vib cholerae 01, biovar cholerae"
    assert outcome.warnings


def test_hcpcs_quarters_diff(db):
    q1 = release_import(system="hcpcs", path=fixture_path("hcpcs_2026q1_fixed.txt"), label="2026-Q1", effective_from=datetime.date(2026, 1, 1)).release
    q2 = release_import(system="hcpcs", path=fixture_path("hcpcs_2026q2.csv"), label="2026-Q2", effective_from=datetime.date(2026, 4, 1)).release
    assert q1.billable_count == 5 and q2.previous_release == q1
    changes = {(c.kind, c.code) for c in q2.changes.all()}
    assert changes == {("added", "G0568"), ("deleted", "V2020"), ("revised", "J1100")}


def test_cpt_release_keeps_the_licence_flag(db):
    release = release_import(
        system="cpt", path=fixture_path("cpt_licensed.tsv"), label="2026", effective_from=datetime.date(2026, 1, 1), descriptors_are_licensed=True
    ).release
    assert release.descriptors_are_licensed and release.billable_count == 5
    assert isinstance(release, Model)

"""The yearly update when releases arrive out of order: diffs and flags follow effective dates,
an import between two releases recomputes the later one's diff, going back to an older release
warns and is audited, and an upload in the embedded mode shows its progress while it imports."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from codesets.models import CodeSetRelease, ContentFlag, ReleaseChange, ReleaseStatus
from codesets.services import release_activate, release_import
from codesets.services.activation import OlderReleaseError

from .conftest import fixture_path

pytestmark = pytest.mark.django_db

FY2026_CHANGES = {
    "added": {"A001", "B10810", "B10818", "E11A"},
    "deleted": {"B1081", "B1089"},
    "revised": {"A000", "S060X0A", "S060X0D", "S060X0S"},
}


def import_release(label: str, effective: datetime.date, name: str | None = None, path=None, **kwargs):
    return release_import(system="icd10cm", path=path or fixture_path(name), label=label, effective_from=effective,
                          **kwargs).release


def import_fy2025(**kwargs):
    return import_release("FY2025", datetime.date(2024, 10, 1), "tabular_fy2025.xml", **kwargs)


def import_fy2026(**kwargs):
    return import_release("FY2026", datetime.date(2025, 10, 1), "tabular_fy2026.xml", **kwargs)


def copy_of(name: str, tmp_path, marker: str):
    """The same codes in a different file (a comment makes the fingerprint differ)."""
    target = tmp_path / f"{marker}-{name}"
    target.write_bytes(fixture_path(name).read_bytes() + f"<!-- {marker} -->\n".encode())
    return target


def changes_of(release) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"added": set(), "deleted": set(), "revised": set()}
    for change in ReleaseChange.objects.filter(release=release):
        found[change.kind].add(change.code)
    return found


@pytest.fixture
def key_naming_deleted_code(instructor):
    from tests.exercises.factories import CaseFactory, make_key

    case = CaseFactory(title="Bartonellosis follow-up", author=instructor)
    make_key(case, [{"role": "principal", "code": "B1089"}])
    return case


def test_the_older_release_imported_last_becomes_the_previous_release_of_the_newer(
    key_naming_deleted_code, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fy2026 = import_fy2026()
    assert fy2026.previous_release is None and ReleaseChange.objects.filter(release=fy2026).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        fy2025 = import_fy2025()
    fy2026.refresh_from_db()
    fy2025.refresh_from_db()
    assert fy2025.previous_release is None
    assert fy2026.previous_release == fy2025
    assert changes_of(fy2026) == FY2026_CHANGES
    assert "4 added, 2 deleted, 4 revised since FY2025" in fy2026.progress_message
    # Content review follows the diff: the key line naming the deleted B10.89 is flagged on FY2026.
    assert ContentFlag.objects.filter(release=fy2026, code="B1089", change_kind="deleted").count() == 1
    assert not ContentFlag.objects.filter(release=fy2025).exists()


def test_an_import_between_two_releases_recomputes_the_diff_of_the_one_after(
    tmp_path, key_naming_deleted_code, django_capture_on_commit_callbacks
):
    # FY2024 has FY2026's codes, so FY2026 first compares as "no change".
    with django_capture_on_commit_callbacks(execute=True):
        fy2024 = import_release("FY2024", datetime.date(2023, 10, 1), path=copy_of("tabular_fy2026.xml", tmp_path, "fy2024"))
        fy2026 = import_fy2026()
    fy2026.refresh_from_db()
    assert fy2026.previous_release == fy2024 and changes_of(fy2026) == {"added": set(), "deleted": set(), "revised": set()}
    assert not ContentFlag.objects.filter(release=fy2026).exists()

    with django_capture_on_commit_callbacks(execute=True):
        fy2025 = import_fy2025()
    fy2025.refresh_from_db()
    fy2026.refresh_from_db()
    assert fy2025.previous_release == fy2024 and fy2026.previous_release == fy2025
    assert changes_of(fy2026) == FY2026_CHANGES
    assert ContentFlag.objects.filter(release=fy2026, code="B1089").count() == 1


def test_flags_the_recomputed_diff_no_longer_supports_are_withdrawn_and_resolved_ones_kept(
    tmp_path, key_naming_deleted_code, admin_user, django_capture_on_commit_callbacks
):
    from codesets.services import content_flag_raise, content_flag_resolve

    with django_capture_on_commit_callbacks(execute=True):
        import_fy2025()
        fy2026 = import_fy2026()
    assert ContentFlag.objects.filter(release=fy2026, code="B1089").exists()
    resolved = content_flag_raise(release=fy2026, code="A000", change_kind="revised", target_type="courses.question",
                                  target_id=1, target_label="A question on cholera")
    content_flag_resolve(flag=resolved, actor=admin_user, note="Checked the wording.")
    # A spring update with FY2026's codes lands between the two: FY2026 changes nothing against it.
    with django_capture_on_commit_callbacks(execute=True):
        import_release("FY2025-APR", datetime.date(2025, 4, 1), path=copy_of("tabular_fy2026.xml", tmp_path, "apr"))
    fy2026.refresh_from_db()
    assert fy2026.previous_release.label == "FY2025-APR"
    assert changes_of(fy2026) == {"added": set(), "deleted": set(), "revised": set()}
    assert list(ContentFlag.objects.filter(release=fy2026).values_list("code", flat=True)) == ["A000"]


def test_release_list_names_the_previous_release_whatever_the_import_order(admin_client_):
    import_fy2026()
    import_fy2025()
    page = admin_client_.get(reverse("codesets:release_list")).content.decode()
    assert page.count("First release") == 1
    assert "vs FY2025" in page


class TestGoingBackToAnOlderRelease:
    @pytest.fixture
    def both(self):
        fy2025 = import_fy2025()
        fy2026 = import_fy2026(activate=True)
        fy2025.refresh_from_db()
        return fy2025, fy2026

    def test_the_service_refuses_without_confirmation_and_names_both_releases(self, both, admin_user):
        fy2025, fy2026 = both
        with pytest.raises(OlderReleaseError) as refused:
            release_activate(release=fy2025, actor=admin_user)
        assert "FY2025" in refused.value.message and "FY2026" in refused.value.message
        fy2026.refresh_from_db()
        assert fy2026.is_current

    def test_confirmed_it_switches_and_the_audit_event_names_both(self, both, admin_user):
        fy2025, fy2026 = both
        release_activate(release=fy2025, actor=admin_user, allow_older=True)
        fy2025.refresh_from_db()
        assert fy2025.is_current
        event = AuditEvent.objects.filter(action="codeset.release_activated", target_id=str(fy2025.pk)).get()
        assert event.before["label"] == "FY2026"
        assert event.after["older_than_previous"] is True
        assert "FY2025" in event.after["warning"] and "FY2026" in event.after["warning"]

    def test_the_page_warns_naming_both_years_and_needs_an_explicit_confirmation(self, both, admin_client_, admin_user):
        fy2025, fy2026 = both
        detail = admin_client_.get(reverse("codesets:release_detail", args=[fy2025.pk])).content.decode()
        assert "data-older-warning" in detail
        assert "FY2025 is older than the current FY2026" in detail
        assert "Make FY2025 current instead of FY2026" in detail

        response = admin_client_.post(reverse("codesets:release_activate", args=[fy2025.pk]), follow=True)
        assert "Not changed." in response.content.decode()
        fy2026.refresh_from_db()
        assert fy2026.is_current
        assert not AuditEvent.objects.filter(action="codeset.release_activated", target_id=str(fy2025.pk)).exists()

        response = admin_client_.post(reverse("codesets:release_activate", args=[fy2025.pk]), {"confirm_older": "1"},
                                      follow=True)
        body = response.content.decode()
        assert "replacing the newer FY2026" in body
        fy2025.refresh_from_db()
        assert fy2025.is_current
        assert AuditEvent.objects.filter(action="codeset.release_activated", target_id=str(fy2025.pk),
                                         actor=admin_user).exists()

    def test_the_api_needs_confirm_older(self, both, admin_user):
        from rest_framework.test import APIClient

        fy2025, _ = both
        client = APIClient()
        client.force_login(admin_user)
        refused = client.post(f"/api/v1/codesets/{fy2025.pk}/activate/", {}, format="json")
        assert refused.status_code == 400 and "older than the current FY2026" in refused.json()["detail"]
        accepted = client.post(f"/api/v1/codesets/{fy2025.pk}/activate/", {"confirm_older": True}, format="json")
        assert accepted.status_code == 200 and accepted.json()["is_current"] is True


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_upload_returns_at_once_and_the_page_polls_the_import(
    admin_client_, settings, monkeypatch
):
    """Eager Celery would import inside the upload request; the embedded mode imports in a thread."""
    from codesets import tasks

    settings.CODESET_IMPORT_IN_THREAD = True
    go = threading.Event()
    real_run = tasks.release_import_run

    def held_run(**kwargs):
        assert go.wait(20)
        return real_run(**kwargs)

    monkeypatch.setattr(tasks, "release_import_run", held_run)
    upload = SimpleUploadedFile("tabular_fy2025.xml", fixture_path("tabular_fy2025.xml").read_bytes())
    response = admin_client_.post(reverse("codesets:release_upload"),
                                  {"system": "icd10cm", "label": "FY2025", "effective_from": "2024-10-01", "file": upload})
    release = CodeSetRelease.objects.get(label="FY2025")
    assert response.status_code == 302 and release.status == ReleaseStatus.IMPORTING

    page = admin_client_.get(response.url).content.decode()
    assert "Importing FY2025" in page and 'hx-trigger="every 1s"' in page
    assert "is being imported; the progress is below" in page
    assert "Status" not in page  # the facts of a ready release are not shown while importing
    partial = admin_client_.get(reverse("codesets:release_progress", args=[release.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in partial and 'role="progressbar"' in partial.content.decode()

    go.set()
    worker = next(t for t in threading.enumerate() if t.name == f"codeset-import-{release.pk}")
    worker.join(30)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.READY and release.billable_count == 16
    partial = admin_client_.get(reverse("codesets:release_progress", args=[release.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    page = admin_client_.get(response.url).content.decode()
    assert "is being imported" not in page and "Make current" in page

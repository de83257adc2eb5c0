"""The admin pages (releases, upload with progress, activation), the diff page and the review queue."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from codesets.models import CodeSetRelease, ContentFlag, ReleaseStatus
from codesets.services import content_flag_raise

from .conftest import fixture_path

pytestmark = pytest.mark.django_db


def upload_data(name="tabular_fy2025.xml", content=None, **overrides):
    data = {
        "system": "icd10cm",
        "label": "FY2025",
        "effective_from": "2024-10-01",
        "file": SimpleUploadedFile(name, content if content is not None else fixture_path(name).read_bytes(), content_type="text/xml"),
    }
    data.update(overrides)
    return data


class TestAccess:
    @pytest.mark.parametrize(
        "url_name,kwargs",
        [
            ("codesets:release_list", {}),
            ("codesets:release_upload", {}),
            ("codesets:release_detail", {"release_id": "R"}),
            ("codesets:release_progress", {"release_id": "R"}),
        ],
    )
    def test_students_and_instructors_cannot_open_admin_pages(self, url_name, kwargs, fy2025, student_client, instructor_client):
        url = reverse(url_name, kwargs={k: fy2025.pk for k in kwargs})
        assert student_client.get(url).status_code == 403
        assert instructor_client.get(url).status_code == 403

    def test_students_cannot_see_the_queue_or_the_diff(self, fy2026, student_client):
        assert student_client.get(reverse("codesets:flag_queue")).status_code == 403
        assert student_client.get(reverse("codesets:release_changes", args=[fy2026.pk])).status_code == 403
        assert student_client.get(reverse("codesets:release_whats_new", args=[fy2026.pk])).status_code == 403

    def test_students_cannot_activate_or_upload(self, fy2026, student_client):
        assert student_client.post(reverse("codesets:release_activate", args=[fy2026.pk])).status_code == 403
        assert student_client.post(reverse("codesets:release_upload"), upload_data(label="X")).status_code == 403
        fy2026.refresh_from_db()
        assert not fy2026.is_current and CodeSetRelease.objects.count() == 2

    def test_instructors_cannot_activate(self, fy2026, instructor_client):
        assert instructor_client.post(reverse("codesets:release_activate", args=[fy2026.pk])).status_code == 403
        fy2026.refresh_from_db()
        assert not fy2026.is_current

    def test_unknown_release_is_404(self, admin_client_, instructor_client):
        assert admin_client_.get(reverse("codesets:release_detail", args=[999])).status_code == 404
        assert instructor_client.get(reverse("codesets:release_changes", args=[999])).status_code == 404

    def test_instructors_do_not_see_failed_releases(self, instructor_client):
        failed = CodeSetRelease.objects.create(system="icd10cm", label="BAD", effective_from=datetime.date(2026, 10, 1), status=ReleaseStatus.FAILED)
        assert instructor_client.get(reverse("codesets:release_changes", args=[failed.pk])).status_code == 404


class TestReleaseList:
    def test_it_lists_releases_with_counts(self, fy2026, admin_client_):
        response = admin_client_.get(reverse("codesets:release_list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "FY2025" in html and "FY2026" in html and "Current" in html
        assert "+4" in html and "−2" in html and "~4" in html
        assert "Make current" in html

    def test_query_count_does_not_grow_with_releases(self, fy2026, admin_client_, django_assert_max_num_queries):
        for n in range(5):
            CodeSetRelease.objects.create(system="hcpcs", label=f"Q{n}", effective_from=datetime.date(2026, 1 + n, 1), status=ReleaseStatus.READY)
        with django_assert_max_num_queries(8):
            assert admin_client_.get(reverse("codesets:release_list")).status_code == 200


class TestUpload:
    def test_an_admin_uploads_a_release_and_it_is_imported_by_the_task(self, admin_client_, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = admin_client_.post(reverse("codesets:release_upload"), upload_data())
        assert len(callbacks) >= 1
        release = CodeSetRelease.objects.get(label="FY2025")
        assert response.status_code == 302 and response.url == reverse("codesets:release_detail", args=[release.pk])
        assert release.status == ReleaseStatus.READY and release.billable_count == 16 and not release.is_current
        assert release.source_name == "tabular_fy2025.xml"
        page = admin_client_.get(response.url).content.decode()
        assert "16" in page and "Make current" in page

    def test_while_importing_the_page_polls_for_progress(self, admin_client_, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            admin_client_.post(reverse("codesets:release_upload"), upload_data())
        release = CodeSetRelease.objects.get(label="FY2025")
        assert release.status == ReleaseStatus.IMPORTING
        page = admin_client_.get(reverse("codesets:release_detail", args=[release.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in page and reverse("codesets:release_progress", args=[release.pk]) in page
        assert 'aria-live="polite"' in page
        partial = admin_client_.get(reverse("codesets:release_progress", args=[release.pk]), HTTP_HX_REQUEST="true")
        assert partial.status_code == 200 and 'data-progress="0"' in partial.content.decode()
        assert "HX-Refresh" not in partial

    def test_the_progress_partial_asks_for_a_refresh_when_done(self, fy2025, admin_client_):
        partial = admin_client_.get(reverse("codesets:release_progress", args=[fy2025.pk]), HTTP_HX_REQUEST="true")
        assert partial["HX-Refresh"] == "true" and 'data-progress="100"' in partial.content.decode()

    @pytest.mark.parametrize(
        "name,content,message",
        [
            ("truncated.xml", fixture_path("tabular_fy2025.xml").read_bytes()[:2000], "not well-formed XML"),
            ("lol.xml", fixture_path("billion_laughs.xml").read_bytes(), "DTD, entities or external references"),
            ("xxe.xml", fixture_path("external_entity.xml").read_bytes(), "DTD, entities or external references"),
            ("codes.csv", b"code,title\nE119,Type 2 diabetes\n", "order-file layout"),
            ("pcs.xml", b"<ICD10PCS.tabular/>", "expected &lt;ICD10CM.tabular&gt;"),
        ],
    )
    def test_bad_files_get_a_400_with_a_message_and_store_nothing(self, name, content, message, admin_client_, settings):
        response = admin_client_.post(reverse("codesets:release_upload"), upload_data(name, content))
        assert response.status_code == 400
        assert message in response.content.decode()
        assert CodeSetRelease.objects.count() == 0
        uploads = settings.MEDIA_ROOT / "codesets" / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir())

    def test_an_oversized_upload_is_refused_and_not_stored(self, admin_client_, settings):
        settings.MAX_UPLOAD_BYTES = 1000
        response = admin_client_.post(reverse("codesets:release_upload"), upload_data())
        assert response.status_code == 400
        assert "larger than" in response.content.decode()
        assert CodeSetRelease.objects.count() == 0

    def test_the_same_file_again_creates_nothing(self, fy2025, admin_client_):
        response = admin_client_.post(reverse("codesets:release_upload"), upload_data(label="Another"), follow=True)
        assert "already imported as ICD-10-CM FY2025" in response.content.decode()
        assert CodeSetRelease.objects.count() == 1

    def test_missing_fields_are_form_errors(self, admin_client_):
        response = admin_client_.post(reverse("codesets:release_upload"), {"system": "icd10cm"})
        assert response.status_code == 400 and "This field is required." in response.content.decode()

    def test_an_order_file_only_goes_with_icd10cm_or_pcs(self, admin_client_):
        data = upload_data("hcpcs_2026q2.csv", system="hcpcs", label="Q2")
        data["order_file"] = SimpleUploadedFile("order.txt", fixture_path("order_fy2025.txt").read_bytes())
        response = admin_client_.post(reverse("codesets:release_upload"), data)
        assert response.status_code == 400 and "only goes with an ICD-10-CM or ICD-10-PCS release" in response.content.decode()

    def test_the_upload_page_renders(self, admin_client_):
        html = admin_client_.get(reverse("codesets:release_upload")).content.decode()
        assert '<label for="id_file">' in html and "Files accepted" in html


class TestActivation:
    def test_make_current_is_audited(self, fy2026, admin_client_, admin_user):
        response = admin_client_.post(reverse("codesets:release_activate", args=[fy2026.pk]))
        assert response.status_code == 302
        fy2026.refresh_from_db()
        assert fy2026.is_current
        event = AuditEvent.objects.get(action="codeset.release_activated", target_id=str(fy2026.pk))
        assert event.actor == admin_user and event.ip_address == "127.0.0.1"

    def test_activation_needs_post(self, fy2026, admin_client_):
        assert admin_client_.get(reverse("codesets:release_activate", args=[fy2026.pk])).status_code == 405


class TestChangesPage:
    def test_counts_and_rows(self, fy2026, instructor_client):
        html = instructor_client.get(reverse("codesets:release_changes", args=[fy2026.pk])).content.decode()
        assert "What changed in FY2026" in html
        assert "A00.0" in html and "B10.89" in html and "E11.A" in html
        assert "Chapter 1: Certain infectious and parasitic diseases" in html

    def test_kind_and_chapter_filters(self, fy2026, admin_client_):
        html = admin_client_.get(reverse("codesets:release_changes", args=[fy2026.pk]) + "?kind=revised&chapter=19").content.decode()
        assert "S06.0X0A" in html and "A00.0" not in html and "E11.A" not in html
        assert "<del>Concussion without loss of consciousness, initial encounter</del>" in html

    def test_an_unknown_filter_is_ignored(self, fy2026, admin_client_):
        response = admin_client_.get(reverse("codesets:release_changes", args=[fy2026.pk]) + "?kind=bogus&chapter=99&page=x")
        assert response.status_code == 200

    def test_whats_new_preview_and_download(self, fy2026, instructor_client):
        html = instructor_client.get(reverse("codesets:release_whats_new", args=[fy2026.pk])).content.decode()
        assert "What's new in ICD-10-CM FY2026" in html or "What&#x27;s new in ICD-10-CM FY2026" in html
        download = instructor_client.get(reverse("codesets:release_whats_new", args=[fy2026.pk]) + "?format=md")
        assert download["Content-Type"].startswith("text/markdown") and b"## Changes by chapter" in download.content


class TestFlagQueue:
    @pytest.fixture
    def flags(self, fy2026):
        return [
            content_flag_raise(
                release=fy2026, code="B10.89", change_kind="deleted", target_type="exercises.answerkeyline", target_id=n,
                target_label=f"Case {n}: key line 1", target_url=f"/cases/{n}/", reason="The code was deleted.",
            )
            for n in (1, 2)
        ]

    def test_instructors_see_unresolved_flags_with_links(self, flags, instructor_client):
        html = instructor_client.get(reverse("codesets:flag_queue")).content.decode()
        assert "Case 1: key line 1" in html and 'href="/cases/2/"' in html and "2 open" in html

    def test_resolving_needs_a_note_and_records_who(self, flags, instructor_client, instructor):
        url = reverse("codesets:flag_resolve", args=[flags[0].pk])
        instructor_client.post(url, {"note": ""})
        assert ContentFlag.objects.get(pk=flags[0].pk).resolved_at is None
        response = instructor_client.post(url, {"note": "Key now uses B10.818."})
        assert response.status_code == 302
        flag = ContentFlag.objects.get(pk=flags[0].pk)
        assert flag.resolved_by == instructor and flag.resolution_note == "Key now uses B10.818."
        html = instructor_client.get(reverse("codesets:flag_queue")).content.decode()
        assert f'id="flag-{flags[0].pk}"' not in html and f'id="flag-{flags[1].pk}"' in html

    def test_students_cannot_resolve(self, flags, student_client):
        response = student_client.post(reverse("codesets:flag_resolve", args=[flags[0].pk]), {"note": "x"})
        assert response.status_code == 403
        assert ContentFlag.objects.get(pk=flags[0].pk).resolved_at is None

    def test_unknown_flag_is_404(self, instructor_client):
        assert instructor_client.post(reverse("codesets:flag_resolve", args=[999]), {"note": "x"}).status_code == 404

    def test_query_count_is_flat(self, fy2026, instructor_client, django_assert_max_num_queries):
        for n in range(10):
            content_flag_raise(release=fy2026, code="A000", change_kind="revised", target_type="t", target_id=n, target_label=f"Q{n}")
        with django_assert_max_num_queries(8):  # session, user, flags, counts per release, releases
            assert instructor_client.get(reverse("codesets:flag_queue")).status_code == 200

"""The bundled FY2026 Tabular List imports with exactly the official count of billable codes."""

from __future__ import annotations

import pytest

from codesets.bundled import ICD10CM_EFFECTIVE, bundled_icd10cm_path
from codesets.models import Code
from codesets.services import release_import

OFFICIAL_FY2026_BILLABLE = 74_719


@pytest.mark.slow
@pytest.mark.django_db
def test_bundled_fy2026_has_the_official_billable_count():
    release = release_import(system="icd10cm", path=bundled_icd10cm_path(), label="FY2026", effective_from=ICD10CM_EFFECTIVE).release
    assert release.billable_count == OFFICIAL_FY2026_BILLABLE
    assert Code.objects.filter(release=release, billable=True).count() == OFFICIAL_FY2026_BILLABLE
    assert Code.objects.filter(release=release, kind="chapter").count() == 22
    assert Code.objects.get(release=release, code="S061X7A").billable
    assert not Code.objects.filter(release=release, code="S061X7D").exists()
    assert Code.objects.get(release=release, code="T1501XA").display_code == "T15.01XA"

"""The search index snapshot is built by a real Celery worker (run where CELERY_WORKER_TESTS=1)."""

from __future__ import annotations

import pytest

from lookup.services import search as search_service
from lookup.tasks import prebuild_search_index
from tests.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_var_dir(monkeypatch, tmp_path, settings):
    """The worker and this process share one VAR_DIR, so the worker's snapshot is the one searches read."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.SEARCH_INDEX_SNAPSHOTS = True
    return tmp_path / "search-index"


def test_the_worker_writes_the_snapshot_and_a_web_process_maps_it_without_building(
    shared_var_dir, celery_worker_process, release, student_client, monkeypatch
):
    prebuild_search_index.delay(release.pk)
    wait_until(lambda: list(shared_var_dir.glob(f"{release.pk}-*.bin")), timeout=60)

    def refuse(release):
        raise AssertionError("the web process built the index instead of mapping the worker's snapshot")

    monkeypatch.setattr(search_service, "_build", refuse)
    response = student_client.get("/api/v1/codes/search/", {"q": "diab neuro"})
    assert response.json()["results"][0]["code"] == "E11.40"

"""Search index snapshots: written once per release, mapped by later processes, rebuilt when stale."""

from __future__ import annotations

import pytest

from codesets.models import Code
from codesets.signals import release_ready
from lookup import demo
from lookup.search import build_index, search
from lookup.search.snapshot import SnapshotError, dump_index, load_index
from lookup.services import search as search_service
from lookup.services.search_snapshots import snapshots_enabled

from .test_ranking import SYNONYMS, _entries

URL = "/api/v1/codes/search/"
QUERIES = ["e11.4", "diab neuro", "pnemonia", "chf", "heart attack", "fracture femur subsequent", "s72", "zzzz"]


@pytest.fixture
def snapshots(settings):
    settings.SEARCH_INDEX_SNAPSHOTS = True
    return settings.SEARCH_INDEX_DIR


def _files(directory):
    return sorted(directory.glob("*.bin")) if directory.exists() else []


def _no_builds(monkeypatch):
    def refuse(release):
        raise AssertionError("the index was built instead of mapped from its snapshot")

    monkeypatch.setattr(search_service, "_build", refuse)


def test_a_snapshot_answers_exactly_like_the_index_it_was_written_from(tmp_path):
    built = build_index(_entries(), system="icd10cm", synonyms=SYNONYMS)
    dump_index(built, tmp_path / "index.bin")
    mapped, _ = load_index(tmp_path / "index.bin")
    assert mapped.vocabulary == built.vocabulary
    for query in QUERIES:
        for limit in (3, 10, 50):
            assert search(mapped, query, limit=limit) == search(built, query, limit=limit)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_snapshot_is_refused(tmp_path, damage):
    path = tmp_path / "index.bin"
    dump_index(build_index(_entries(), system="icd10cm", synonyms=SYNONYMS), path)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a snapshot" * 10, "empty": b""}[damage])
    with pytest.raises(SnapshotError):
        load_index(path)


def test_snapshots_are_off_for_an_in_memory_test_database_unless_forced(settings, db):
    from django.db import connection

    if connection.vendor == "sqlite":
        assert not snapshots_enabled()
    settings.SEARCH_INDEX_SNAPSHOTS = True
    assert snapshots_enabled()


@pytest.mark.django_db
def test_the_first_search_writes_a_snapshot_that_the_next_process_maps_without_building(
    student_client, release, snapshots, monkeypatch
):
    first = student_client.get(URL, {"q": "diab neuro"}).json()
    assert len(_files(snapshots)) == 1
    search_service.search_index_forget()  # as a fresh process would start
    _no_builds(monkeypatch)
    assert student_client.get(URL, {"q": "diab neuro"}).json() == first


@pytest.mark.django_db
def test_a_changed_release_gets_a_new_snapshot_and_the_old_one_goes(student_client, release, snapshots, monkeypatch):
    monkeypatch.setattr(search_service, "RECHECK_SECONDS", 0)
    assert student_client.get(URL, {"q": "hyperglycemia"}).json()["results"] == []
    old = _files(snapshots)
    Code.objects.create(release=release, code="E1165", display_code="E11.65", kind="code", billable=True,
                        long_title="Type 2 diabetes mellitus with hyperglycemia", parent_code="E11", sort_order=999)
    assert student_client.get(URL, {"q": "hyperglycemia"}).json()["results"][0]["code"] == "E11.65"
    new = _files(snapshots)
    assert len(old) == len(new) == 1 and old != new


@pytest.mark.django_db
def test_a_damaged_snapshot_is_rebuilt_on_the_fly(student_client, release, snapshots):
    expected = student_client.get(URL, {"q": "chf"}).json()
    [path] = _files(snapshots)
    path.write_bytes(path.read_bytes()[:100])
    search_service.search_index_forget()
    assert student_client.get(URL, {"q": "chf"}).json() == expected
    assert path.stat().st_size > 100


@pytest.mark.django_db
def test_a_ready_release_queues_the_snapshot_build_after_commit(release, snapshots, django_capture_on_commit_callbacks,
                                                                monkeypatch, student_client):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        release_ready.send(sender=type(release), release=release)
    assert any("refresh_search_index" in callback.__qualname__ for callback in callbacks)
    assert len(_files(snapshots)) == 1
    _no_builds(monkeypatch)
    assert search_service.search_index_prebuild(release_id=release.pk) is False  # idempotent
    assert student_client.get(URL, {"q": "pneumonia"}).json()["results"][0]["code"] == "J18.9"


@pytest.mark.django_db
def test_prebuild_ignores_releases_that_are_not_ready_or_gone(release, snapshots):
    release.status = "importing"
    release.save(update_fields=["status"])
    assert search_service.search_index_prebuild(release_id=release.pk) is False
    assert search_service.search_index_prebuild(release_id=999_999) is False
    assert _files(snapshots) == []


@pytest.mark.django_db
def test_demo_prebuilds_current_releases_once(release, snapshots, monkeypatch):
    import io

    out = io.StringIO()
    demo.load(stdout=out)
    assert len(_files(snapshots)) == 1 and "search index" in out.getvalue()
    _no_builds(monkeypatch)
    demo.load(stdout=out)  # re-run: nothing to build


@pytest.mark.django_db
def test_the_command_builds_current_releases_once(release, snapshots):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("build_search_index", stdout=out)
    assert "built in" in out.getvalue() and len(_files(snapshots)) == 1
    again = io.StringIO()
    call_command("build_search_index", "--release", release.label, stdout=again)
    assert "already up to date" in again.getvalue()


@pytest.mark.django_db
def test_the_command_names_an_unknown_release(release, snapshots):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No ready release"):
        call_command("build_search_index", "--release", "FY1999")

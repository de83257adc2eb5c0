import pytest

from lookup.services.search import search_index_forget


@pytest.fixture(autouse=True)
def _snapshots_in_a_temporary_folder(settings, tmp_path):
    # On PostgreSQL snapshots are on by default: keep them out of the real var/ folder.
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"


@pytest.fixture(autouse=True)
def _fresh_search_indexes():
    # Test databases roll back and reuse ids; never let one test see another's index.
    search_index_forget()
    yield
    search_index_forget()


@pytest.fixture
def release(db):
    from .factories import make_release

    return make_release()


@pytest.fixture
def releases(db):
    from .factories import make_history

    return make_history()

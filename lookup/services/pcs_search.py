"""ICD-10-PCS word search over a release's tables: the ranking (lookup/search/pcs.py) with its index kept per release.

A release is immutable once imported, so its index (the ~600 tables' rows, read once, about a second) is kept
for the process. A release loaded from a code list has no tables: the word search over titles answers instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from codesets.models import Code, CodeSetRelease
from lookup.search import Hit
from lookup.search.pcs import PcsIndex, load_vocabulary, pcs_search, table_from_notes

MAX_INDEXES = 2
_indexes: "OrderedDict[tuple, PcsIndex | None]" = OrderedDict()
_lock = threading.Lock()


def pcs_index_for(release: CodeSetRelease) -> PcsIndex | None:
    """The release's PCS index; None when it has no tables."""
    # Keyed by what the release's content is too: a test database may give another release the same id.
    key = (release.pk, release.source_sha256, release.billable_count)
    with _lock:
        if key in _indexes:
            _indexes.move_to_end(key)
            return _indexes[key]
    rows = Code.objects.filter(release_id=release.pk, depth=2, notes__has_key="rows").values_list("code", "notes")
    tables = [table for table in (table_from_notes(code, notes) for code, notes in rows.iterator(chunk_size=200))
              if table is not None]
    index = PcsIndex(tables, load_vocabulary()) if tables else None
    with _lock:
        _indexes[key] = index
        while len(_indexes) > MAX_INDEXES:
            _indexes.popitem(last=False)
    return index


def pcs_index_forget(*, release_id: int | None = None) -> None:
    with _lock:
        if release_id is None:
            _indexes.clear()
        else:
            for key in [key for key in _indexes if key[0] == release_id]:
                _indexes.pop(key, None)


def pcs_code_search(*, release: CodeSetRelease, query: str, limit: int = 10) -> list[Hit] | None:
    """Codes built from the words of the query, with their titles in the release; None when the release has no
    tables or the query reads as no procedure (the caller's title search answers then)."""
    index = pcs_index_for(release)
    if index is None:
        return None
    hits = pcs_search(index, query, limit=limit)
    if not hits:
        return None
    titles = dict(Code.objects.filter(release_id=release.pk, code__in=[hit.code for hit in hits])
                  .values_list("code", "long_title"))
    # A code the tables allow but a partial release lacks is still shown, titled from its axes.
    return [Hit(code=hit.code, title=titles.get(hit.code) or hit.title, billable=True) for hit in hits]

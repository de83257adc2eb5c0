"""The search index of each release: mapped from its snapshot (built once), kept while the release is unchanged.

A process asks for a release's index the first time it searches it: the
snapshot is mapped in milliseconds when present, else built from the database
(under a lock, so concurrent processes build once), written, and mapped. A task
builds the snapshot as soon as a release is imported, so users rarely wait for
a build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Max

from codesets.models import Code, CodeSetRelease
from lookup.models import IndexSource, IndexTerm
from lookup.search import CodeEntry, Hit, SearchIndex, build_index, load_synonyms, search
from lookup.search.index_terms import index_term_entries
from lookup.selectors import release_for_lookup

from .search_snapshots import build_lock, snapshot_load, snapshot_path, snapshot_write, snapshots_enabled

logger = logging.getLogger(__name__)

# How long a process trusts its index (and its release row) before checking the release has not changed.
RECHECK_SECONDS = 10.0
# Indexes kept per process (e.g. two ICD-10-CM years and HCPCS); the oldest used is dropped.
MAX_INDEXES = 4
# Past this size a build is worth handing its scratch memory back to the system.
LARGE_INDEX_ROWS = 10_000


@dataclass
class _Cached:
    stamp: tuple
    index: SearchIndex
    checked_at: float


_indexes: OrderedDict[int, _Cached] = OrderedDict()
_build_lock = threading.Lock()
_synonyms = None


def _release_stamp(release: CodeSetRelease) -> tuple:
    """What changes when a release's codes or its Index terms change (two indexed queries, ~1 ms)."""
    last_code = Code.objects.filter(release_id=release.pk).aggregate(last=Max("id"))["last"]
    sources = tuple(IndexSource.objects.filter(release_id=release.pk).order_by("table").values_list(
        "table", "sha256", "imported_at"))
    return (release.pk, release.status, release.billable_count, release.header_count, last_code, sources)


def _entries(release: CodeSetRelease):
    rows = Code.objects.filter(release_id=release.pk).values_list(
        "code", "display_code", "long_title", "billable", "kind", "parent_code", "sort_order", "notes"
    )
    for code, display, title, billable, kind, parent, sort_order, notes in rows.iterator(chunk_size=5000):
        yield CodeEntry.with_notes(code=code, display_code=display, title=title, billable=billable, kind=kind,
                                   parent_code=parent, sort_order=sort_order, notes=notes)


def _index_terms(release: CodeSetRelease):
    rows = IndexTerm.objects.filter(release_id=release.pk).order_by("table", "sort_order").values_list(
        "table", "level", "title", "nemod", "path", "code", "cells"
    )
    yield from index_term_entries(rows.iterator(chunk_size=5000))


def _build(release: CodeSetRelease) -> SearchIndex:
    global _synonyms
    if _synonyms is None:
        _synonyms = load_synonyms()
    started = time.perf_counter()
    index = build_index(_entries(release), system=release.system, synonyms=_synonyms, index_terms=_index_terms(release))
    logger.info("Search index for %s built in %.1f s (%d rows)", release, time.perf_counter() - started, index.row_count)
    return index


def _release_free_memory() -> None:
    """Hand the memory a build used back to the system (the index itself is a few flat buffers)."""
    gc.collect()
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        ctypes.CDLL(libc_name).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _index_for_stamp(release: CodeSetRelease, stamp: tuple) -> SearchIndex:
    """The release's snapshot, mapped; built (once across processes) and written when missing."""
    if not snapshots_enabled():
        index = _build(release)
        if index.row_count >= LARGE_INDEX_ROWS:
            _release_free_memory()
        return index
    path = snapshot_path(release_id=release.pk, stamp=stamp)
    index = snapshot_load(path)
    if index is not None:
        return index
    with build_lock(release.pk):
        index = snapshot_load(path)  # built by another process while this one waited
        if index is not None:
            return index
        built = _build(release)
        try:
            snapshot_write(built, path, release_id=release.pk)
        except OSError as exc:
            logger.warning("Search index snapshot for %s not written (%s); keeping it in memory", release, exc)
            return built
    del built
    _release_free_memory()
    return snapshot_load(path) or _build(release)


def search_index_prebuild(*, release_id: int) -> bool:
    """Write the snapshot of a ready release unless it exists; True when one was built."""
    if not snapshots_enabled():
        return False
    release = CodeSetRelease.objects.ready().filter(pk=release_id).first()
    if release is None:
        return False
    path = snapshot_path(release_id=release.pk, stamp=_release_stamp(release))
    if path.exists():
        return False
    with build_lock(release.pk):
        if path.exists():
            return False
        snapshot_write(_build(release), path, release_id=release.pk)
    _release_free_memory()
    return True


_releases: dict[tuple[str, int | None], tuple[float, CodeSetRelease]] = {}


def release_for_search(*, system: str, release_id: int | None) -> CodeSetRelease:
    """The release a search reads, remembered for RECHECK_SECONDS: typing sends several requests a second."""
    key = (system, release_id)
    now = time.monotonic()
    cached = _releases.get(key)
    if cached is not None and now - cached[0] < RECHECK_SECONDS:
        return cached[1]
    release = release_for_lookup(system=system, release_id=release_id)
    if len(_releases) > 64:
        _releases.clear()
    _releases[key] = (now, release)
    return release


def search_index_for(release: CodeSetRelease) -> SearchIndex:
    cached = _indexes.get(release.pk)
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < RECHECK_SECONDS:
        _indexes.move_to_end(release.pk)
        return cached.index
    stamp = _release_stamp(release)
    if cached is not None and cached.stamp == stamp:
        cached.checked_at = now
        return cached.index
    with _build_lock:
        cached = _indexes.get(release.pk)
        if cached is not None and cached.stamp == stamp:
            return cached.index
        index = _index_for_stamp(release, stamp)
        _indexes[release.pk] = _Cached(stamp=stamp, index=index, checked_at=time.monotonic())
        _indexes.move_to_end(release.pk)
        while len(_indexes) > MAX_INDEXES:
            _indexes.popitem(last=False)
        if index.row_count >= LARGE_INDEX_ROWS:
            _settle_long_lived_objects()
        return index


def _settle_long_lived_objects() -> None:
    """Move what the process holds by now (Django, DRF, URLconf, the index) out of the collector's way.

    A worker that has served its first search holds some 100,000 long-lived objects;
    every full collection walks them all, a pause of tens of milliseconds in some
    later request. Frozen objects are skipped by every later collection.
    """
    gc.collect()
    gc.freeze()


def search_index_forget(*, release_id: int | None = None) -> None:
    """Drop cached indexes (one release, or all): the next search maps the snapshot again or rebuilds."""
    _releases.clear()
    if release_id is None:
        _indexes.clear()
    else:
        _indexes.pop(release_id, None)


def code_search(*, release: CodeSetRelease, query: str, limit: int = 10) -> list[Hit]:
    if len((query or "").strip()) < 2:
        return []  # nothing to search: no need for the index
    if release.system == "icd10pcs" and _PCS_WORDS.search(query):
        from .pcs_search import pcs_code_search  # ICD-10-PCS codes are built from the query's words

        built = pcs_code_search(release=release, query=query, limit=limit)
        if built:
            return built
    return search(search_index_for(release), query, limit=limit)


_PCS_WORDS = re.compile(r"(?:^|\s)[A-Za-z]{3,}(?:\s|$)")

"""Search index snapshots on disk: built once per release, mapped by every process in milliseconds.

A snapshot is named ``<release id>-<key>.bin`` under ``SEARCH_INDEX_DIR``
(default ``VAR_DIR/search-index``). The key digests what the index depends on:
the release's stamp (its codes and Alphabetic Index import), the database it
came from, and the builder's own code and synonym tables, so a changed release,
a new version of the ranking code or an edited ``synonyms.tsv`` never reads an
old file. Builds take a file lock per release, so processes that miss the same
snapshot at once build it once.

Snapshots are skipped for an in-memory SQLite database (nothing else can read
it); ``SEARCH_INDEX_SNAPSHOTS = True/False`` forces the choice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from lookup.search import SearchIndex
from lookup.search.snapshot import SnapshotError, dump_index, load_index, read_header

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: builds are not coordinated across processes
    fcntl = None

logger = logging.getLogger(__name__)

SEARCH_PACKAGE = Path(__file__).resolve().parent.parent / "search"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# A build that holds the lock longer than this is presumed dead; the waiter builds on its own.
LOCK_WAIT_SECONDS = 120.0
# A temporary file this old belongs to a writer that died; a live one renames its file within seconds.
STALE_TEMPORARY_SECONDS = 3600

_code_fingerprint: str | None = None


def snapshots_enabled() -> bool:
    configured = getattr(settings, "SEARCH_INDEX_SNAPSHOTS", None)
    if configured is not None:
        return bool(configured)
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def snapshot_dir() -> Path:
    return Path(getattr(settings, "SEARCH_INDEX_DIR", None) or Path(settings.VAR_DIR) / "search-index")


def code_fingerprint() -> str:
    """A digest of the index builder's source and the synonym tables: what shapes an index besides the rows.

    The query module only reads an index, so a change to the ranking alone keeps the snapshots.
    """
    global _code_fingerprint
    if _code_fingerprint is None:
        digest = hashlib.sha256()
        builder = [path for path in sorted(SEARCH_PACKAGE.glob("*.py")) if path.name != "query.py"]
        for path in builder + sorted(DATA_DIR.glob("*.tsv")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


def database_tag() -> str:
    """Which database the rows came from (a test database never shares snapshots with the real one)."""
    # The name only: the web and worker processes may reach the same database by different hosts.
    return f"{connection.vendor}:{connection.settings_dict.get('NAME')}"


def snapshot_path(*, release_id: int, stamp: tuple) -> Path:
    key = hashlib.sha256(repr((database_tag(), stamp, code_fingerprint())).encode()).hexdigest()[:24]
    return snapshot_dir() / f"{release_id}-{key}.bin"


def snapshot_load(path: Path) -> SearchIndex | None:
    """The index mapped from a snapshot; None when there is none (or it is unusable, then it is removed)."""
    try:
        index, _ = load_index(path)
    except FileNotFoundError:
        return None
    except (SnapshotError, OSError, ValueError) as exc:
        logger.warning("Search index snapshot %s is unusable (%s); it will be built again", path.name, exc)
        path.unlink(missing_ok=True)
        return None
    return index


def snapshot_write(index: SearchIndex, path: Path, *, release_id: int) -> int:
    """Write a snapshot atomically, then remove this release's older snapshots from the same database."""
    size = dump_index(index, path, meta={"release": release_id, "database": database_tag()})
    for other in path.parent.glob(f"{release_id}-*.bin"):
        if other == path:
            continue
        try:
            if read_header(other).get("meta", {}).get("database") == database_tag():
                other.unlink(missing_ok=True)  # processes that mapped it keep their pages
        except (OSError, SnapshotError, ValueError):
            other.unlink(missing_ok=True)
    for leftover in path.parent.glob(".*.tmp"):  # from a writer killed mid-write
        try:
            if time.time() - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                leftover.unlink(missing_ok=True)
        except OSError:
            pass
    return size


@contextmanager
def build_lock(release_id: int) -> Iterator[None]:
    """Hold the per-release build lock (waits for another process's build, up to LOCK_WAIT_SECONDS)."""
    directory = snapshot_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    descriptor = os.open(directory / f"{release_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        locked = False
        while not locked:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    logger.warning("Search index build lock for release %s still held; building anyway", release_id)
                    break
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # releases the lock

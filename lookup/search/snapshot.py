"""Write a built search index to a file and map it back without copying (no Django).

Building the index of a full ICD-10-CM release takes seconds; loading its snapshot
takes milliseconds. Every buffer of the index goes into one file, aligned, after a
small JSON header; loading maps the file read-only and casts each section in
place, so every process that loads the same snapshot shares the same pages.

Files are written next to their final name and renamed over it, so a reader
sees either the old file or the whole new one, never half of one. A snapshot is
refused (``SnapshotError``) when it was written by another format version or on
a machine of the other byte order, or when its size is not what its header says.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
import tempfile
from pathlib import Path

from .fuzzy import FuzzyVocabulary
from .index import SearchIndex
from .packed import UINT32, UINT64, StringTable

MAGIC = b"CWSEARCH"
FORMAT_VERSION = 2
_ALIGN = 8

# name: type code of the buffer fields of SearchIndex ("B" for bytes).
_BUFFERS = {
    "row_billable": "B",
    "doc_row": UINT32,
    "doc_billable": "B",
    "doc_word_start": UINT32,
    "doc_word": UINT32,
    "doc_level": "B",
    "variant_start": UINT32,
    "variant_row": UINT32,
    "phrasing_start": UINT32,
    "phrasing_word_start": UINT32,
    "phrasing_word": UINT32,
    "cumulative_df": UINT32,
    "posting_doc": UINT32,
    "lead_start": UINT32,
    "lead_doc": UINT32,
    "word_min_level": "B",
    "term_word_start": UINT32,
    "term_word": UINT32,
}
_STRING_TABLES = ("row_code", "row_display", "row_title")


class SnapshotError(Exception):
    """The file is not a snapshot this code can read; build the index again."""


def _sections(index: SearchIndex) -> list[tuple[str, str, memoryview]]:
    sections = [(name, code, memoryview(getattr(index, name)).cast("B")) for name, code in _BUFFERS.items()]
    for name in _STRING_TABLES:
        table: StringTable = getattr(index, name)
        sections.append((f"{name}.blob", "B", table.blob.cast("B")))
        sections.append((f"{name}.starts", UINT32, memoryview(table.starts).cast("B")))
    vocabulary = StringTable.from_strings(index.vocabulary)
    sections.append(("vocabulary.blob", "B", vocabulary.blob.cast("B")))
    sections.append(("vocabulary.starts", UINT32, memoryview(vocabulary.starts).cast("B")))
    sections.append(("fuzzy.hashes", UINT64, memoryview(index.fuzzy.hashes).cast("B")))
    sections.append(("fuzzy.word_ids", UINT32, memoryview(index.fuzzy.word_ids).cast("B")))
    return sections


def _padding(size: int) -> bytes:
    return b"\0" * (-size % _ALIGN)


def dump_index(index: SearchIndex, path: Path, *, meta: dict | None = None) -> int:
    """Write the index to ``path`` atomically; returns the file size in bytes."""
    sections = _sections(index)
    layout = []
    offset = 0
    for name, code, data in sections:
        layout.append([name, code, offset, data.nbytes])
        offset += data.nbytes + len(_padding(data.nbytes))
    header = json.dumps({
        "format": FORMAT_VERSION,
        "byteorder": sys.byteorder,
        "system": index.system,
        "meta": meta or {},
        "data_bytes": offset,
        "sections": layout,
    }).encode("utf-8")
    prefix = MAGIC + len(header).to_bytes(8, "little") + header
    prefix += _padding(len(prefix))
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # readable by every process of the site (web and worker)
            handle.write(prefix)
            for _, _, data in sections:
                handle.write(data)
                handle.write(_padding(data.nbytes))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(prefix) + offset


def read_header(path: Path) -> dict:
    """The snapshot's header (format, system, meta, layout) without mapping its data."""
    with open(path, "rb") as handle:
        header, _ = _parse_header(handle.read(4096), path, handle)
    return header


def _parse_header(start: bytes, path: Path, handle=None) -> tuple[dict, int]:
    if start[: len(MAGIC)] != MAGIC or len(start) < len(MAGIC) + 8:
        raise SnapshotError(f"{path.name} is not a search index snapshot")
    size = int.from_bytes(start[len(MAGIC) : len(MAGIC) + 8], "little")
    end = len(MAGIC) + 8 + size
    if len(start) < end and handle is not None:
        start += handle.read(end - len(start))
    try:
        header = json.loads(bytes(start[len(MAGIC) + 8 : end]))
    except ValueError as exc:
        raise SnapshotError(f"{path.name} has an unreadable header") from exc
    if header.get("format") != FORMAT_VERSION or header.get("byteorder") != sys.byteorder:
        raise SnapshotError(f"{path.name} was written by another version of the index")
    return header, end + (-end % _ALIGN)


def load_index(path: Path) -> tuple[SearchIndex, dict]:
    """Map a snapshot read-only and return the index (its buffers point into the mapping) and its meta."""
    with open(path, "rb") as handle:
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as exc:  # an empty file
            raise SnapshotError(f"{path.name} is empty") from exc
    view = memoryview(mapped)
    header, data_start = _parse_header(view, path)
    if len(view) != data_start + header["data_bytes"]:
        raise SnapshotError(f"{path.name} is truncated")
    sections = {}
    for name, code, offset, size in header["sections"]:
        start = data_start + offset
        sections[name] = view[start : start + size].cast(code)
    try:
        tables = {name: StringTable(sections[f"{name}.blob"], sections[f"{name}.starts"]) for name in _STRING_TABLES}
        vocabulary = list(StringTable(sections["vocabulary.blob"], sections["vocabulary.starts"]))
        index = SearchIndex(
            system=header["system"],
            **tables,
            **{name: sections[name] for name in _BUFFERS},
            vocabulary=vocabulary,
            fuzzy=FuzzyVocabulary(vocabulary, hashes=sections["fuzzy.hashes"], word_ids=sections["fuzzy.word_ids"]),
        )
    except KeyError as exc:
        raise SnapshotError(f"{path.name} lacks section {exc}") from None
    return index, header.get("meta", {})

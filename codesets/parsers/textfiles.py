"""Reading text-based code-set files safely: encodings, binary files, delimiters."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from .records import CodeSetFormatError


def read_text(source: str | Path | BinaryIO) -> str:
    """Decode a text file (UTF-8 with or without BOM, else Windows-1252 as CMS files often are)."""
    if hasattr(source, "read"):
        data = source.read()
    else:
        data = Path(source).read_bytes()
    if isinstance(data, str):
        return data
    if data[:2] == b"PK":
        raise CodeSetFormatError("This is a ZIP archive or an Excel workbook: extract or save it as text/CSV first.")
    if b"\x00" in data[:4096]:
        raise CodeSetFormatError("This looks like a binary file (a spreadsheet or an archive?), not a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    if "\t" in first:
        return "\t"
    if "|" in first and "," not in first:
        return "|"
    return ","


def read_rows(text: str) -> list[list[str]]:
    """CSV, tab- or pipe-separated rows, stripped; blank lines dropped."""
    delimiter = sniff_delimiter(text[:4096])
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise CodeSetFormatError(f"The file could not be read as {('tab-separated' if delimiter == chr(9) else 'CSV')}: {exc}") from None
    return [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]


def normalise_header(cell: str) -> str:
    return "".join(ch for ch in cell.lower() if ch.isalnum())

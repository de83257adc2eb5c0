"""CSV roster parsing for cohort enrolment. Pure: no Django imports.

Columns (header row required, any order, case-insensitive): ``username``, ``email``,
``display_name`` (``name`` also accepted). Every bad row is reported; the service
imports all rows or none.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_ROSTER_BYTES = 1024 * 1024
MAX_ROSTER_ROWS = 2000
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
HEADER_ALIASES = {"username": "username", "user": "username", "email": "email", "e-mail": "email",
                  "display_name": "display_name", "display name": "display_name", "name": "display_name"}


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    email: str
    display_name: str


class RosterError(ValueError):
    """The roster cannot be imported; ``errors`` lists each problem with its line number."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the roster")


def parse_roster(data: bytes) -> list[RosterRow]:
    """Parse and validate a roster file; raise RosterError listing every bad row."""
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError([f"The file is larger than {MAX_ROSTER_BYTES // 1024} KB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(["The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."]) from None
    # strict: an unclosed quote is an error, not a value that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError(["The file is empty: expected a header row username,email,display_name."]) from None
    except csv.Error as exc:
        raise RosterError([_csv_problem(1, exc)]) from None
    if reader.line_num > 1:  # the header's quote was left open
        raise RosterError([_csv_problem(1, None)])
    columns = [HEADER_ALIASES.get(h.strip().lower()) for h in header]
    if "username" not in columns:
        raise RosterError(["Line 1: the header must name a 'username' column (and optionally email, display_name)."])
    errors: list[str] = []
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for line, raw, problem in _records(reader):
        if raw is None:  # not valid CSV from this line on: nothing after it can be trusted
            errors.append(_csv_problem(line, problem))
            break
        if not any(cell.strip() for cell in raw):
            continue
        if len(rows) + len(errors) >= MAX_ROSTER_ROWS:
            errors.append(f"The roster has more than {MAX_ROSTER_ROWS} rows; split it into smaller files.")
            break
        if len(raw) > len(columns):
            errors.append(f"Line {line}: {len(raw)} values but the header has {len(columns)} columns.")
            continue
        values = {col: raw[i].strip() for i, col in enumerate(columns) if col and i < len(raw)}
        username = values.get("username", "")
        email = values.get("email", "")
        name = values.get("display_name", "")
        problems = []
        if not username:
            problems.append("username is missing")
        elif not USERNAME_RE.match(username):
            problems.append(f"username {username!r} may contain only letters, digits and @ . + - _")
        if email and not EMAIL_RE.match(email):
            problems.append(f"email {email!r} is not a valid address")
        if len(name) > 150:
            problems.append("display name is longer than 150 characters")
        key = username.lower()
        if username and key in seen:
            problems.append(f"username {username!r} already appears on line {seen[key]}")
        if problems:
            errors.append(f"Line {line}: " + "; ".join(problems) + ".")
            continue
        seen[key] = line
        rows.append(RosterRow(line=line, username=username, email=email, display_name=name))
    if not rows and not errors:
        errors.append("The roster has a header but no students.")
    if errors:
        raise RosterError(errors)
    return rows


def _records(reader) -> Iterator[tuple[int, list[str] | None, csv.Error | None]]:
    """(line the record starts on, its values, None); (line, None, error) where the file stops being valid CSV.

    A record spanning several lines can only come from a quote left open: a roster value never
    holds a line break.
    """
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, exc
            return
        if reader.line_num > line:
            yield line, None, None
            return
        yield line, raw, None


def _csv_problem(line: int, exc: csv.Error | None) -> str:
    if exc is None or "end of data" in str(exc):
        return (f"Line {line}: a quotation mark is opened and never closed, so the rest of the file cannot be read. "
                "Close the quote (or remove it) and upload the file again.")
    return (f"Line {line}: not valid CSV ({exc}). A value that contains a quotation mark must be quoted as a whole, "
            "with the mark doubled (\"\").")

"""CSV roster parsing for cohort enrolment. Pure: no Django imports.

Columns (header row required, any order, case-insensitive): ``username``, ``email``,
``display_name`` (``name`` also accepted). Every bad row is reported; the service
imports all rows or none.
"""

from __future__ import annotations

import csv
import io
import re
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
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError(["The file is empty: expected a header row username,email,display_name."]) from None
    except csv.Error as exc:
        raise RosterError([f"Line 1: not valid CSV ({exc})."]) from None
    columns = [HEADER_ALIASES.get(h.strip().lower()) for h in header]
    if "username" not in columns:
        raise RosterError(["Line 1: the header must name a 'username' column (and optionally email, display_name)."])
    errors: list[str] = []
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    try:
        for line, raw in enumerate(reader, start=2):
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
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: not valid CSV ({exc}).")
    if not rows and not errors:
        errors.append("The roster has a header but no students.")
    if errors:
        raise RosterError(errors)
    return rows

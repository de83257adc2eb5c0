"""Reads for the Alphabetic Index browser: letters, main terms, a term's subterms, table rows, references."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from codesets.models import CodeSetRelease

from .alphaindex import (
    NEOPLASM_MAIN_TERM,
    TABLE_COLUMNS,
    TABLE_INDEX,
    TABLE_KINDS,
    TABLE_NAMES,
    TABLE_NEOPLASM,
    TableColumn,
)
from .models import IndexSource, IndexTerm

# A letter page of the full Index holds up to a few thousand main terms; a table letter, a few hundred rows.
MAX_ROWS_PER_PAGE = 5000
MAX_MATCHES = 50


@dataclass(frozen=True)
class IndexTable:
    key: str
    name: str
    source: IndexSource | None

    @property
    def columns(self) -> tuple[TableColumn, ...]:
        return TABLE_COLUMNS.get(self.key, ())

    @property
    def is_table(self) -> bool:
        return self.key in TABLE_COLUMNS


def index_tables(*, release: CodeSetRelease) -> list[IndexTable]:
    """The four Index files in book order, with the source each was imported from (None: not imported)."""
    sources = {source.table: source for source in IndexSource.objects.filter(release=release)}
    return [IndexTable(key=key, name=TABLE_NAMES[key], source=sources.get(key)) for key in TABLE_KINDS]


def index_table_key(value: str | None) -> str:
    return value if value in TABLE_KINDS else TABLE_INDEX


def index_letters(*, release: CodeSetRelease, table: str) -> list[str]:
    letters = IndexTerm.objects.filter(release=release, table=table, level=0).values_list("letter", flat=True)
    return sorted(set(letters))


def index_letter_terms(*, release: CodeSetRelease, table: str, letter: str) -> QuerySet[IndexTerm]:
    """Main terms of a letter (Index, External Cause Index)."""
    return IndexTerm.objects.filter(release=release, table=table, level=0, letter=letter).order_by("sort_order")[
        :MAX_ROWS_PER_PAGE
    ]


def index_letter_rows(*, release: CodeSetRelease, table: str, letter: str) -> list[IndexTerm]:
    """Every row of a letter with its subterms, in book order (Neoplasm Table, Table of Drugs)."""
    return list(IndexTerm.objects.filter(release=release, table=table, letter=letter).order_by("sort_order")[
        :MAX_ROWS_PER_PAGE
    ])


def index_find_main_terms(*, release: CodeSetRelease, table: str, text: str) -> QuerySet[IndexTerm]:
    """Main terms that begin with the text typed, A-Z."""
    return IndexTerm.objects.filter(release=release, table=table, level=0, title__istartswith=text.strip()).order_by(
        "sort_order"
    )[:MAX_MATCHES]


def index_subtree(*, release: CodeSetRelease, table: str, main: IndexTerm) -> list[IndexTerm]:
    """A main term and all its subterms, in book order."""
    following = (
        IndexTerm.objects.filter(release=release, table=table, level=0, sort_order__gt=main.sort_order)
        .order_by("sort_order").values_list("sort_order", flat=True).first()
    )
    rows = IndexTerm.objects.filter(release=release, table=table, sort_order__gte=main.sort_order)
    if following is not None:
        rows = rows.filter(sort_order__lt=following)
    return list(rows.order_by("sort_order")[:MAX_ROWS_PER_PAGE])


def index_main_term_of(*, release: CodeSetRelease, table: str, term: IndexTerm) -> IndexTerm:
    if term.level == 0:
        return term
    main = (
        IndexTerm.objects.filter(release=release, table=table, level=0, sort_order__lt=term.sort_order)
        .order_by("-sort_order").first()
    )
    return main or term


def _child_matching(*, release: CodeSetRelease, table: str, parent: IndexTerm, part: str) -> IndexTerm | None:
    part = part.strip().lower()
    for child in IndexTerm.objects.filter(release=release, table=table, parent_order=parent.sort_order).order_by(
        "sort_order"
    ).only("sort_order", "title", "level", "letter"):
        title = child.title.lower()
        if title == part or title.startswith(part + ",") or title.startswith(part + " "):
            return child
    return None


def index_reference_target(*, release: CodeSetRelease, table: str, reference: str) -> tuple[str, IndexTerm] | None:
    """Where a "see" or "see also" reference leads: (table, the deepest term it names), or None.

    "Maltreatment" names a main term; "Diabetes, diabetic, type 2" a main term whose own title holds a
    comma, then a subterm; "Neoplasm, abdomen, wall, skin" a row of the Neoplasm Table. References such
    as "condition" or "Table of Drugs and Chemicals" name no term and stay plain text.
    """
    parts = [part.strip() for part in (reference or "").split(",") if part.strip()][:8]
    if not parts:
        return None
    if parts[0].lower() == NEOPLASM_MAIN_TERM.split(",")[0].lower() and len(parts) > 1:
        neoplasm = _walk(release=release, table=TABLE_NEOPLASM, parts=parts[1:])
        if neoplasm is not None:
            return TABLE_NEOPLASM, neoplasm
    found = _walk(release=release, table=table, parts=parts)
    return (table, found) if found is not None else None


def _walk(*, release: CodeSetRelease, table: str, parts: list[str]) -> IndexTerm | None:
    for count in range(len(parts), 0, -1):
        title = ", ".join(parts[:count])
        mains = IndexTerm.objects.filter(release=release, table=table, level=0)
        main = mains.filter(title__iexact=title).order_by("sort_order").first()
        if main is None:
            main = mains.filter(title__istartswith=title + ",").order_by("sort_order").first() if count == 1 else None
        if main is None:
            continue
        current = main
        for part in parts[count:]:
            child = _child_matching(release=release, table=table, parent=current, part=part)
            if child is None:
                break
            current = child
        return current
    return None

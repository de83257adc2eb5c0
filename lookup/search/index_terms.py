"""What the four Alphabetic Index files add to search (no Django).

Rows come in book order per table as ``(table, level, title, nemod, path, code, cells)``,
``path`` joined with " > ". The Index and the External Cause Index give one entry per coded
term: a main term's own code is its default, subterm paths count as Index terms. A row of the
Neoplasm Table or the Table of Drugs gives one entry per column that has a code, worded as the
book reads it: "Neoplasm, neoplastic, liver, malignant secondary" (C78.7), "Warfarin, adverse
effect" (T45.515). Table rows always count as Index subterms, never as a code's title.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lookup.alphaindex import NEOPLASM_MAIN_TERM, TABLE_COLUMNS, TABLE_NEOPLASM

from .index import IndexTermEntry

Row = tuple[str, int, str, str, str, str, list]

# The words a code in each column answers to: the column's heading, plus the wording the Index itself
# sends to the column ("Metastasis, metastatic, to specified site - see Neoplasm, secondary, by site";
# "Carcinoma in situ - see Neoplasm, in situ, by site"). Kept here, with the index builder, so a change
# rebuilds the search snapshots.
COLUMN_SEARCH_WORDS = {
    "malignant_primary": "malignant primary",
    "malignant_secondary": "malignant secondary metastatic metastasis",
    "in_situ": "carcinoma in situ",
    "benign": "benign",
    "uncertain": "uncertain behavior",
    "unspecified": "unspecified behavior",
    "accidental": "poisoning accidental unintentional",
    "self_harm": "poisoning intentional self-harm",
    "assault": "poisoning assault",
    "undetermined": "poisoning undetermined",
    "adverse": "adverse effect",
    "underdosing": "underdosing",
}


def index_term_entries(rows: Iterable[Row]) -> Iterator[IndexTermEntry]:
    current_main = ""
    current_table = ""
    for table, level, title, nemod, path, code, cells in rows:
        if table != current_table:
            current_table, current_main = table, ""
        if level == 0:
            current_main = f"{title} {nemod}".strip()
        columns = TABLE_COLUMNS.get(table)
        if columns is not None:
            parts = path.split(" > ")
            if table == TABLE_NEOPLASM:
                main_term, subterms = NEOPLASM_MAIN_TERM, " ".join(parts)
            else:
                main_term, subterms = current_main, " ".join(parts[1:])
            for column, cell in zip(columns, cells or ()):
                if cell:
                    words = (subterms, nemod if level else "", COLUMN_SEARCH_WORDS[column.key])
                    yield IndexTermEntry(code=cell, main_term=main_term, path=" ".join(part for part in words if part))
            continue
        if not code:
            continue
        if level == 0:
            yield IndexTermEntry(code=code, main_term=current_main)
        else:
            subterms = " ".join(path.split(" > ")[1:])
            yield IndexTermEntry(code=code, main_term=current_main, path=f"{subterms} {nemod}".strip())

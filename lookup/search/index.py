"""The in-memory search index of one code-set release (no Django).

Rows are every code and header in code order (for code look-ups). Documents
are what word search ranks: every row except 7th-character extensions, which
hang off their base code as *variants* in the order of the 7th-character
table, so "initial encounter" comes first and a fracture's 16 extensions cost
one document, not sixteen. Document ids follow a static rank (billable first,
plain titles before rarer siblings, then tabular order), so a scan in id
order meets the likeliest answers first and can stop early.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from .fuzzy import FuzzyVocabulary
from .packed import UINT32, StringTable, group_by_key, offsets_from_counts
from .synonyms import Synonym
from .text import RARE_WORDS, bracketed_alternatives, content_words, index_words, phrasing_words, words

LEVEL_TITLE = 0  # titles and inclusion terms (the Tabular's other names for the code)
LEVEL_TERM = 1  # Alphabetic Index subterms
LEVEL_SYNONYM = 2  # abbreviations and lay terms

HEADER_KINDS = frozenset({"chapter", "block"})
# Marks a phrasing that names the code's condition without detail: the Index's default for the plain
# term. NOS_MARK: an "NOS" inclusion term ("Dementia NOS"); CATEGORY_MARK: the category's title on the
# codes of its unspecified ".9" subcategory. Stored after the phrasing's (sorted) word ids.
NOS_MARK = 0xFFFFFFFF
CATEGORY_MARK = 0xFFFFFFFE


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code or header as the index needs it."""

    code: str
    display_code: str
    title: str
    billable: bool
    kind: str = "code"
    parent_code: str = ""
    sort_order: int = 0
    terms: tuple[str, ...] = ()  # inclusion terms and "Includes" notes
    seven_chr: tuple[tuple[str, str], ...] = ()

    @classmethod
    def with_notes(cls, *, code: str, display_code: str, title: str, billable: bool, kind: str, parent_code: str,
                   sort_order: int, notes: dict | None) -> "CodeEntry":
        """A code with the notes the importer keeps: inclusion terms and Includes notes, and 7th characters."""
        notes = notes or {}
        return cls(code=code, display_code=display_code, title=title, billable=billable, kind=kind,
                   parent_code=parent_code, sort_order=sort_order,
                   terms=tuple(notes.get("inclusion_terms") or ()) + tuple(notes.get("includes") or ()),
                   seven_chr=tuple((notes.get("seven_chr") or {}).items()))


def record_entries(records) -> list[CodeEntry]:
    """Parsed code records (``codesets.parsers``) as index entries, in file order."""
    return [CodeEntry.with_notes(code=r.code, display_code=r.display_code, title=r.long_title, billable=r.billable,
                                 kind=r.kind, parent_code=r.parent_code, sort_order=position, notes=r.notes)
            for position, r in enumerate(records)]


@dataclass(frozen=True, slots=True)
class IndexTermEntry:
    """One Alphabetic Index entry that names a code.

    ``main_term`` is the entry's main term ("Diabetes, diabetic (mellitus)");
    ``path`` the subterms below it. A main term's own (default) code counts the
    main term as title words; subterm paths count as inclusion terms.
    """

    code: str
    main_term: str
    path: str = ""


@dataclass(slots=True)
class SearchIndex:
    """One release's index, as flat buffers (see ``packed``): ``x_start[i]:x_start[i + 1]`` is item i's slice of ``x``."""

    system: str
    # Rows, in code order.
    row_code: StringTable
    row_display: StringTable
    row_title: StringTable
    row_billable: bytes
    # Documents, in static-rank order: the row each shows, and its words (sorted ids) with their levels.
    doc_row: array
    doc_billable: bytes
    doc_word_start: array
    doc_word: array
    doc_level: bytes
    # 7th-character extensions of each document (rows, in the order of its table).
    variant_start: array
    variant_row: array
    # Each document's phrasings (title, inclusion terms) without boilerplate, as sorted word ids:
    # how plain a match is. phrasing_start indexes phrasing_word_start.
    phrasing_start: array
    phrasing_word_start: array
    phrasing_word: array
    # Vocabulary (sorted), the documents of each word, and the documents whose title
    # (or Index main term) begins with it.
    vocabulary: list[str]
    cumulative_df: array
    posting_doc: array
    lead_start: array
    lead_doc: array
    word_min_level: bytes
    # The words each synonym term stands for ("aki" -> acute, kidney, failure): a title that says
    # them is a plain match for the term, not one with extra words.
    term_word_start: array
    term_word: array
    fuzzy: FuzzyVocabulary = field(repr=False)
    # Word ids of 7th-character meanings, filled as queries need them (a few hundred distinct texts).
    text_word_ids: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @property
    def row_count(self) -> int:
        return len(self.row_code)

    @property
    def doc_count(self) -> int:
        return len(self.doc_row)

    def word_range(self, prefix: str) -> tuple[int, int]:
        """Vocabulary ids [lo, hi) of the words starting with ``prefix``."""
        lo = bisect_left(self.vocabulary, prefix)
        hi = bisect_left(self.vocabulary, prefix + "\uffff", lo)
        return lo, hi

    def word_id(self, word: str) -> int | None:
        position = bisect_left(self.vocabulary, word)
        if position < len(self.vocabulary) and self.vocabulary[position] == word:
            return position
        return None

    def range_size(self, lo: int, hi: int) -> int:
        return self.cumulative_df[hi] - self.cumulative_df[lo]

    def postings(self, word_id: int):
        """The documents containing a word, in id order."""
        return self.posting_doc[self.cumulative_df[word_id] : self.cumulative_df[word_id + 1]]

    def lead_docs(self, word_id: int):
        """The documents whose title (or Index main term) begins with a word, in id order."""
        return self.lead_doc[self.lead_start[word_id] : self.lead_start[word_id + 1]]

    def variant_rows(self, doc: int):
        return self.variant_row[self.variant_start[doc] : self.variant_start[doc + 1]]

    def phrasings(self, doc: int) -> list:
        starts = self.phrasing_word_start
        return [
            self.phrasing_word[starts[phrasing] : starts[phrasing + 1]]
            for phrasing in range(self.phrasing_start[doc], self.phrasing_start[doc + 1])
        ]

    def code_range(self, prefix: str) -> tuple[int, int]:
        lo = bisect_left(self.row_code, prefix)
        hi = bisect_left(self.row_code, prefix + "\uffff", lo)
        return lo, hi


def _seven_chr_variants(by_code: dict[str, CodeEntry]) -> dict[str, list[tuple[int, str]]]:
    """base code -> [(position in its 7th-character table, extension code)]."""
    tables: dict[str, dict[str, int]] = {}

    def table_for(code: str) -> dict[str, int] | None:
        seen = 0
        while code and seen < 8:
            if code in tables:
                return tables[code]
            entry = by_code.get(code)
            if entry is None:
                return None
            if entry.seven_chr:
                tables[code] = {char: position for position, (char, _) in enumerate(entry.seven_chr)}
                return tables[code]
            code = entry.parent_code or code[:-1]
            seen += 1
        return None

    variants: dict[str, list[tuple[int, str]]] = {}
    for code in by_code:
        if len(code) != 7:
            continue
        # The code the extension was added to: drop the placeholder X padding (S13.4XXA -> S13.4).
        stem = code[:6]
        while stem not in by_code and stem.endswith("X"):
            stem = stem[:-1]
        if stem not in by_code:
            continue
        table = table_for(stem)
        if table is None or code[6] not in table:
            continue
        variants.setdefault(stem, []).append((table[code[6]], code))
    for items in variants.values():
        items.sort()
    return variants


def _static_rank(entry: CodeEntry, billable: bool, defaults: tuple[str, ...]) -> tuple:
    """Billable first, then the plainest way the code is named (its title, its own inclusion terms or
    the default it is for): "Dementia NOS" makes F03.90 as plain as "dementia"."""

    def plainness(text: str) -> int:
        words = phrasing_words(text)
        return len(words) + 2 * sum(1 for word in words if word in RARE_WORDS)

    title_plainness = plainness(entry.title)
    named = min([title_plainness] + [plainness(text) for text in (*entry.terms, *defaults)])
    return (0 if billable else 1, named, title_plainness, len(entry.title), entry.sort_order, entry.code)


def is_default_text(text: str) -> bool:
    """An inclusion term that names the condition without detail ("Otitis media NOS")."""
    return "nos" in words(text)


def _category_defaults(by_code: dict[str, CodeEntry]) -> dict[str, str]:
    """code -> its category's title, for the codes the Index gives for the category's plain term.

    The Index sends a plain term to the category's unspecified ".9" subcategory and, below it, to its
    first branch ("Neoplasm, breast, malignant" -> C50.9- -> C50.91-): C50.911, C50.912 and C50.919
    answer to "Malignant neoplasm of breast" as a default; C50.92- (male) does not.
    """
    children: dict[str, list[str]] = {}
    for code, entry in by_code.items():
        if entry.parent_code and entry.parent_code != code:
            children.setdefault(entry.parent_code, []).append(code)
    defaults: dict[str, str] = {}
    by_category: dict[str, list[str]] = {}
    for code, entry in by_code.items():
        if len(code) > 3 and entry.billable:
            by_category.setdefault(code[:3], []).append(code)
    for code, category in by_code.items():
        if len(code) != 3 or category.billable:
            continue
        node = by_code.get(code + "9")
        if node is None or "unspecified" not in words(node.title):
            # No unspecified branch: the code whose title says the category's title and nothing else
            # ("Benign prostatic hyperplasia without lower urinary tract symptoms" under N40) is its default.
            plain = sorted(phrasing_words(category.title))
            same = [c for c in sorted(by_category.get(code, ())) if sorted(phrasing_words(by_code[c].title)) == plain]
            if plain and len(same) == 1:
                defaults[same[0]] = category.title
            continue
        parent = code
        for _ in range(4):
            if node.billable:
                break
            kids = sorted(children.get(node.code, ()))
            if not kids:
                break
            parent, node = node.code, by_code[kids[0]]
        if not node.billable:
            continue
        for sibling in children.get(parent, ()):
            if by_code[sibling].billable and sibling[3] == "9":
                defaults[sibling] = category.title
    return defaults


def _add_words(bag: dict[int, int], word_ids: dict[str, int], text: str, level: int) -> None:
    """Add the words of a text to a document's bag at a level, keeping each word's best (lowest) level."""
    for word in index_words(text):
        word_id = word_ids.get(word)
        if word_id is None:
            word_id = word_ids[word] = len(word_ids)
        if bag.get(word_id, 99) > level:
            bag[word_id] = level


def build_index(
    entries: Iterable[CodeEntry],
    *,
    system: str,
    synonyms: Iterable[Synonym] = (),
    index_terms: Iterable[IndexTermEntry] = (),
) -> SearchIndex:
    """Build the index; the result depends only on the entries, never on their order.

    Built straight into flat buffers: each document's words are gathered in a small
    dict that is dropped once packed, so the peak stays close to the input's size.
    """
    rows = sorted((e for e in entries if e.kind not in HEADER_KINDS), key=lambda e: e.code)
    by_code = {entry.code: entry for entry in rows}
    row_of = {entry.code: position for position, entry in enumerate(rows)}
    variants = _seven_chr_variants(by_code)
    variant_base = {code: base for base, items in variants.items() for _, code in items}
    # Documents in code order first ("positions"); ids in static-rank order come last.
    doc_entries = [entry for entry in rows if entry.code not in variant_base]
    position_of = {entry.code: position for position, entry in enumerate(doc_entries)}

    inherited: dict[str, tuple[str, ...]] = {}

    def terms_of(code: str) -> tuple[str, ...]:
        """Inclusion terms of the code and of every code above it (they apply to everything beneath)."""
        if code not in inherited:
            entry = by_code.get(code)
            # A title's bracketed wording ("Zoster [herpes zoster]") names the code too, and like
            # inclusion terms it applies to every code beneath.
            own = entry.terms + tuple(bracketed_alternatives(entry.title)) if entry else ()
            if entry is None or not entry.parent_code or entry.parent_code == code:
                inherited[code] = own
            else:
                inherited[code] = own + terms_of(entry.parent_code)
        return inherited[code]

    # Alphabetic Index entries: the text each adds to a document, and main terms that lead a title.
    index_texts: dict[int, list[tuple[str, int]]] = {}
    index_leads: dict[str, str] = {}
    for term in sorted(index_terms, key=lambda t: (t.code, t.main_term, t.path)):
        # An Index entry may name an extension, or end with "-" (more characters needed):
        # credit the nearest document at or above it.
        target = term.code.replace(".", "").replace("-", "").upper()
        target = variant_base.get(target, target)
        while target and target not in position_of:
            target = target[:-1]
        if not target:
            continue
        texts = index_texts.setdefault(position_of[target], [])
        if term.path:
            texts.append((f"{term.main_term} {term.path}", LEVEL_TERM))
        else:
            texts.append((term.main_term, LEVEL_TITLE))
            main_words = content_words(term.main_term)
            if main_words:
                index_leads.setdefault(target, main_words[0])

    # Each document's words with their best level, under provisional word ids.
    provisional: dict[str, int] = {}
    bag_word = array(UINT32)
    bag_level = bytearray()
    bag_counts: list[int] = []
    for position, entry in enumerate(doc_entries):
        bag: dict[int, int] = {}
        _add_words(bag, provisional, entry.title, LEVEL_TITLE)
        for text in terms_of(entry.code):
            _add_words(bag, provisional, text, LEVEL_TITLE)
        for _, variant_code in variants.get(entry.code, ()):
            _add_words(bag, provisional, by_code[variant_code].title, LEVEL_TITLE)
        for text, level in index_texts.get(position, ()):
            _add_words(bag, provisional, text, level)
        bag_word.extend(bag)
        bag_level.extend(bag.values())
        bag_counts.append(len(bag))
    del index_texts
    bag_start = offsets_from_counts(bag_counts)
    del bag_counts

    # Synonyms and lay terms: a document whose title words (or Index terms) hold every word of an
    # expansion answers to the term. A multi-word term is one vocabulary entry ("stomach flu"),
    # so "flu" alone does not find it.
    known_words = len(provisional)
    bag_position = array(UINT32, bytes(4 * len(bag_word)))
    for position in range(len(doc_entries)):
        for slot in range(bag_start[position], bag_start[position + 1]):
            bag_position[slot] = position
    word_doc_start, word_docs = group_by_key(bag_word, bag_position, known_words)
    del bag_position
    synonym_position = array(UINT32)
    synonym_word = array(UINT32)
    expansion_words: dict[int, set[int]] = {}  # synonym term -> the words it stands for
    for synonym in synonyms:
        for expansion in synonym.expansions:
            ids = [provisional.get(word) for word in expansion]
            if not ids or any(word_id is None or word_id >= known_words for word_id in ids):
                continue
            lists = sorted((word_docs[word_doc_start[w] : word_doc_start[w + 1]] for w in ids), key=len)
            matched = set(lists[0]).intersection(*lists[1:])
            if not matched:
                continue
            term = " ".join(synonym.term)
            term_id = provisional.get(term)
            if term_id is None:
                term_id = provisional[term] = len(provisional)
            expansion_words.setdefault(term_id, set()).update(ids)
            synonym_position.extend(matched)
            synonym_word.extend([term_id] * len(matched))
    del word_doc_start, word_docs
    synonym_start, synonym_words = group_by_key(synonym_position, synonym_word, len(doc_entries))
    del synonym_position, synonym_word

    def effective_billable(entry: CodeEntry) -> bool:
        return entry.billable or entry.code in variants

    category_defaults = _category_defaults(by_code)

    # Where each "NOS" term is stated. A category's "Includes: inguinal hernia NOS" that a code beneath
    # states again ("Inguinal hernia NOS" under K40.90) makes that code the default, not its siblings.
    nos_stated: dict[str, list[str]] = {}
    for code, entry in by_code.items():
        for text in entry.terms:
            if is_default_text(text):
                nos_stated.setdefault(text.lower(), []).append(code)

    def nos_terms(entry: CodeEntry) -> tuple[str, ...]:
        kept = []
        for text in terms_of(entry.code):
            if not is_default_text(text):
                continue
            stated = nos_stated.get(text.lower(), ())
            own = [code for code in stated if entry.code.startswith(code)]
            if own:
                nearest = max(own, key=len)
                if any(code != nearest and code.startswith(nearest) and not entry.code.startswith(code) for code in stated):
                    continue
            kept.append(text)
        return tuple(kept)

    def defaults_of(entry: CodeEntry) -> tuple[str, ...]:
        return nos_terms(entry) + ((category_defaults[entry.code],) if entry.code in category_defaults else ())

    order = sorted(range(len(doc_entries)),
                   key=lambda p: _static_rank(doc_entries[p], effective_billable(doc_entries[p]), defaults_of(doc_entries[p])))
    vocabulary = sorted(provisional)
    final_of = array(UINT32, bytes(4 * len(vocabulary)))
    for word_id, word in enumerate(vocabulary):
        final_of[provisional[word]] = word_id
    word_ids = provisional  # now mapped to final ids
    for word_id, word in enumerate(vocabulary):
        word_ids[word] = word_id
    term_keys = array(UINT32)
    term_values = array(UINT32)
    for term_id, expansion in expansion_words.items():
        for word in sorted(final_of[w] for w in expansion):
            term_keys.append(final_of[term_id])
            term_values.append(word)
    term_word_start, term_word = group_by_key(term_keys, term_values, len(vocabulary))
    del expansion_words, term_keys, term_values

    doc_row = array(UINT32)
    doc_billable = bytearray()
    doc_word = array(UINT32)
    doc_level = bytearray()
    doc_word_start = array(UINT32, [0])
    variant_row = array(UINT32)
    variant_start = array(UINT32, [0])
    phrasing_word = array(UINT32)
    phrasing_word_start = array(UINT32, [0])
    phrasing_start = array(UINT32, [0])
    lead_word = array(UINT32)
    lead_doc = array(UINT32)
    for doc_id, position in enumerate(order):
        entry = doc_entries[position]
        doc_row.append(row_of[entry.code])
        doc_billable.append(1 if effective_billable(entry) else 0)
        title_words = content_words(entry.title)
        for lead in {title_words[0] if title_words else None, index_leads.get(entry.code)} - {None}:
            lead_word.append(word_ids[lead])
            lead_doc.append(doc_id)
        words = {final_of[bag_word[slot]]: bag_level[slot] for slot in range(bag_start[position], bag_start[position + 1])}
        for slot in range(synonym_start[position], synonym_start[position + 1]):
            words.setdefault(final_of[synonym_words[slot]], LEVEL_SYNONYM)
        for word_id in sorted(words):
            doc_word.append(word_id)
            doc_level.append(words[word_id])
        doc_word_start.append(len(doc_word))
        variant_row.extend(row_of[code] for _, code in variants.get(entry.code, ()))
        variant_start.append(len(variant_row))
        phrasings = {(tuple(phrasing_words(text)), 0) for text in (entry.title, *terms_of(entry.code))}
        phrasings |= {(tuple(phrasing_words(text, keep_negated=True)), NOS_MARK) for text in nos_terms(entry)}
        if entry.code in category_defaults:
            phrasings.add((tuple(phrasing_words(category_defaults[entry.code])), CATEGORY_MARK))
        for phrasing, mark in sorted(phrasings):
            if phrasing:
                phrasing_word.extend(sorted(word_ids[word] for word in set(phrasing) if word in word_ids))
                if mark:
                    phrasing_word.append(mark)
                phrasing_word_start.append(len(phrasing_word))
        phrasing_start.append(len(phrasing_word_start) - 1)
    del bag_word, bag_level, bag_start, synonym_start, synonym_words, final_of, inherited

    doc_of_slot = array(UINT32, bytes(4 * len(doc_word)))
    for doc_id in range(len(doc_row)):
        for slot in range(doc_word_start[doc_id], doc_word_start[doc_id + 1]):
            doc_of_slot[slot] = doc_id
    cumulative, posting_doc = group_by_key(doc_word, doc_of_slot, len(vocabulary))
    del doc_of_slot
    lead_start, lead_docs = group_by_key(lead_word, lead_doc, len(vocabulary))
    min_level = bytearray([LEVEL_SYNONYM] * len(vocabulary))
    for word_id, level in zip(doc_word, doc_level):
        if level < min_level[word_id]:
            min_level[word_id] = level

    return SearchIndex(
        system=system,
        row_code=StringTable.from_strings(entry.code for entry in rows),
        row_display=StringTable.from_strings(entry.display_code for entry in rows),
        row_title=StringTable.from_strings(entry.title for entry in rows),
        row_billable=bytes(1 if entry.billable else 0 for entry in rows),
        doc_row=doc_row,
        doc_billable=bytes(doc_billable),
        doc_word_start=doc_word_start,
        doc_word=doc_word,
        doc_level=bytes(doc_level),
        variant_start=variant_start,
        variant_row=variant_row,
        phrasing_start=phrasing_start,
        phrasing_word_start=phrasing_word_start,
        phrasing_word=phrasing_word,
        vocabulary=vocabulary,
        cumulative_df=cumulative,
        posting_doc=posting_doc,
        lead_start=lead_start,
        lead_doc=lead_docs,
        word_min_level=bytes(min_level),
        term_word_start=term_word_start,
        term_word=term_word,
        fuzzy=FuzzyVocabulary(vocabulary),
    )

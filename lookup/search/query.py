"""Query execution and ranking (no Django): one module, so every database gives the same answer.

A query is either a code (``e11.4``, ``E114``: the exact code, then the codes
under it in code order) or words. Each word matches vocabulary words it
prefixes, or, when nothing matches, words within a small edit distance.
Documents that match every word are ranked by, in order:

1. how inexactly the words matched (whole word < prefix < typo),
2. where they matched (title or inclusion term < Alphabetic Index subterm < synonym or lay term),
3. billable codes before headers,
4. how many other words the closest title or inclusion term carries, boilerplate
   aside ("unspecified", "without ...", parenthesised modifiers): plain before rarer,
5. titles that begin with a query word first,
6. the static rank (plain/unspecified before rarer siblings, then tabular order).

If fewer than ``limit`` documents match every word, documents missing one word
follow. A document with 7th-character extensions shows the extension whose
meaning the query names, else the first in its table (initial encounter).
Work is capped: query length, token count, documents examined.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .absurd import describes_injury_event, is_external_cause
from .index import CATEGORY_MARK, NOS_MARK, SearchIndex
from .text import MAX_QUERY_CHARS, content_words, normalize_code, query_tokens

MAX_LIMIT = 50
MAX_EXAMINED = 3_000
MAX_EXAMINED_PARTIAL = 1_500
MAX_PARTIAL_TOKENS = 5
# Documents re-ranked by how plain the match is: limit x factor, at least the minimum.
SHORTLIST_FACTOR = 3
SHORTLIST_MIN = 30

# A token spec is a list of (lo, hi, exact_word_id, penalty) vocabulary ranges.
Spec = list[tuple[int, int, int, int]]
PENALTY_PREFIX = 1
PENALTY_TYPO = 2


@dataclass(frozen=True, slots=True)
class Hit:
    code: str
    title: str
    billable: bool


def search(index: SearchIndex, query: str, *, limit: int = 10) -> list[Hit]:
    limit = max(1, min(int(limit), MAX_LIMIT))
    text = (query or "").strip()[:MAX_QUERY_CHARS]
    if len(text) < 2:
        return []
    code = normalize_code(text)
    if code:
        hits = _code_search(index, code, limit)
        if hits:
            return hits
    tokens = query_tokens(text)
    if not tokens:
        return []
    ranked, specs = _ranked(index, tokens, limit)
    phrased = _merge_phrases(index, tokens)
    if phrased != tokens:
        # Also read "heart attack" as the one term, not two words; keep each document's better reading.
        best = {key[-1]: key for key in ranked}
        for key in _ranked(index, phrased, limit)[0]:
            if key[-1] not in best or key < best[key[-1]]:
                best[key[-1]] = key
        ranked = heapq.nsmallest(max(limit * SHORTLIST_FACTOR, SHORTLIST_MIN), best.values())
    if index.system == "icd10cm" and not describes_injury_event(text):
        # A lay word with a second sense ("shot", "struck") must not bring in the external-cause chapter.
        ranked = sorted(ranked, key=lambda key: is_external_cause(index.row_code[index.doc_row[key[-1]]]))
    return _hits(index, ranked[:limit], specs, limit)


def _ranked(index: SearchIndex, tokens: list[str], limit: int) -> tuple[list[tuple], list[Spec]]:
    """Every word first; with typos if nothing matched; then documents missing one word."""
    specs = [_token_spec(index, token, with_typos=False) for token in tokens]
    ranked = _rank(index, specs, limit, unmatched=0)
    if not ranked:
        specs = [_token_spec(index, token, with_typos=True) for token in tokens]
        ranked = _rank(index, specs, limit, unmatched=0)
    if len(ranked) < limit and 2 <= len(specs) <= MAX_PARTIAL_TOKENS:
        best = {key[-1]: key for key in ranked}
        for dropped in range(len(specs)):
            subset = specs[:dropped] + specs[dropped + 1 :]
            for key in _rank(index, subset, limit, unmatched=1):
                if key[-1] not in best or key < best[key[-1]]:
                    best[key[-1]] = key
        ranked = heapq.nsmallest(limit, best.values())
    return ranked, specs


def _merge_phrases(index: SearchIndex, tokens: list[str]) -> list[str]:
    """Join neighbouring words that form a multi-word term of the synonym tables (the last may be a prefix)."""
    merged: list[str] = []
    position = 0
    while position < len(tokens):
        for size in (4, 3, 2):
            end = position + size
            if end > len(tokens):
                continue
            phrase = " ".join(tokens[position:end])
            lo, hi = index.word_range(phrase)
            if lo < hi and (index.vocabulary[lo] == phrase or end == len(tokens)):
                merged.append(phrase)
                position = end
                break
        else:
            merged.append(tokens[position])
            position += 1
    return merged


def _code_search(index: SearchIndex, code: str, limit: int) -> list[Hit]:
    lo, hi = index.code_range(code)
    rows = list(range(lo, min(hi, lo + limit)))
    return [_hit(index, row) for row in rows]


def _hit(index: SearchIndex, row: int) -> Hit:
    return Hit(code=index.row_display[row], title=index.row_title[row], billable=bool(index.row_billable[row]))


def _token_spec(index: SearchIndex, token: str, *, with_typos: bool) -> Spec:
    spec: Spec = []
    if len(token) == 1:
        word_id = index.word_id(token)
        if word_id is not None:
            spec.append((word_id, word_id + 1, word_id, 0))
        return spec
    lo, hi = index.word_range(token)
    if lo < hi:
        exact = lo if index.vocabulary[lo] == token else -1
        spec.append((lo, hi, exact, PENALTY_PREFIX))
    if (with_typos or lo == hi) and not token.isdigit():
        for word_id in index.fuzzy.lookup(token):
            if not lo <= word_id < hi:
                spec.append((word_id, word_id + 1, -1, PENALTY_TYPO))
    return spec


def _spec_bound(index: SearchIndex, spec: Spec) -> tuple[int, int]:
    """The best (inexactness, level) any document could score for this token."""
    best = (PENALTY_TYPO + 1, 9)
    min_level = index.word_min_level
    for lo, hi, exact, penalty in spec:
        if exact >= 0:
            best = min(best, (0, min_level[exact]))
            if hi - lo > 1:
                best = min(best, (penalty, min(min_level[lo:hi])))
        else:
            best = min(best, (penalty, min(min_level[lo:hi])))
    return best


# A token's match in a document packed in one int, (inexactness, level) ordered alike: levels are below 8.
_LEVEL_BITS = 3
_LEVEL_MASK = (1 << _LEVEL_BITS) - 1
_NO_MATCH = 1 << 30


def _union(lists: list, limit: int) -> list[int]:
    if len(lists) == 1:
        return list(lists[0][:limit])
    merged: set[int] = set()
    for items in lists:
        merged.update(items)
    return sorted(merged)[:limit]


def _rank(index: SearchIndex, specs: list[Spec], limit: int, *, unmatched: int) -> list[tuple]:
    """Keys (unmatched, inexact, level, header, extra, lead, doc) of the best documents matching every spec.

    Documents whose title begins with a query word are scored first, then the
    rest in static-rank order. Each pass stops once ``limit`` documents reach
    the best key still possible for it, so the answer is exact yet most
    queries touch a few hundred documents.
    """
    if not specs or any(not spec for spec in specs):
        return []
    bounds = [_spec_bound(index, spec) for spec in specs]
    best_prefix = (unmatched, sum(b[0] for b in bounds), sum(b[1] for b in bounds), 0)
    sizes = [sum(index.range_size(lo, hi) for lo, hi, _, _ in spec) for spec in specs]
    # Scans test the rarest token first, so most documents that lack one are dropped at the first
    # test; the second pass reads the driver's (rarest token's) documents, so it is tested last.
    order = sorted(range(len(specs)), key=sizes.__getitem__)
    rarest_first = [specs[position] for position in order]
    ranges = [(lo, hi) for spec in specs for lo, hi, _, _ in spec]
    ranges += _expansion_ranges(index, specs)
    # A title "begins with a query word" when its first word matches a query word as well as
    # that word can match at all (the exact word if there is one), so the scan stays short.
    lead_ranges = []
    for spec, (best_inexact, _) in zip(specs, bounds):
        for lo, hi, exact, penalty in spec:
            if best_inexact == 0 and exact >= 0:
                lead_ranges.append((exact, exact + 1))
            elif best_inexact and penalty == best_inexact:
                lead_ranges.append((lo, hi))
    lead_start = index.lead_start
    lead_lists = [
        index.lead_docs(word_id)
        for lo, hi in lead_ranges
        for word_id in range(lo, hi)
        if lead_start[word_id] < lead_start[word_id + 1]
    ]
    leading = _union(lead_lists, MAX_EXAMINED) if lead_lists else []
    shortlist = max(limit * SHORTLIST_FACTOR, SHORTLIST_MIN)
    examined = MAX_EXAMINED if not unmatched else MAX_EXAMINED_PARTIAL
    leading = leading[:examined]
    keys = _scan(index, rarest_first, leading, shortlist, best_prefix + (0,), unmatched, lead=0)
    starts, ends = _merged(ranges)
    # Each query word's own ranges (its synonyms' words included): a default names every query word.
    token_ranges = [_merged([(lo, hi) for lo, hi, _, _ in spec] + _expansion_ranges(index, [spec])) for spec in specs]
    # Leading titles suffice only if one of them already has no extra words: extra words outrank
    # leading, so otherwise a plainer title that does not begin with a query word may still win.
    leads_suffice = (
        len(keys) >= shortlist
        and all(_at_bound(key, best_prefix + (0,)) for key in keys[:shortlist])
        and any(_extra_words(index, key[-1], starts, ends, token_ranges) <= 2 for key in keys)
    )
    if not leads_suffice:
        driver_bound = bounds[order[0]]
        keys += _scan_not_leading(index, rarest_first, set(leading), shortlist, best_prefix + (1,), unmatched, examined,
                                  driver_bound)
    # Among the candidates of both passes, the match that leaves fewest other words in a title or
    # inclusion term (boilerplate aside) is the plainer code: "Pneumonia, unspecified organism" over
    # "Viral pneumonia". It outranks leading, so it is applied before the shortlist is cut.
    return heapq.nsmallest(shortlist, (key[:2] + (key[3], _extra_words(index, key[-1], starts, ends, token_ranges),
                                                  key[2]) + key[4:]
                                        for key in keys))


def _scan_not_leading(index: SearchIndex, rarest_first: list[Spec], seen: set[int], shortlist: int, bound: tuple,
                      unmatched: int, examined: int, driver_bound: tuple[int, int]) -> list[tuple]:
    """The second pass: documents of the rarest token, in static-rank order, that the leading pass did not see.

    A short prefix ("pe") spans thousands of words, so the documents of its exact word are scanned
    first. Only they can reach the bound (any other word of the range is inexact), so when enough of
    them do, the union of every word's documents is never built. The documents left lack the exact
    word, so their scan stops at the best key an inexact match can reach.
    """
    driver = rarest_first[0]
    tested_last = rarest_first[1:] + [driver]
    keys: list[tuple] = []
    exact_words = [exact for lo, hi, exact, _ in driver if exact >= 0 and hi - lo > 1]
    if exact_words:
        exact_docs = [doc for doc in _union([index.postings(w) for w in exact_words], examined) if doc not in seen]
        keys = _scan(index, tested_last, exact_docs, shortlist, bound, unmatched, lead=1)
        if len(keys) >= shortlist and all(_at_bound(key, bound) for key in keys):
            return keys  # nothing else can rank above these
        seen.update(exact_docs)
        inexact, level = _inexact_bound(index, driver)
        bound = (bound[0], bound[1] - driver_bound[0] + inexact, bound[2] - driver_bound[1] + level) + bound[3:]
    rest = (doc for doc in _union([index.postings(w) for lo, hi, _, _ in driver for w in range(lo, hi)], examined)
            if doc not in seen)
    return keys + _scan(index, tested_last, rest, shortlist, bound, unmatched, lead=1)


def _inexact_bound(index: SearchIndex, spec: Spec) -> tuple[int, int]:
    """The best (inexactness, level) a document can score for this token without any of its exact words."""
    min_level = index.word_min_level
    best = (PENALTY_TYPO + 1, 9)
    for lo, hi, exact, penalty in spec:
        if exact >= 0:
            levels = [*min_level[lo:exact], *min_level[exact + 1:hi]]
            if levels:
                best = min(best, (penalty, min(levels)))
        else:
            best = min(best, (penalty, min(min_level[lo:hi])))
    return best


def _expansion_ranges(index: SearchIndex, specs: list[Spec]) -> list[tuple[int, int]]:
    """The words that the synonym terms a query word names stand for: they are not extra words."""
    starts, words = index.term_word_start, index.term_word
    found = []
    for spec in specs:
        for lo, hi, exact, _ in spec:
            for word_id in ((exact,) if exact >= 0 else range(lo, hi) if hi - lo <= 32 else ()):
                found.extend((word, word + 1) for word in words[starts[word_id] : starts[word_id + 1]])
    return found


def _merged(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The union of word-id ranges as sorted, disjoint [start, end) intervals."""
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in sorted(ranges):
        if ends and lo <= ends[-1]:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def _extra_words(index: SearchIndex, doc: int, starts: list[int], ends: list[int],
                 token_ranges: list[tuple[list[int], list[int]]] = ()) -> int:
    """How plain the match is: three times the fewest words of one of the document's phrasings that no
    query word matches, plus 0 for an "NOS" inclusion term, 1 for the category's title on its
    unspecified code, 2 for any other title or inclusion term.

    So the default the query names exactly ("Dementia NOS" for "dementia") beats the category's
    unspecified code, which beats any other exact title, which beats every title with an extra word.
    A default counts as one only when it says no less than the query: "Bronchitis NOS" (J40) is the
    default for "bronchitis", not for "acute bronchitis" (a query word it lacks, and no other word in
    its place), where the category default J20.9 wins. "Renal disease NOS" stays the default for
    "kidney disease": it names the organ, in other words.
    """
    phrasings = index.phrasings(doc)
    best = 299 if phrasings else 2
    for phrasing in phrasings:
        mark = phrasing[-1] if len(phrasing) else 0
        if mark == NOS_MARK or mark == CATEGORY_MARK:
            phrasing = phrasing[:-1]
            extra = 0 if mark == NOS_MARK else 1
        else:
            extra = 2
        others = 0
        for word in phrasing:
            position = bisect_right(starts, word) - 1
            if position < 0 or word >= ends[position]:
                others += 1
        if extra < 2 and _tokens_missing(index, phrasing, token_ranges) > others:
            extra = 2
        extra += 3 * others
        if extra < best:
            best = extra
    return best


def _tokens_missing(index: SearchIndex, phrasing, token_ranges) -> int:
    """How many query words a phrasing does not name, by a word or by an abbreviation standing for it."""
    term_start, term_word = index.term_word_start, index.term_word
    missing = 0
    for token_starts, token_ends in token_ranges:
        for word in phrasing:
            position = bisect_right(token_starts, word) - 1
            if position >= 0 and word < token_ends[position]:
                break
            named = False
            for stands_for in term_word[term_start[word] : term_start[word + 1]]:
                position = bisect_right(token_starts, stands_for) - 1
                if position >= 0 and stands_for < token_ends[position]:
                    named = True
                    break
            if named:
                break
        else:
            missing += 1
    return missing


def _at_bound(key: tuple, bound: tuple) -> bool:
    """The scan key reached the best still possible, where it matched aside: a plain synonym match
    outranks a title match with extra words, so documents at any level count once exact and billable."""
    return key[0] == bound[0] and key[1] == bound[1] and key[3:5] == bound[3:5]


def _scan(index: SearchIndex, specs: list[Spec], docs, limit: int, bound: tuple, unmatched: int, *, lead: int):
    words, levels, starts, doc_billable = index.doc_word, index.doc_level, index.doc_word_start, index.doc_billable
    keys: list[tuple] = []
    at_bound = 0
    for doc in docs:
        start, end = starts[doc], starts[doc + 1]
        inexact = level = 0
        for spec in specs:
            # The token's best (inexactness, level) among the document's words (sorted ids), packed in
            # one int; the ranges of a spec never overlap. Inlined: this runs for up to MAX_EXAMINED documents.
            best = _NO_MATCH
            for lo, hi, exact, penalty in spec:
                position = bisect_left(words, lo, start, end)
                while position < end:
                    word = words[position]
                    if word >= hi:
                        break
                    found = ((0 if word == exact else penalty) << _LEVEL_BITS) | levels[position]
                    if found < best:
                        best = found
                    position += 1
            if best == _NO_MATCH:
                break
            inexact += best >> _LEVEL_BITS
            level += best & _LEVEL_MASK
        else:
            key = (unmatched, inexact, level, 0 if doc_billable[doc] else 1, lead, doc)
            keys.append(key)
            if key[0] == bound[0] and inexact == bound[1] and key[3:5] == bound[3:5]:
                at_bound += 1
                if at_bound >= limit:
                    break
    return heapq.nsmallest(limit, keys)


def _variant_order(index: SearchIndex, doc: int, specs: list[Spec]) -> list[int]:
    """The document's extensions; the one whose own words name query words the base title lacks comes first."""
    base_title = index.row_title[index.doc_row[doc]]

    def word_ids(text: str) -> tuple[int, ...]:
        cached = index.text_word_ids.get(text)
        if cached is None:
            cached = tuple(w for w in (index.word_id(word) for word in content_words(text)) if w is not None)
            if len(index.text_word_ids) < 50_000:
                index.text_word_ids[text] = cached
        return cached

    def named(ids: tuple[int, ...]) -> set[int]:
        return {
            position
            for position, spec in enumerate(specs)
            if any(lo <= word_id < hi for word_id in ids for lo, hi, _, _ in spec)
        }

    in_base = named(word_ids(base_title))
    scored = []
    for position, row in enumerate(index.variant_rows(doc)):
        title = index.row_title[row]
        own = title[len(base_title) :] if title.startswith(base_title) else title
        scored.append((-len(named(word_ids(own)) - in_base), position, row))
    scored.sort()
    return [row for _, _, row in scored]


def _hits(index: SearchIndex, ranked: list[tuple], specs: list[Spec], limit: int) -> list[Hit]:
    hits: list[Hit] = []
    spare: list[int] = []
    for key in ranked:
        doc = key[-1]
        if index.variant_start[doc] < index.variant_start[doc + 1]:
            rows = _variant_order(index, doc, specs)
            hits.append(_hit(index, rows[0]))
            spare.extend(rows[1:])
        else:
            hits.append(_hit(index, index.doc_row[doc]))
    for row in spare:
        if len(hits) >= limit:
            break
        hits.append(_hit(index, row))
    return hits[:limit]

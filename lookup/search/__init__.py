"""Code search: a pure, in-memory index and ranking (no Django imports here)."""

from .index import CodeEntry, SearchIndex, build_index, record_entries
from .query import MAX_LIMIT, Hit, search
from .synonyms import Synonym, load_synonyms, parse_synonyms
from .text import normalize_code

__all__ = [
    "MAX_LIMIT",
    "CodeEntry",
    "Hit",
    "SearchIndex",
    "Synonym",
    "build_index",
    "load_synonyms",
    "normalize_code",
    "parse_synonyms",
    "record_entries",
    "search",
]

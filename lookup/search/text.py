"""Text normalisation shared by the index builder and the query parser (no Django)."""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 32

# Words that carry no meaning for a lookup. "with" and "without" are deliberately
# absent: in ICD-10-CM they separate different codes.
STOPWORDS = frozenset(
    "a an and as at by due for from in into is of on or the to".split()
)
# Words that make a title "rarer" or "plainer" when ranking siblings.
# "without ..." names the condition with nothing added, so it counts as plain.
# "Encounter for ..." is how Z codes say a visit's reason: "Encounter for immunization" is plainly "immunization".
PLAIN_WORDS = frozenset({"unspecified", "nos", "without", "uncomplicated", "encounter"})
CONNECTIVES = frozenset({"with", "without"})
RARE_WORDS = frozenset({"other", "specified"})

_WORD_RE = re.compile(r"[a-z0-9]+")
_APOSTROPHE_RE = re.compile(r"[\u2019'`]")
_COMPOUND_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_BRACKETED_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SQUARE_BRACKETED_RE = re.compile(r"\[([^\[\]]+)\]")
# "except renal pelvis" narrows a title the way "without" does.
NEGATIONS = frozenset({"without", "not", "no", "except"})
# Letter, digit, then up to five letters/digits: ICD-10-CM (E11.40, T15.01XA),
# HCPCS (J1100) and CPT (99213, 0001F) once the dot is removed.
_CODE_RE = re.compile(r"^(?=[A-Z0-9]*\d)[A-Z0-9]{2,7}$")
# A capital "A" after a word names a type ("Hepatitis A", "Vitamin A deficiency"): a word, not the article.
# Marked before folding so the stop word list keeps dropping the article.
_DESIGNATOR_A_RE = re.compile(r"(?<=[A-Za-z] )A\b(?![-'\u2019])")
_DESIGNATOR_MARK = "a0"
DESIGNATOR_A = "a"


def _mark_designators(text: str) -> str:
    return _DESIGNATOR_A_RE.sub(_DESIGNATOR_MARK, text) if " A" in text else text


def _unmark(word: str) -> str:
    return DESIGNATOR_A if word == _DESIGNATOR_MARK else word


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes (Crohn's -> crohns)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _APOSTROPHE_RE.sub("", text.lower())


def words(text: str) -> list[str]:
    """Every word of a text, in order, folded."""
    return _WORD_RE.findall(fold(text))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def index_words(text: str) -> list[str]:
    """Content words plus hyphenated compounds written solid (gastro-esophageal -> gastroesophageal),
    and the type letter A ("Hepatitis A")."""
    found = [_unmark(word) for word in content_words(_mark_designators(text))]
    for compound in _COMPOUND_RE.findall(fold(text)):
        found.append(compound.replace("-", ""))
    return found


def bracketed_alternatives(title: str) -> list[str]:
    """Square brackets in a Tabular title hold synonyms or alternative wording: "Zoster [herpes zoster]"."""
    return [part.strip() for part in _SQUARE_BRACKETED_RE.findall(title) if part.strip()]


def phrasing_words(text: str, *, keep_negated: bool = False) -> list[str]:
    """The words that make a title or inclusion term specific, for "plain before rarer" ranking.

    Classification boilerplate does not make a code rarer: text in parentheses or
    brackets (nonessential modifiers), parts that only say "unspecified" or
    "not specified", and negations ("without complications", "not intractable") up to
    the next "with" ("without cholecystitis with obstruction" keeps "obstruction").
    "Migraine, unspecified, not intractable, without status migrainosus" -> [migraine].
    ``keep_negated`` keeps the negated words: a default ("Migraine without aura NOS") is the
    default only for a query that names them.
    """
    text = _BRACKETED_RE.sub(" ", fold(_mark_designators(text)))
    kept: list[str] = []
    for position, segment in enumerate(text.split(",")):
        tokens = _WORD_RE.findall(segment)
        if not tokens:
            continue
        # After the first comma, "unspecified organism", "site not specified", "without ..." only qualify.
        if position and not keep_negated and (
            (tokens[0] in NEGATIONS and "with" not in tokens)
            or ((tokens[0] in PLAIN_WORDS or tokens[-1] in PLAIN_WORDS) and "with" not in tokens)
            or tokens[-2:] == ["not", "specified"]
        ):
            continue
        negated = False
        for token in tokens:
            # "not" negates a qualifier ("not intractable"); in a title's first part it states a fact
            # ("Immunization not carried out"), whose words make the title specific.
            if token in NEGATIONS and not keep_negated and (token != "not" or position):
                negated = True
                continue
            if token == "with":
                negated = False
            if negated:
                continue
            if token not in STOPWORDS and token not in PLAIN_WORDS and token not in CONNECTIVES and token not in NEGATIONS:
                kept.append(_unmark(token))
    return kept


def query_tokens(text: str) -> list[str]:
    """The distinct meaningful words of a query, in order, capped in number and length."""
    seen: list[str] = []
    found = words(text[:MAX_QUERY_CHARS])
    for position, word in enumerate(found):
        word = word[:MAX_TOKEN_CHARS]
        # "hepatitis a", "vitamin a": a last "a" after another word is the type letter, never an article.
        if word == DESIGNATOR_A and position and position == len(found) - 1 and seen and DESIGNATOR_A not in seen:
            seen.append(word)
            continue
        if word in STOPWORDS or word in seen:
            continue
        seen.append(word)
        if len(seen) == MAX_TOKENS:
            break
    return seen


def normalize_code(text: str) -> str | None:
    """``e11.4`` / ``E114`` / ``E11.-`` -> ``E114``; None when the text cannot be a code."""
    candidate = text.strip().upper().replace(".", "").replace(" ", "").rstrip("-")
    if _CODE_RE.match(candidate):
        return candidate
    return None

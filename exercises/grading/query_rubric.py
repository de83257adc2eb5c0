"""Scoring a provider query against the case's query spec. Pure: no Django, no I/O.

The rubric follows the AHIMA/ACDIS practice brief "Guidelines for Achieving a Compliant Query Practice"
(2022 update), as docs/grading.md ("Provider queries") explains for students and instructors:

* a query states the clinical indicators from the record that prompted it;
* a multiple-choice query offers the clinically reasonable options those indicators support, plus
  "other" and "clinically undetermined / unable to determine" (a yes/no query offers them too);
* a yes/no query is used only to establish present-on-admission status, to substantiate or further
  specify a diagnosis already documented in the record, to establish cause and effect between
  documented conditions, or to resolve conflicting documentation; never to introduce a new diagnosis
  that only clinical indicators suggest;
* a query never leads: it does not name a diagnosis the indicators do not support, does not direct
  the provider to one answer, and never mentions payment, reimbursement, the DRG or other financial
  or quality-score impact.

Inputs are the student's query (``StudentQuery``) and the case's spec (``QuerySpecData``); the result is
criterion-by-criterion findings and a score out of 100 (``RubricResult``). Matching is by words: each
indicator and option of the spec lists the terms that recognise it in free text (a term ending in ``*``
matches any word starting with it: ``tachycardi*``). Instructors review every query and may override the
rubric score, so the wording rules stay simple and visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

MULTIPLE_CHOICE = "multiple_choice"
YES_NO = "yes_no"
OPEN_ENDED = "open_ended"
FORMATS = (MULTIPLE_CHOICE, YES_NO, OPEN_ENDED)
FORMAT_LABELS = {MULTIPLE_CHOICE: "Multiple choice", YES_NO: "Yes/no", OPEN_ENDED: "Open-ended"}

# The only circumstances in which the brief allows a yes/no query (the spec names the one that applies).
YES_NO_USES = {
    "poa": "establishing whether a condition was present on admission",
    "specify_documented": "substantiating or further specifying a diagnosis already documented in the record "
                          "(including findings in radiology, pathology and other diagnostic reports)",
    "cause_effect": "establishing a cause-and-effect relationship between conditions already documented",
    "conflict": "resolving conflicting documentation in the record",
}

# Criterion names, labels and default weights (points out of 100).
FORMAT = "format"
INDICATORS = "indicators"
OPTIONS = "options"
NEUTRAL_OPTIONS = "neutral_options"
NOT_LEADING = "not_leading"
NO_FINANCIAL = "no_financial"
CRITERIA = (FORMAT, INDICATORS, OPTIONS, NEUTRAL_OPTIONS, NOT_LEADING, NO_FINANCIAL)
CRITERION_LABELS = {
    FORMAT: "Format allowed for this question",
    INDICATORS: "Clinical indicators from the record cited",
    OPTIONS: "Clinically reasonable options (or a clear question)",
    NEUTRAL_OPTIONS: "\u201cOther\u201d and \u201cunable to determine\u201d offered",
    NOT_LEADING: "Not leading",
    NO_FINANCIAL: "No mention of payment or financial impact",
}
DEFAULT_WEIGHTS = {FORMAT: 10.0, INDICATORS: 30.0, OPTIONS: 20.0, NEUTRAL_OPTIONS: 15.0, NOT_LEADING: 15.0, NO_FINANCIAL: 10.0}
# A non-compliant query (leading, a financial mention, or a yes/no query where none is allowed) scores at most this.
NONCOMPLIANT_CAP = 50.0

# Words that tie a query to money, payment or quality scores (matched as whole words, any case).
FINANCIAL_TERMS = (
    "payment*", "pay", "pays", "paid", "reimburs*", "drg", "drgs", "ms-drg*", "apr-drg*", "revenue", "dollar*",
    "money", "financial*", "finance*", "case mix", "case-mix", "cmi", "relative weight", "mcc", "mccs", "cc/mcc",
    "cc or mcc", "complication or comorbidity", "comorbidity or complication", "raf",
    "risk adjustment", "risk score", "insurance", "insurer*", "payer*", "payor*", "billing", "bill", "billed",
    "profit*", "quality score*", "quality measure*", "quality rating*", "star rating*",
)
OTHER_TERMS = ("other",)
UNDETERMINED_TERMS = (
    "undetermined", "unable to determine", "cannot be determined", "can't be determined", "cannot determine",
    "can not be determined", "not able to determine", "unknown", "indeterminate", "not clinically determinable",
    "clinically undeterminable",
)
YES_TERMS = ("yes",)
NO_TERMS = ("no",)
# Phrases that ask the provider to agree rather than to judge.
AGREEMENT = re.compile(r"\b(?:do you agree|don't you agree|would you agree|can you confirm that the patient has|"
                       r"please confirm that the patient has|isn't it|wouldn't you say)\b")
# "Please document <something>": leading when <something> is a diagnosis (an option or an unsupported term).
DIRECTIVE = re.compile(
    r"\b(?:please|kindly|can you|could you|would you)\s+(?:please\s+)?(?:document|add|chart|record|write|code)\s+"
    r"(?:a\s+|an\s+|the\s+)?(?:diagnosis\s+of\s+|dx\s+of\s+)?(?P<what>[a-z0-9][a-z0-9 /%.+-]{0,80})"
)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A clinical indicator present in the chart, e.g. ``Lactate 3.1`` recognised by ``lactate``/``lactic``."""

    label: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueryOption:
    """A diagnosis a query might offer: clinically supported (``QuerySpecData.options``) or not (``unsupported``)."""

    label: str
    terms: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True, slots=True)
class QuerySpecData:
    """What the case's documentation supports: the key of a query exercise."""

    indicators: tuple[Indicator, ...]
    options: tuple[QueryOption, ...]
    unsupported: tuple[QueryOption, ...] = ()
    topic_terms: tuple[str, ...] = ()
    yes_no_use: str = ""  # one of YES_NO_USES, or "" when a yes/no query is not allowed
    min_indicators: int = 2
    min_options: int = 2

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "QuerySpecData":
        def terms(raw) -> tuple[str, ...]:
            return tuple(str(t) for t in (raw or ()) if str(t).strip())

        return cls(
            indicators=tuple(Indicator(str(i["label"]), terms(i.get("terms"))) for i in data.get("indicators") or ()),
            options=tuple(QueryOption(str(o["label"]), terms(o.get("terms")), str(o.get("why", "")))
                          for o in data.get("options") or ()),
            unsupported=tuple(QueryOption(str(o["label"]), terms(o.get("terms")), str(o.get("why", "")))
                              for o in data.get("unsupported") or ()),
            topic_terms=terms(data.get("topic_terms")),
            yes_no_use=str(data.get("yes_no_use") or ""),
            min_indicators=int(data.get("min_indicators") or 2),
            min_options=int(data.get("min_options") or 2),
        )


@dataclass(frozen=True, slots=True)
class StudentQuery:
    """The query a student wrote: its format, the question, the indicators they cite and the options offered."""

    format: str
    question: str
    indicators: str = ""
    options: tuple[str, ...] = ()


@dataclass(slots=True)
class CriterionResult:
    name: str
    weight: float
    credit: float  # 0..1
    messages: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return round(self.weight * self.credit, 2)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": CRITERION_LABELS[self.name], "weight": self.weight,
                "credit": round(self.credit, 4), "points": self.points, "messages": list(self.messages)}


@dataclass(slots=True)
class RubricResult:
    score: float  # 0..100, after the non-compliance cap
    raw_score: float  # before the cap
    compliant: bool
    criteria: list[CriterionResult]
    sent: bool = True
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "raw_score": self.raw_score, "compliant": self.compliant, "sent": self.sent,
                "criteria": [c.as_dict() for c in self.criteria], "notes": list(self.notes)}


# --- text matching -------------------------------------------------------------------------------------------

_NON_TEXT = re.compile(r"[^a-z0-9%/+.'-]+")


def normalize_text(text: str) -> str:
    """Lower case, one space between words; keeps the characters clinical shorthand uses (%, /, +, ., -)."""
    return " " + _NON_TEXT.sub(" ", (text or "").lower().replace("\u2019", "'")).strip() + " "


def _term_pattern(term: str) -> re.Pattern[str]:
    prefix = term.endswith("*")
    words = normalize_text(term.rstrip("*")).strip()
    body = re.escape(words).replace(r"\ ", r"[\s-]+")
    return re.compile(r"(?<![a-z0-9])" + body + (r"" if prefix else r"(?![a-z0-9])"))


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(term: str) -> re.Pattern[str]:
    found = _PATTERNS.get(term)
    if found is None:
        found = _PATTERNS[term] = _term_pattern(term)
    return found


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms that occur in ``text`` (normalised), in the order given."""
    normalized = normalize_text(text)
    return [term for term in terms if term.strip() and _pattern(term).search(normalized)]


_NEGATION = re.compile(r"(?<![a-z])(?:no|not|without|denies|denied|negative for|ruled out|rules out|absent|"
                       r"free of|never)(?![a-z])[^.;:!?]{0,30}$")


def find_unnegated_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms that occur in ``text`` other than in a negation ("no abscess on ultrasound", "without
    shock"): citing an absent finding to explain a query does not name that diagnosis."""
    normalized = normalize_text(text)
    found = []
    for term in terms:
        if not term.strip():
            continue
        for match in _pattern(term).finditer(normalized):
            if not _NEGATION.search(normalized[max(0, match.start() - 40):match.start()]):
                found.append(term)
                break
    return found


def _longest_match(text: str, terms: Iterable[str]) -> int:
    """Length of the longest term found in text (0 when none): the more specific wording wins."""
    return max((len(term.rstrip("*")) for term in find_terms(text, terms)), default=0)


def classify_option(text: str, spec: QuerySpecData) -> tuple[str, QueryOption | None]:
    """What one offered option is: ("supported", option), ("unsupported", option), ("other", None),
    ("undetermined", None), ("yes"/"no", None) or ("unrecognised", None). The most specific wording wins, so
    "UTI without sepsis" is the localized-infection option, not sepsis, and "severe sepsis" is not "sepsis"."""
    best: tuple[int, str, QueryOption | None] = (0, "unrecognised", None)
    for kind, options in (("unsupported", spec.unsupported), ("supported", spec.options)):
        for option in options:
            length = _longest_match(text, option.terms)
            if length > best[0]:
                best = (length, kind, option)
    if best[0]:
        return best[1], best[2]
    if find_terms(text, UNDETERMINED_TERMS):
        return "undetermined", None
    normalized = normalize_text(text).strip()
    if find_terms(text, OTHER_TERMS) and len(normalized.split()) <= 6:
        return "other", None
    if normalized in YES_TERMS:
        return "yes", None
    if normalized in NO_TERMS:
        return "no", None
    return "unrecognised", None


# --- the rubric ----------------------------------------------------------------------------------------------

def _yes_no_uses_text() -> str:
    return "; ".join(YES_NO_USES.values())


def _format_criterion(query: StudentQuery, spec: QuerySpecData, weight: float) -> CriterionResult:
    label = FORMAT_LABELS.get(query.format, query.format)
    if query.format not in FORMATS:
        return CriterionResult(FORMAT, weight, 0.0, ["Choose a format: multiple choice, yes/no or open-ended."])
    if query.format != YES_NO:
        return CriterionResult(FORMAT, weight, 1.0, [f"{label} is an accepted format for this question."])
    if spec.yes_no_use in YES_NO_USES:
        return CriterionResult(FORMAT, weight, 1.0, [
            f"A yes/no query is allowed here: it is used for {YES_NO_USES[spec.yes_no_use]}."])
    return CriterionResult(FORMAT, weight, 0.0, [
        "A yes/no query is not allowed here: the diagnosis in question is not documented in the record, and a "
        "yes/no query may not introduce a new diagnosis that only clinical indicators suggest. Use a "
        "multiple-choice or open-ended query. Yes/no is only for " + _yes_no_uses_text() + ".",
    ])


def _indicators_criterion(query: StudentQuery, spec: QuerySpecData, weight: float) -> CriterionResult:
    text = f"{query.indicators}\n{query.question}"
    cited = [i for i in spec.indicators if find_terms(text, i.terms)]
    missed = [i for i in spec.indicators if i not in cited]
    needed = max(1, min(spec.min_indicators, len(spec.indicators) or 1))
    credit = min(1.0, len(cited) / needed) if spec.indicators else 1.0
    messages = []
    if cited:
        messages.append("Cited from the record: " + "; ".join(i.label for i in cited) + ".")
    if credit < 1.0:
        messages.append(f"A query states the clinical indicators that prompted it: at least {needed} of the record's "
                        f"relevant findings are expected, {len(cited)} found.")
    if missed:
        messages.append("Also in the record: " + "; ".join(i.label for i in missed) + ".")
    return CriterionResult(INDICATORS, weight, credit, messages)


def _options_criterion(query: StudentQuery, spec: QuerySpecData, weight: float,
                       classified: list[tuple[str, str, QueryOption | None]]) -> CriterionResult:
    if query.format == OPEN_ENDED:
        if not spec.topic_terms or find_terms(query.question, spec.topic_terms):
            return CriterionResult(OPTIONS, weight, 1.0, ["The open question says what needs clarifying."])
        return CriterionResult(OPTIONS, weight, 0.0, [
            "The question does not say what needs clarifying (for example: "
            + ", ".join(t.rstrip("*") for t in spec.topic_terms[:3]) + ")."])
    if query.format == YES_NO:
        named = find_terms(query.question, [*spec.topic_terms, *(t for o in spec.options for t in o.terms)])
        if named:
            return CriterionResult(OPTIONS, weight, 1.0, ["The question names the documented condition to clarify."])
        return CriterionResult(OPTIONS, weight, 0.0, ["A yes/no question must name what the provider is asked to "
                                                        "confirm or clarify."])
    supported = list(dict.fromkeys(option.label for kind, _, option in classified if kind == "supported" and option))
    needed = max(1, min(spec.min_options, len(spec.options) or 1))
    credit = min(1.0, len(supported) / needed)
    messages = []
    if supported:
        messages.append("Clinically supported options offered: " + "; ".join(supported) + ".")
    if credit < 1.0:
        messages.append(f"Offer the clinically reasonable options the indicators support ({needed} expected, "
                        f"{len(supported)} offered): " + "; ".join(o.label for o in spec.options) + ".")
    unrecognised = [text for kind, text, _ in classified if kind == "unrecognised"]
    if unrecognised:
        messages.append("Not recognised as a supported option (your instructor may review it): "
                        + "; ".join(f"\u201c{t}\u201d" for t in unrecognised) + ".")
    return CriterionResult(OPTIONS, weight, credit, messages)


def _neutral_criterion(query: StudentQuery, weight: float,
                       classified: list[tuple[str, str, QueryOption | None]]) -> CriterionResult:
    if query.format == OPEN_ENDED:
        return CriterionResult(NEUTRAL_OPTIONS, weight, 1.0, [
            "An open-ended question leaves the answer to the provider: no option list is needed."])
    kinds = {kind for kind, _, _ in classified}
    credit = 0.5 * ("other" in kinds) + 0.5 * ("undetermined" in kinds)
    messages = []
    if "other" not in kinds:
        messages.append("Add an \u201cOther (please specify)\u201d option so the provider is not limited to your list.")
    if "undetermined" not in kinds:
        messages.append("Add a \u201cClinically undetermined / unable to determine\u201d option.")
    if credit >= 1.0:
        messages.append("\u201cOther\u201d and \u201cunable to determine\u201d are both offered.")
    return CriterionResult(NEUTRAL_OPTIONS, weight, credit, messages)


def _leading_criterion(query: StudentQuery, spec: QuerySpecData, weight: float,
                       classified: list[tuple[str, str, QueryOption | None]]) -> CriterionResult:
    messages: list[str] = []
    named: list[QueryOption] = [option for kind, _, option in classified if kind == "unsupported" and option]
    for option in spec.unsupported:
        if option not in named and find_unnegated_terms(query.question, option.terms):
            named.append(option)
    for option in dict.fromkeys(named):
        why = f" {option.why}" if option.why else ""
        messages.append(f"Leading: names {option.label}, which the clinical indicators in the record do not support.{why}")
    normalized = normalize_text(query.question)
    if AGREEMENT.search(normalized):
        messages.append("Leading: asks the provider to agree with a conclusion instead of asking for their judgment.")
    for match in DIRECTIVE.finditer(normalized):
        what = " " + match.group("what") + " "
        diagnosis = next((o for o in (*spec.options, *spec.unsupported) if _starts_with_term(what, o.terms)), None)
        if diagnosis is not None:
            messages.append(f"Leading: directs the provider to document one diagnosis ({diagnosis.label}) instead of "
                            "asking an open question or offering the reasonable options.")
            break
    if messages:
        return CriterionResult(NOT_LEADING, weight, 0.0, messages)
    return CriterionResult(NOT_LEADING, weight, 1.0, ["Neutral: names no diagnosis the record does not support."])


def _starts_with_term(text: str, terms: Sequence[str]) -> bool:
    for term in terms:
        match = _pattern(term).search(text)
        if match and match.start() <= 1:
            return True
    return False


def _financial_criterion(query: StudentQuery, weight: float) -> CriterionResult:
    text = "\n".join([query.question, query.indicators, *query.options])
    found = find_terms(text, FINANCIAL_TERMS)
    if found:
        words = ", ".join(f"\u201c{t.rstrip('*')}\u201d" for t in found[:4])
        return CriterionResult(NO_FINANCIAL, weight, 0.0, [
            f"Mentions payment or financial impact ({words}): a query never refers to reimbursement, the DRG, "
            "risk scores or quality ratings."])
    return CriterionResult(NO_FINANCIAL, weight, 1.0, ["No mention of payment, reimbursement or the DRG."])


def evaluate_query(query: StudentQuery | None, spec: QuerySpecData, *,
                   weights: Mapping[str, float] | None = None, noncompliant_cap: float = NONCOMPLIANT_CAP) -> RubricResult:
    """Score a student's query against the spec: criterion-by-criterion findings and a score out of 100.

    A query that leads (an unsupported diagnosis, a directive or a request to agree), mentions money, or uses
    a yes/no question where none is allowed is non-compliant and scores at most ``noncompliant_cap``.
    ``query=None`` (no query sent) scores 0.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    if query is None:
        return RubricResult(0.0, 0.0, False, [CriterionResult(name, weights[name], 0.0) for name in CRITERIA], sent=False,
                            notes=["No query was sent: the documentation needed clarification from the provider "
                                   "before final coding."])
    options = [option for option in (o.strip() for o in query.options) if option]
    classified: list[tuple[str, str, QueryOption | None]] = []
    for text in options:
        kind, option = classify_option(text, spec)
        classified.append((kind, text, option))
    criteria = [
        _format_criterion(query, spec, weights[FORMAT]),
        _indicators_criterion(query, spec, weights[INDICATORS]),
        _options_criterion(query, spec, weights[OPTIONS], classified),
        _neutral_criterion(query, weights[NEUTRAL_OPTIONS], classified),
        _leading_criterion(query, spec, weights[NOT_LEADING], classified),
        _financial_criterion(query, weights[NO_FINANCIAL]),
    ]
    total_weight = sum(c.weight for c in criteria) or 1.0
    raw = round(100.0 * sum(c.weight * c.credit for c in criteria) / total_weight, 2)
    by_name = {c.name: c for c in criteria}
    compliant = (by_name[NOT_LEADING].credit >= 1.0 and by_name[NO_FINANCIAL].credit >= 1.0
                 and not (query.format == YES_NO and by_name[FORMAT].credit < 1.0))
    notes = []
    score = raw
    if not compliant and raw > noncompliant_cap:
        score = float(noncompliant_cap)
        notes.append(f"A non-compliant query scores at most {noncompliant_cap:g} (it would have scored {raw:g}).")
    return RubricResult(score, raw, compliant, criteria, notes=notes)


def combine_scores(coding_score: float, rubric_score: float, weight: float) -> float:
    """The case score of a query exercise: (1 - weight) x the coding score + weight x the query rubric score."""
    weight = min(1.0, max(0.0, weight))
    return round(min(100.0, max(0.0, (1.0 - weight) * coding_score + weight * rubric_score)), 2)

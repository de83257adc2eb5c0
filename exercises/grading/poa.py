"""Present-on-admission (POA) indicators: the values, the exempt list, and how a student's indicator is judged.

ICD-10-CM Official Guidelines, Appendix I: every diagnosis and external cause code on an inpatient claim
carries a POA indicator: Y (present at the time of the inpatient admission order), N (not present),
U (documentation insufficient), W (provider cannot clinically determine). A code on the exempt list
leaves the field blank ("unreported / not used"; the paper-claim convention reports it as ``1``).
Conditions that arose in the emergency department or observation before the admission order are present
on admission.

The exempt list is published by CDC/NCHS as a code list each fiscal year (``POAexemptCodes<FY>.txt``: an
order number, the code and its title, tab separated); the Tabular List XML does not carry it, and from
FY2023 Appendix I only points to it. ``EXEMPT_RULES`` below rebuilds it from the exempt categories that
Appendix I printed until it moved to that file, plus its standing rules: subsequent encounters and
sequelae of injuries and external causes are exempt, as are congenital anomalies (Appendix I,
"Congenital conditions and anomalies"). It is data, not logic: measured against the FY2026 order file by
``scripts/poa_exempt_check.py``. A release whose official exempt file was loaded passes its own set
(``CodeFacts.poa_exempt``), which wins over these rules.
"""

from __future__ import annotations

from functools import lru_cache

APPENDIX_I = "Appendix I"

YES = "Y"
NO = "N"
UNKNOWN = "U"
UNDETERMINED = "W"
EXEMPT = "1"
VALUES = (YES, NO, UNKNOWN, UNDETERMINED, EXEMPT)
MEANINGS = {
    YES: "present at the time of inpatient admission",
    NO: "not present at the time of inpatient admission",
    UNKNOWN: "documentation is insufficient to determine whether it was present on admission",
    UNDETERMINED: "the provider cannot clinically determine whether it was present on admission",
    EXEMPT: "exempt from POA reporting (field left blank)",
}
CHOICES = tuple((value, f"{value}: {MEANINGS[value]}") for value in VALUES)

# (code prefix, prefixes within it that are NOT exempt). Codes are stored without the dot.
EXEMPT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Sequelae, history-like and always-present conditions
    ("B90", ()), ("B91", ()), ("B92", ()), ("B94", ()),  # sequelae of infectious diseases
    ("E64", ()),  # sequelae of malnutrition
    ("I252", ()),  # old myocardial infarction
    ("I69", ()),  # sequelae of cerebrovascular disease
    ("O09", ()),  # supervision of high-risk pregnancy
    ("O665", ()),  # attempted application of vacuum extractor and forceps
    ("O80", ()),  # encounter for full-term uncomplicated delivery
    ("O94", ()),  # sequelae of complication of pregnancy, childbirth and the puerperium
    ("P00", ()),  # newborn affected by maternal conditions unrelated to the present pregnancy
    ("Q", ()),  # Q00-Q99 congenital malformations (Appendix I: "which are on the exempt list")
    # External causes: transport accidents, and causes that do not happen inside a hospital
    ("V", ("V0081", "V0083")),  # not wheelchair and mobility-scooter accidents
    ("W09", ()), ("W14", ()), ("W15", ()), ("W170", ()), ("W171", ()), ("W1801", ()), ("W21", ()),
    ("W30", ()), ("W31", ()), ("W32", ()), ("W33", ()), ("W34", ()), ("W35", ()), ("W36", ()), ("W37", ()),
    ("W38", ()), ("W39", ()), ("W40", ()), ("W52", ()), ("W56", ()), ("W58", ()), ("W61", ()), ("W62", ()),
    ("W89", ()), ("X02", ()), ("X03", ()), ("X04", ()), ("X52", ()),
    ("X71", ("X710",)), ("X72", ()), ("X73", ()), ("X74", ()), ("X75", ()), ("X76", ()), ("X77", ()),
    ("X81", ()), ("X82", ()), ("X83", ()), ("Y03", ()), ("Y07", ()), ("Y088", ()), ("Y21", ()), ("Y22", ()),
    ("Y23", ()), ("Y24", ()), ("Y30", ()), ("Y32", ()), ("Y36", ()), ("Y37", ()), ("Y92", ()), ("Y93", ()),
    ("Y99", ()),
    # Factors influencing health status and contact with health services
    ("Z00", ()), ("Z01", ()), ("Z02", ()), ("Z03", ()), ("Z08", ()), ("Z09", ()), ("Z11", ()), ("Z12", ()),
    ("Z13", ()), ("Z14", ()), ("Z15", ()), ("Z17", ()), ("Z18", ()), ("Z19", ()), ("Z22", ()), ("Z23", ()),
    ("Z28", ()), ("Z30", ()), ("Z31", ()), ("Z34", ()), ("Z36", ()), ("Z37", ()), ("Z38", ()), ("Z39", ()),
    ("Z3A", ()), ("Z41", ()), ("Z42", ()), ("Z43", ()), ("Z44", ()), ("Z45", ()), ("Z46", ()), ("Z478", ()),
    ("Z49", ()), ("Z51", ()), ("Z52", ()), ("Z59", ()), ("Z63", ()), ("Z64", ()), ("Z65", ()), ("Z67", ()),
    ("Z68", ()), ("Z71", ()), ("Z72", ()), ("Z7401", ()), ("Z76", ()), ("Z771", ()), ("Z78", ()), ("Z79", ()),
    ("Z80", ()), ("Z81", ()), ("Z82", ()), ("Z83", ()), ("Z84", ()), ("Z85", ()), ("Z86", ()), ("Z87", ()),
    ("Z88", ()), ("Z89", ()), ("Z90710", ()), ("Z910", ()), ("Z911", ()), ("Z914", ()), ("Z915", ()),
    ("Z918", ()), ("Z92", ()), ("Z93", ()), ("Z94", ()), ("Z95", ()), ("Z97", ()), ("Z98", ()), ("Z99", ()),
)
# Injuries (S00-T88) and external causes (V00-Y99) with a 7th character: every encounter but the initial one
# (A; B and C for open fractures) is a subsequent encounter or a sequela, always present on admission.
_INITIAL_ENCOUNTER = frozenset("ABC")
_ENCOUNTER_CHAPTERS = frozenset("STVWXY")


def _rule_exempt(code: str) -> bool:
    if len(code) == 7 and code[0] in _ENCOUNTER_CHAPTERS and code[6] not in _INITIAL_ENCOUNTER:
        if code[0] != "T" or code[:3] <= "T88":
            return True
    for prefix, exceptions in EXEMPT_RULES:
        if code.startswith(prefix):
            return not any(code.startswith(e) for e in exceptions)
    return False


@lru_cache(maxsize=65536)
def is_exempt(code: str) -> bool:
    """Is this ICD-10-CM code (no dot, upper case) exempt from POA reporting under the rules above?"""
    return _rule_exempt(code)


def normalize_poa(raw: object) -> str:
    """'y' -> 'Y'; 'exempt' -> '1'; '' when nothing was given. Not validated: see ``poa_valid``."""
    if raw is None:
        return ""
    value = str(raw).strip().upper()
    if value in ("EXEMPT", "BLANK"):
        return EXEMPT
    return value[:1] if value else ""


def poa_valid(value: str) -> bool:
    return value in VALUES


def poa_label(value: str) -> str:
    return f"{value} ({MEANINGS[value]})" if value in MEANINGS else (value or "blank")


def poa_messages(key_poa: str, answer_poa: str, code_display: str) -> list[str]:
    """Why a student's POA indicator differs from the key's; [] when it is right. Cites Appendix I."""
    if answer_poa == key_poa or (key_poa == EXEMPT and answer_poa == ""):
        return []
    if key_poa == EXEMPT:
        return [f"POA: {code_display} is on the exempt list: leave the indicator blank (reported as 1); "
                f"you entered {poa_label(answer_poa)} ({APPENDIX_I})."]
    if not answer_poa:
        return [f"POA: no indicator entered; the key has {poa_label(key_poa)} ({APPENDIX_I})."]
    if answer_poa == EXEMPT:
        return [f"POA: {code_display} is not on the exempt list, so it needs an indicator; the key has "
                f"{poa_label(key_poa)} ({APPENDIX_I})."]
    return [f"POA: you entered {poa_label(answer_poa)}; the key has {poa_label(key_poa)} ({APPENDIX_I})."]


def exempt_for(code: str, facts_exempt: bool | None) -> bool:
    """The release's own exempt list when one was loaded (``CodeFacts.poa_exempt``), else the rules above."""
    return facts_exempt if facts_exempt is not None else is_exempt(code)


def key_poa_warnings(poa: str, code: str, facts_exempt: bool | None) -> list[str]:
    """What is off with the POA indicator of one inpatient key diagnosis line (warnings: never blocking)."""
    exempt = exempt_for(code, facts_exempt)
    if not poa:
        if exempt:
            return []  # an exempt code's field is blank: nothing to grade
        return ["no POA indicator: inpatient diagnoses carry Y, N, U or W, and this line's POA is not graded"]
    if exempt and poa != EXEMPT:
        return [f"is on the POA exempt list: its indicator is left blank (1), not {poa}"]
    if not exempt and poa == EXEMPT:
        return ["is not on the POA exempt list: it needs Y, N, U or W, not 1"]
    return []

"""E/M level families: which CPT evaluation and management codes are levels of the same service.

A student who codes 99213 where the key has 99214 chose the right service and the wrong level:
the engine pairs the two lines, says "under-coded by one level" and gives the policy's
``em_level_credit`` for an adjacent level (nothing for two or more levels apart).

Levels are positions in each family's list, not numeric differences: home or residence visits
for a new patient are 99341, 99342, 99344, 99345 (99343 was deleted in 2023), so 99342 and 99344
are adjacent levels.

Left out on purpose:
- critical care (99291, and 99292 for each further 30 minutes) is time, not a level;
- prolonged services and add-on codes (99417, 99418) are not levels of a visit.

Preventive medicine visits (99381-99387 new, 99391-99397 established) are chosen by the patient's
age, not by how much work the visit took: a neighbouring code is the wrong age band, never a
lower or higher level. They are paired with the key line (so the feedback reads as one wrong line,
not a missing and an extra) but always earn nothing.
"""

from __future__ import annotations

from typing import NamedTuple

LEVELS = "levels"
AGE_BANDS = "age_bands"


class EmFamily(NamedTuple):
    slug: str
    name: str
    kind: str  # LEVELS or AGE_BANDS
    codes: tuple[str, ...]  # lowest level (or youngest band) first
    bands: tuple[str, ...] = ()  # AGE_BANDS only: the band of each code, same order


FAMILIES: tuple[EmFamily, ...] = (
    EmFamily("office-new", "office or other outpatient visit, new patient", LEVELS,
             ("99202", "99203", "99204", "99205")),
    EmFamily("office-established", "office or other outpatient visit, established patient", LEVELS,
             ("99211", "99212", "99213", "99214", "99215")),
    EmFamily("hospital-initial", "initial hospital inpatient or observation care", LEVELS, ("99221", "99222", "99223")),
    EmFamily("hospital-subsequent", "subsequent hospital inpatient or observation care", LEVELS,
             ("99231", "99232", "99233")),
    EmFamily("hospital-same-day", "hospital inpatient or observation care, admitted and discharged the same day",
             LEVELS, ("99234", "99235", "99236")),
    EmFamily("hospital-discharge", "hospital inpatient or observation discharge day management", LEVELS,
             ("99238", "99239")),
    EmFamily("consult-office", "office or other outpatient consultation", LEVELS, ("99242", "99243", "99244", "99245")),
    EmFamily("consult-inpatient", "inpatient or observation consultation", LEVELS, ("99252", "99253", "99254", "99255")),
    EmFamily("emergency", "emergency department visit", LEVELS, ("99281", "99282", "99283", "99284", "99285")),
    EmFamily("nursing-initial", "initial nursing facility care", LEVELS, ("99304", "99305", "99306")),
    EmFamily("nursing-subsequent", "subsequent nursing facility care", LEVELS, ("99307", "99308", "99309", "99310")),
    EmFamily("home-new", "home or residence visit, new patient", LEVELS, ("99341", "99342", "99344", "99345")),
    EmFamily("home-established", "home or residence visit, established patient", LEVELS,
             ("99347", "99348", "99349", "99350")),
    EmFamily("preventive-new", "preventive medicine visit, new patient", AGE_BANDS,
             ("99381", "99382", "99383", "99384", "99385", "99386", "99387"),
             ("under 1 year", "1-4 years", "5-11 years", "12-17 years", "18-39 years", "40-64 years", "65 years and over")),
    EmFamily("preventive-established", "preventive medicine visit, established patient", AGE_BANDS,
             ("99391", "99392", "99393", "99394", "99395", "99396", "99397"),
             ("under 1 year", "1-4 years", "5-11 years", "12-17 years", "18-39 years", "40-64 years", "65 years and over")),
)

# code -> (family, position in the family)
EM_CODES: dict[str, tuple[EmFamily, int]] = {
    code: (family, position) for family in FAMILIES for position, code in enumerate(family.codes)
}


def em_family(code: str) -> EmFamily | None:
    found = EM_CODES.get(code)
    return found[0] if found else None


def em_distance(key_code: str, answer_code: str) -> int | None:
    """Signed level difference (answer minus key) when both codes are in one family, else None."""
    key = EM_CODES.get(key_code)
    answer = EM_CODES.get(answer_code)
    if key is None or answer is None or key[0] is not answer[0]:
        return None
    return answer[1] - key[1]


def _levels(n: int) -> str:
    return "one level" if n == 1 else f"{n} levels"


def em_message(key_code: str, answer_code: str) -> str:
    """Plain words for a same-family pair that differ ('' when they are not such a pair)."""
    distance = em_distance(key_code, answer_code)
    if not distance:
        return ""
    family, key_position = EM_CODES[key_code]
    if family.kind == AGE_BANDS:
        answer_position = EM_CODES[answer_code][1]
        return (
            f"Wrong age band: {answer_code} is a {family.name} for {family.bands[answer_position]}; the key has "
            f"{key_code} ({family.bands[key_position]}). Preventive visits are chosen by the patient's age, not by "
            "level: no credit."
        )
    direction = "Under-coded" if distance < 0 else "Over-coded"
    message = f"{direction} by {_levels(abs(distance))}: the key has {key_code} ({family.name})."
    if abs(distance) > 1:
        message += " Two or more levels from the key earn no credit."
    return message

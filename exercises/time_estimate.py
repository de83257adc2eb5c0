"""How long a chart case takes: reading its chart and coding its key, not a default number.

Pure: no Django. Used when a case or its key is saved, and by the migration that set existing cases.
"""

from __future__ import annotations

import math
import re

CHART_WORDS_PER_MINUTE = 150  # clinical notes are read closely, abbreviations and all
MINUTES_PER_KEY_LINE = 2.0  # find the code in the index, check it in the tabular, sequence it
QUERY_MINUTES = 5.0  # deciding to query and writing a compliant query
ROUND_TO = 5
MINIMUM = 5

_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z'’./-]*")


def case_minutes(*, document_bodies: list[str], key_lines: int, query_case: bool = False) -> int:
    """Minutes a student needs for a case, rounded up to 5 (at least 5)."""
    words = sum(len(_WORD.findall(body or "")) for body in document_bodies)
    minutes = words / CHART_WORDS_PER_MINUTE + key_lines * MINUTES_PER_KEY_LINE + (QUERY_MINUTES if query_case else 0)
    return max(MINIMUM, ROUND_TO * math.ceil(minutes / ROUND_TO))

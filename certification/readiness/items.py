"""Classical item analysis from running sums (pure): difficulty p-value and point-biserial.

The sums are kept per question by the scoring task (ItemStat), so a dashboard computes
these in constant time whatever the number of graded items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemAnalysis:
    n: int
    p_value: float | None  # share answering correctly: higher = easier
    discrimination: float | None  # corrected item-rest point-biserial correlation
    flag: str  # "", "too hard", "too easy", "low discrimination", "few responses"


MIN_RESPONSES = 10


def item_analysis(*, n: int, n_correct: int, sum_rest: float, sum_rest_sq: float, sum_correct_rest: float) -> ItemAnalysis:
    """Point-biserial = Pearson correlation between the 0/1 item score and the rest score."""
    if n <= 0:
        return ItemAnalysis(0, None, None, "few responses")
    p = n_correct / n
    numerator = n * sum_correct_rest - n_correct * sum_rest
    var_x = n * n_correct - n_correct * n_correct
    var_y = n * sum_rest_sq - sum_rest * sum_rest
    r = numerator / math.sqrt(var_x * var_y) if var_x > 0 and var_y > 1e-12 else None
    if r is not None:
        r = max(-1.0, min(1.0, r))
    if n < MIN_RESPONSES:
        flag = "few responses"
    elif p < 0.3:
        flag = "too hard"
    elif p > 0.9:
        flag = "too easy"
    elif r is not None and r < 0.15:
        flag = "low discrimination"
    else:
        flag = ""
    return ItemAnalysis(n, p, r, flag)

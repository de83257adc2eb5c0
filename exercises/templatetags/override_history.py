"""How a grade change reads in the grade history: the numbers before and after ("25% → 50%")."""

from __future__ import annotations

from django import template

register = template.Library()


def _percent(value, *, fraction: bool = False) -> str:
    if value is None or value == "":
        return "—"
    number = float(value) * (100 if fraction else 1)
    return f"{number:.1f}".rstrip("0").rstrip(".") + "%"


def override_summary_text(*, line_index: int | None, before: dict | None, after: dict | None) -> str:
    """One override in words: what changed, from which number to which, and the total it gave."""
    before, after = before or {}, after or {}
    total = f"total {_percent(before.get('final_score'))} → {_percent(after.get('final_score'))}"
    if "query_score" in after:
        return f"query score {_percent(before.get('query_score'))} → {_percent(after.get('query_score'))} ({total})"
    if line_index is None:
        return total
    credit = (f"{_percent(before.get('credit'), fraction=True)} → {_percent(after.get('credit'), fraction=True)} credit"
              if "credit" in after else "")
    verdicts = ""
    if before.get("verdict") and after.get("verdict") and before["verdict"] != after["verdict"]:
        verdicts = f" ({before['verdict']} → {after['verdict']})"
    return f"line {line_index + 1}: {credit}{verdicts}; {total}".replace(": ;", ":")


@register.filter
def override_summary(override) -> str:
    return override_summary_text(line_index=override.line_index, before=override.before, after=override.after)

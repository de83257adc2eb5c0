"""How the DRG review stored with a score reads on the result page."""

from __future__ import annotations


def money(value: float | None) -> str:
    if value is None:
        return ""
    sign = "\u2212" if value < 0 else ("+" if value > 0 else "")
    return f"{sign}${abs(value):,.0f}"


def drg_view(data: dict | None) -> dict | None:
    """The stored review (drg.DrgReview.as_dict) with payments written out; None when the case had none."""
    if not data:
        return None
    view = dict(data)
    for side in ("key", "student"):
        group = data.get(side)
        if group:
            view[side] = {**group, "payment_text": money(group.get("payment")).lstrip("+"),
                          "drg_text": f"{group['drg']:03d}" if group.get("drg") is not None else "—",
                          "weight_text": f"{group['weight']:.4f}" if group.get("weight") is not None else "—"}
    difference = data.get("payment_difference")
    view["difference_text"] = money(abs(difference)).lstrip("+") if difference is not None else ""
    view["base_rate_text"] = money(data.get("base_rate")).lstrip("+")
    view["under_paid"] = difference is not None and difference < 0
    view["over_paid"] = difference is not None and difference > 0
    return view

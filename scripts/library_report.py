"""What the demo chart library and exam bank hold, measured from their files (no database needed).

    .venv/bin/python scripts/library_report.py

Cases by setting and specialty; chart length (median and 90th percentile, in words); documents and key lines per
case; query exercises; inpatient stays with POA and ICD-10-PCS lines; modifiers used; and questions per exam
domain against each built-in blueprint's quota.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")


def words(case: dict) -> int:
    return sum(len(str(document.get("body", "")).split()) for document in case.get("documents", []))


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def table(title: str, counts: Counter) -> str:
    rows = "\n".join(f"  {name:<28} {count:>4}" for name, count in counts.most_common())
    return f"{title}\n{rows}"


def main() -> int:
    import django

    django.setup()
    from certification.blueprint_data import BUILTIN_BLUEPRINTS
    from certification.readiness.simulate import quotas
    from certification.services.bank import DEMO_BANK_DIR, bank_read
    from exercises.demo import demo_cases

    cases = demo_cases()
    lengths = [words(case) for case in cases]
    inpatient = [case for case in cases if case["setting"] == "inpatient"]
    inpatient_lengths = [words(case) for case in inpatient]
    key_lines = [len(case["key"]) for case in cases]
    documents = [len(case["documents"]) for case in cases]
    modifiers = Counter(m for case in cases for line in case["key"] for m in (line.get("modifiers") or []))
    with_pcs = sum(1 for case in inpatient if any((line.get("system") or "") == "icd10pcs" for line in case["key"]))
    print(f"Cases: {len(cases)}  (query exercises: {sum(1 for c in cases if c.get('is_query_case'))})")
    print(f"Chart length, words: median {statistics.median(lengths):.0f}, 90th percentile {percentile(lengths, 0.9)}, "
          f"shortest {min(lengths)}, longest {max(lengths)}")
    print(f"Documents per case: median {statistics.median(documents):.0f}, mean {statistics.mean(documents):.1f}; "
          f"key lines per case: median {statistics.median(key_lines):.0f}, mean {statistics.mean(key_lines):.1f}")
    print(f"Inpatient stays: {len(inpatient)}, {min(inpatient_lengths)}-{max(inpatient_lengths)} words "
          f"(median {statistics.median(inpatient_lengths):.0f}); with ICD-10-PCS lines: {with_pcs}")
    print(table("By setting:", Counter(case["setting"] for case in cases)))
    print(table("By specialty:", Counter(case["specialty"] for case in cases)))
    print("Modifiers keyed: " + ", ".join(f"{m} ({n})" for m, n in sorted(modifiers.items())))

    questions, _ = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    counts = Counter(question["domain"] for question in questions)
    print(f"\nExam bank: {len(questions)} questions")
    for blueprint in BUILTIN_BLUEPRINTS:
        quota = quotas({d: float(w) for d, w in blueprint["weights"].items()}, blueprint["question_count"])
        rows = sorted(((counts[d] / q if q else math.inf), d, counts[d], q) for d, q in quota.items() if q)
        lowest = ", ".join(f"{d} {n}/{q} ({ratio:.2f}x)" for ratio, d, n, q in rows[:3])
        print(f"  {blueprint['credential']}: {len(rows)} domains; lowest questions/quota: {lowest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

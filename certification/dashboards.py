"""Dashboard selectors. Each reads rollups with a fixed number of queries, whatever the
number of students or graded items, and never recomputes history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from courses.models import Cohort
from courses.selectors import cohorts_for_instructor

from . import clock
from .conf import at_risk_threshold
from .domains import DOMAIN_LABELS, domain_label, domain_short_label
from .models import AttemptScore, AttemptStatus, Blueprint, BlueprintDomain, ExamAttempt, ItemStat, Readiness, ReadinessSnapshot, StudentDomainRollup
from .readiness.items import item_analysis
from .readiness.wording import not_enough_evidence, readiness_phrase
from .svg import IntervalRow, PaceBar, TrendPoint, interval_bars, pace_chart, trend_chart

TREND_DAYS = 120
FOCUS_DEFAULT = "cpc"


def _safe(svg: str) -> SafeString:
    # The SVG helper escapes every text it writes; nothing user-controlled is left raw.
    return mark_safe(svg)  # noqa: S308


def _tone(mastery: float, lower: float, pass_mark: float, *, practised: bool = True) -> str:
    if not practised:  # the estimate is where students usually start: no verdict on this student yet
        return "unpractised"
    if lower >= pass_mark:
        return "strong"
    if mastery < pass_mark:
        return "weak"
    return ""


def _url(name: str, *args, query: str = "") -> str:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


@dataclass
class DomainRow:
    domain: str
    label: str
    weight: float
    mastery: float | None
    lower: float | None
    upper: float | None
    evidence_count: int
    last_evidence_at: datetime.datetime | None
    rehearsal_count: int = 0

    @property
    def has_evidence(self) -> bool:
        return self.evidence_count > 0


@dataclass
class Recommendation:
    domain: str
    label: str
    mastery: float | None
    reason: str
    links: list[tuple[str, str]] = field(default_factory=list)


def _recommended_cases(domains: list[str], student) -> dict[str, list[tuple[str, str]]]:
    """Chart cases the student may open, per domain, from the exercises app if it is installed (loose link):
    the ones not tried yet first, then a link to every case of the domain."""
    try:
        Case = apps.get_model("exercises", "Case")
        Submission = apps.get_model("exercises", "Submission")
        tried = Submission.objects.filter(case=OuterRef("pk"), student_id=student.pk)
        rows = list(
            Case.objects.visible_to_student(student).filter(exam_domain__in=domains)
            .annotate(tried=Exists(tried))
            .order_by("tried", "difficulty", "title")
            .values_list("exam_domain", "slug", "title")[:60]
        )
    except (LookupError, FieldError, AttributeError):
        return {}
    result: dict[str, list[tuple[str, str]]] = {}
    for domain, slug, title in rows:
        url = _url("exercises:case_workspace", slug)
        if url and len(result.setdefault(domain, [])) < 2:
            result[domain].append((f"Case: {title}", url))
    for domain in result:
        every = _url("exercises:case_list", query=f"domain={domain}")
        if every:
            result[domain].append(("All cases in this domain", every))
    return result


def _flashcard_links(domains: list[str]) -> dict[str, tuple[str, str]]:
    """The review link for each domain's flashcards: the domain's deck (the largest if several), else none."""
    try:
        Deck = apps.get_model("courses", "Deck")
        rows = list(
            Deck.objects.filter(domain__in=domains).annotate(size=Count("cards"))
            .filter(size__gt=0).order_by("-size", "title").values_list("domain", "slug", "title")
        )
    except (LookupError, FieldError):
        return {}
    links: dict[str, tuple[str, str]] = {}
    for domain, slug, title in rows:
        url = _url("courses:deck_review", slug)
        if url and domain not in links:
            links[domain] = (f"Flashcards: {title}", url)
    return links


def _readiness_words(r: Readiness) -> Readiness:
    """Attach what the pages say: the probability in words, or what to practise when evidence is thin."""
    r.phrase = readiness_phrase(r.pass_probability)
    r.practise_message = "" if r.enough_evidence else not_enough_evidence([domain_label(d) for d in r.practise])
    return r


def student_dashboard(*, student, focus_slug: str | None = None) -> dict:
    readiness = [
        _readiness_words(r)
        for r in Readiness.objects.filter(student=student).select_related("blueprint").order_by("blueprint__name")
    ]
    blueprints = [r.blueprint for r in readiness]
    focus = next((b for b in blueprints if b.slug == (focus_slug or FOCUS_DEFAULT)), None)
    if focus is None:
        focus = next(iter(blueprints), None) or Blueprint.objects.filter(slug=FOCUS_DEFAULT).first()
    weights = (
        dict(BlueprintDomain.objects.filter(blueprint=focus).values_list("domain", "weight")) if focus is not None else {}
    )
    total_weight = sum(weights.values()) or 1.0
    rollups = {r.domain: r for r in StudentDomainRollup.objects.filter(student=student)}
    pass_mark = (focus.pass_percent / 100) if focus else 0.7

    domain_rows = []
    for domain, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        r = rollups.get(domain)
        domain_rows.append(
            DomainRow(
                domain=domain,
                label=domain_label(domain),
                weight=weight / total_weight,
                mastery=r.mastery if r else None,
                lower=r.lower if r else None,
                upper=r.upper if r else None,
                evidence_count=r.evidence_count if r else 0,
                last_evidence_at=r.last_evidence_at if r else None,
                rehearsal_count=r.rehearsal_count if r else 0,
            )
        )
    has_evidence = any(r.evidence_count for r in rollups.values())
    rehearsals = sum(r.rehearsal_count for r in rollups.values())
    mastery_chart = (
        _safe(
            interval_bars(
                [
                    IntervalRow(d.label, d.mastery, d.lower, d.upper,
                                _tone(d.mastery, d.lower, pass_mark, practised=d.evidence_count > 0))
                    for d in domain_rows
                    if d.mastery is not None
                ],
                title=f"Mastery by domain for {focus.name}" if focus else "Mastery by domain",
                desc="Bars show estimated mastery; whiskers the 90% credible interval; the vertical line the pass mark.",
                threshold=pass_mark,
            )
        )
        if has_evidence
        else None
    )
    readiness_chart = (
        _safe(
            interval_bars(
                [
                    IntervalRow(r.blueprint.name, r.predicted_score, r.lower, r.upper, _tone(r.predicted_score, r.lower, r.blueprint.pass_percent / 100))
                    for r in readiness
                ],
                title="Predicted exam score per credential",
                desc="Bars show the predicted score; whiskers the range a sitting today would land in 9 times out of 10; "
                "the line the pass mark.",
                threshold=pass_mark,
                label_width=180,
            )
        )
        if readiness and has_evidence
        else None
    )

    since = clock.now().date() - datetime.timedelta(days=TREND_DAYS)
    snapshots = list(
        ReadinessSnapshot.objects.filter(student=student, day__gte=since, blueprint__in=blueprints).order_by("day")
    )
    names = {b.pk: b.name for b in blueprints}
    series: dict[str, list[TrendPoint]] = {names[b.pk]: [] for b in blueprints}
    for s in snapshots:
        series[names[s.blueprint_id]].append(TrendPoint(s.day, s.predicted_score, s.lower, s.upper))
    trend_rows = [
        (s.day, names[s.blueprint_id], s.predicted_score, readiness_phrase(s.pass_probability))
        for s in reversed(snapshots[-30:])
    ]
    trend = (
        _safe(
            trend_chart(
                series, title="Predicted score over time",
                desc="One line per credential with its 90% credible band; the horizontal line is the pass mark.",
                threshold=pass_mark,
            )
        )
        if snapshots
        else None
    )

    # Weakest domains by expected points lost on the exam: weight x (1 - mastery).
    candidates = [d for d in domain_rows if d.mastery is not None]
    candidates.sort(key=lambda d: -(d.weight * (1 - d.mastery)))
    weakest = candidates[:3]
    cases = _recommended_cases([d.domain for d in weakest], student)
    decks = _flashcard_links([d.domain for d in weakest])
    lessons_url = _url("courses:catalog")
    recommendations = []
    for d in weakest:
        links = list(cases.get(d.domain, []))
        if lessons_url:
            links.append(("Lessons", f"{lessons_url}?domain={d.domain}"))
        if d.domain in decks:
            links.append(decks[d.domain])
        reason = (
            "Not practised enough yet: the estimate is where students usually start here, with a wide range."
            if d.evidence_count < 5
            else f"About {d.weight * 100:.0f}% of the exam; estimated mastery {d.mastery * 100:.0f}%."
        )
        recommendations.append(Recommendation(d.domain, d.label, d.mastery, reason, links))

    scores = list(
        AttemptScore.objects.filter(student=student).select_related("blueprint", "attempt").order_by("-created_at")[:8]
    )
    budget = focus.seconds_per_question if focus else 144.0
    pace = (
        _safe(
            pace_chart(
                [PaceBar(f"{s.attempt.submitted_at or s.created_at:%b %d}", s.seconds_per_question) for s in reversed(scores)],
                budget_seconds=budget,
                title="Seconds per question in recent exams",
                desc=f"Bars show seconds spent per answered question; the line is the {focus.name if focus else 'exam'} budget.",
            )
        )
        if scores
        else None
    )
    open_attempts = list(
        ExamAttempt.objects.filter(student=student, status=AttemptStatus.IN_PROGRESS).select_related("blueprint")
    )
    return {
        "focus": focus,
        "readiness": readiness,
        "readiness_chart": readiness_chart,
        "domain_rows": domain_rows,
        "has_evidence": has_evidence,
        "rehearsals": rehearsals,
        "mastery_chart": mastery_chart,
        "trend_chart": trend,
        "trend_rows": trend_rows,
        "recommendations": recommendations,
        "scores": scores,
        "pace_chart": pace,
        "pace_budget": budget,
        "open_attempts": open_attempts,
    }


@dataclass
class HeatCell:
    mastery: float | None
    students: int

    @property
    def heat(self) -> str:
        if self.mastery is None:
            return "none"
        return str(min(3, max(0, int((self.mastery - 0.4) / 0.1))))  # <50, 50-60, 60-70, 70+


def instructor_dashboard(
    *, viewer, cohort_id: int | None = None, focus_slug: str = FOCUS_DEFAULT, item_limit: int = 60
) -> dict:
    cohorts = list(cohorts_for_instructor(instructor=viewer).order_by("name"))
    selected = next((c for c in cohorts if c.pk == cohort_id), None) or (cohorts[0] if cohorts else None)
    focus = Blueprint.objects.filter(slug=focus_slug).first() or Blueprint.objects.filter(is_builtin=True).first()
    weights = dict(BlueprintDomain.objects.filter(blueprint=focus).values_list("domain", "weight")) if focus else {}
    domains = [d for d, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))] or list(DOMAIN_LABELS)

    cohort_ids = [c.pk for c in cohorts]
    heat_rows = (
        StudentDomainRollup.objects.filter(
            student__cohort_memberships__cohort__in=cohort_ids, evidence_count__gt=0, domain__in=domains
        )
        .values("student__cohort_memberships__cohort", "domain")
        .annotate(mastery=Avg("mastery"), students=Count("student", distinct=True))
        .order_by()
    )
    cells: dict[tuple[int, str], HeatCell] = {}
    for row in heat_rows:
        cells[(row["student__cohort_memberships__cohort"], row["domain"])] = HeatCell(row["mastery"], row["students"])
    heatmap = [(c, [cells.get((c.pk, d), HeatCell(None, 0)) for d in domains]) for c in cohorts]

    at_risk, at_risk_count, thin_count, cohort_size, items, cases = [], 0, 0, 0, [], []
    if selected is not None:
        members = Q(student__cohort_memberships__cohort=selected)
        cohort_size = selected.memberships.count()
        # Students without enough evidence get no probability: they are counted apart, not ranked as at risk.
        counts = Readiness.objects.filter(members, blueprint=focus).aggregate(
            at_risk=Count("pk", filter=Q(enough_evidence=True, pass_probability__lt=at_risk_threshold())),
            thin=Count("pk", filter=Q(enough_evidence=False)),
        )
        at_risk_count, thin_count = counts["at_risk"], counts["thin"]
        risky = Readiness.objects.filter(members, blueprint=focus, enough_evidence=True,
                                         pass_probability__lt=at_risk_threshold())
        at_risk = [_readiness_words(r) for r in
                   risky.select_related("student").order_by("pass_probability", "student__username")[:25]]
        weakest: dict[int, StudentDomainRollup] = {}
        for r in StudentDomainRollup.objects.filter(
            student__in=[r.student_id for r in at_risk], evidence_count__gt=0, domain__in=domains
        ).order_by("mastery"):
            weakest.setdefault(r.student_id, r)
        for r in at_risk:
            w = weakest.get(r.student_id)
            r.weakest_label = domain_label(w.domain) if w else "—"
            r.weakest_mastery = w.mastery if w else None
        for stat in ItemStat.objects.filter(cohort=selected, n__gt=0).select_related("question").order_by("question__slug"):
            analysis = item_analysis(
                n=stat.n, n_correct=stat.n_correct, sum_rest=stat.sum_rest, sum_rest_sq=stat.sum_rest_sq,
                sum_correct_rest=stat.sum_correct_rest,
            )
            items.append({"question": stat.question, "analysis": analysis, "seconds": stat.seconds_total / stat.n})
        # Items needing attention first, then sound items, then those with too few responses to judge.
        rank = {"": 1, "few responses": 2}
        items.sort(key=lambda i: (rank.get(i["analysis"].flag, 0), i["analysis"].p_value if i["analysis"].p_value is not None else 1))
        cases = _case_difficulty(selected)
    return {
        "cohorts": cohorts,
        "selected": selected,
        "focus": focus,
        "domains": [(d, domain_label(d), domain_short_label(d)) for d in domains],
        "heatmap": heatmap,
        "at_risk": at_risk,
        "at_risk_count": at_risk_count,
        "thin_count": thin_count,
        "at_risk_threshold": at_risk_threshold(),
        "cohort_size": cohort_size,
        "items": items[:item_limit],
        "item_count": len(items),
        "cases": cases,
    }


def _case_difficulty(cohort: Cohort) -> list[dict]:
    """Mean current score per chart case for the cohort, hardest first (loose link to exercises)."""
    try:
        SubmissionScore = apps.get_model("exercises", "SubmissionScore")
        rows = (
            SubmissionScore.objects.filter(is_current=True, submission__student__cohort_memberships__cohort=cohort)
            .values("submission__case__title", "submission__case__slug")
            .annotate(mean=Avg("final_score"), n=Count("submission__student", distinct=True))
            .order_by("mean")[:10]
        )
        return [{"title": r["submission__case__title"], "mean": r["mean"], "students": r["n"]} for r in rows]
    except (LookupError, FieldError):
        return []


def cohort_export_rows(*, cohort: Cohort, focus: Blueprint | None) -> tuple[list[str], list[list]]:
    """CSV rows: one per student with predicted score, pass probability and mastery per domain."""
    domains = list(BlueprintDomain.objects.filter(blueprint=focus).values_list("domain", flat=True)) if focus else []
    students = list(
        cohort.memberships.select_related("student").order_by("student__username").values_list(
            "student_id", "student__username", "student__display_name"
        )
    )
    ids = [s[0] for s in students]
    readiness = {r.student_id: r for r in Readiness.objects.filter(student__in=ids, blueprint=focus)}
    mastery: dict[tuple[int, str], StudentDomainRollup] = {
        (r.student_id, r.domain): r for r in StudentDomainRollup.objects.filter(student__in=ids, domain__in=domains)
    }
    header = ["username", "name", "predicted_score", "pass_probability"] + [f"{d}_mastery" for d in domains] + [
        f"{d}_evidence" for d in domains
    ] + ["enough_evidence"]
    rows = []
    for student_id, username, name in students:
        r = readiness.get(student_id)
        row = [username, name, f"{r.predicted_score:.3f}" if r else "", f"{r.pass_probability:.3f}" if r else ""]
        row += [f"{mastery[(student_id, d)].mastery:.3f}" if (student_id, d) in mastery else "" for d in domains]
        row += [mastery[(student_id, d)].evidence_count if (student_id, d) in mastery else 0 for d in domains]
        row.append(("yes" if r.enough_evidence else "no") if r else "")
        rows.append(row)
    return header, rows


def admin_dashboard() -> dict:
    from django.contrib.auth import get_user_model

    from codesets.models import CodeSetRelease

    from .conf import answer_grace_seconds, scoring_stale_seconds
    from .models import MasteryEvidence, Question

    now = clock.now()
    week = now - datetime.timedelta(days=7)
    User = get_user_model()
    usage = {
        "students": User.objects.filter(role="student").count(),
        "active_students_7d": MasteryEvidence.objects.filter(occurred_at__gte=week).values("student").distinct().count(),
        "evidence_7d": MasteryEvidence.objects.filter(occurred_at__gte=week).count(),
        "exams_in_progress": ExamAttempt.objects.filter(status=AttemptStatus.IN_PROGRESS).count(),
        "exams_scored_7d": AttemptScore.objects.filter(created_at__gte=week).count(),
        "questions": Question.objects.active().count(),
    }
    stale = now - datetime.timedelta(seconds=scoring_stale_seconds())
    overdue_cutoff = now - datetime.timedelta(seconds=answer_grace_seconds() + 120)
    queue = {
        "unscored_attempts": ExamAttempt.objects.filter(status=AttemptStatus.SUBMITTED, submitted_at__lt=stale).count(),
        "overdue_open_attempts": ExamAttempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=overdue_cutoff).count(),
        "stale_seconds": scoring_stale_seconds(),
        "pending_case_submissions": _pending_case_submissions(stale),
    }
    queue["healthy"] = not (queue["unscored_attempts"] or queue["overdue_open_attempts"] or queue["pending_case_submissions"])
    releases = list(CodeSetRelease.objects.filter(Q(is_current=True) | ~Q(status="ready")).order_by("system", "-effective_from")[:20])
    return {"usage": usage, "queue": queue, "releases": releases, "now": now, "readiness": readiness_operations()}


_CHANNEL_LABELS = {"exam": "Practice-exam and drill questions", "quiz": "Lesson quizzes", "case": "Chart cases",
                   "flashcard": "Flashcard reviews"}


def readiness_operations() -> dict | None:
    """The newest readiness fit for the operations page: how each channel is used, the fitted rates, and the
    validation on full-length practice exams (one query)."""
    from .models import ReadinessFit

    fit = ReadinessFit.objects.order_by("-created_at").first()
    if fit is None:
        return None
    population = fit.population
    channels = [
        {"label": _CHANNEL_LABELS.get(name, name), "used": link[1], "slope": link[0], "note": link[2]}
        for name, link in population.get("channels", {}).items()
    ]
    validation = fit.validation or {}
    rows = validation.get("rows", [])
    return {
        "fit": fit,
        "channels": channels,
        "drift_per_day": population.get("drift_per_day"),
        "forgetting_days": population.get("forgetting_days"),
        "student_sd": population.get("student_sd"),
        "domain_sd": population.get("domain_sd"),
        "recalibrated": sorted((population.get("recalibration") or {}).keys()),
        "outcomes": validation.get("outcomes", 0),
        "pass_rate": validation.get("pass_rate"),
        "note": validation.get("note", ""),
        "table": [("All" if row["family"] == "all" else f"{row['family'].capitalize()}: {row['label']}", row)
                  for row in rows],
    }


def _pending_case_submissions(before: datetime.datetime) -> int | None:
    try:
        Submission = apps.get_model("exercises", "Submission")
        return Submission.objects.filter(status="pending", queued_at__lt=before).count()
    except (LookupError, FieldError):
        return None

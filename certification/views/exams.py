"""Taking a timed exam: list, start, one question at a time, autosave, flag, submit, report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from .. import clock
from ..domains import domain_label
from ..models import AttemptScore, AttemptStatus, ExamAttempt
from ..quota_notice import quota_notice
from ..selectors import (
    attempt_for_user_or_404,
    attempt_item_for_display,
    attempt_palette,
    attempt_report_items,
    blueprint_for_user_or_404,
    blueprints_for,
)
from ..services.attempts import ExamError, answer_save, attempt_focus, attempt_start, attempt_submit, flag_set
from ..services.blueprints import blueprint_drill_for_domain
from ..services.scoring import items_not_reached
from ..svg import IntervalRow, interval_bars


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def exam_list(request):
    blueprints = list(blueprints_for(user=request.user).prefetch_related("domains"))
    attempts = []
    if request.user.is_student:
        attempts = list(
            ExamAttempt.objects.filter(student=request.user).select_related("blueprint", "score").order_by("-started_at")[:20]
        )
    return render(request, "certification/exam_list.html", {"blueprints": blueprints, "attempts": attempts})


@require_POST
def start(request, blueprint_id: int):
    blueprint = blueprint_for_user_or_404(user=request.user, blueprint_id=blueprint_id)
    return _start(request, blueprint)


@require_POST
def drill_start(request, domain: str):
    try:
        blueprint = blueprint_drill_for_domain(domain=domain)
    except ValidationError:
        messages.error(request, "That domain does not exist.")
        return redirect("certification:exam_list")
    return _start(request, blueprint)


def _start(request, blueprint):
    try:
        attempt = attempt_start(student=request.user, blueprint=blueprint)
    except ExamError as exc:
        messages.error(request, exc.message)
        return redirect("certification:exam_list")
    return redirect("certification:attempt_resume", attempt_id=attempt.pk)


def resume(request, attempt_id: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id)
    if attempt.status != AttemptStatus.IN_PROGRESS or attempt.student_id != request.user.pk:
        return redirect("certification:attempt_report", attempt_id=attempt.pk)
    return redirect("certification:question", attempt_id=attempt.pk, position=attempt.focus_position or 1)


def question(request, attempt_id: int, position: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("certification:attempt_report", attempt_id=attempt.pk)
    now = clock.now()
    if now > attempt.deadline:
        messages.info(request, "Time is up. Submit to see your score report.")
        return redirect("certification:attempt_submit", attempt_id=attempt.pk)
    item = attempt_item_for_display(attempt=attempt, position=position)
    attempt_focus(attempt=attempt, position=position)
    palette = attempt_palette(attempt=attempt)
    return render(
        request,
        "certification/question.html",
        {
            "attempt": attempt,
            "item": item,
            "question": item.question,
            "choices": item.displayed_choices(),
            "selected": _selected(item),
            "palette": palette,
            "answered": sum(1 for c in palette if c.answered),
            "total": len(palette),
            "previous": position - 1 if position > 1 else None,
            "next": position + 1 if position < len(palette) else None,
            "server_now": now,
            "domain_label": domain_label(item.domain),
            # The first page says when the bank could not follow the blueprint's domain quotas.
            "quota_notice": quota_notice(attempt=attempt) if position == 1 else None,
        },
    )


def _selected(item) -> dict:
    response = item.response or {}
    return {
        "choices": set(response.get("choices", [])) | ({response["choice"]} if "choice" in response else set()),
        "text": response.get("text", ""),
    }


@require_POST
def answer(request, attempt_id: int, position: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
    values = [v for v in request.POST.getlist("answer") if v != ""]
    try:
        question_id = int(request.POST["question_id"]) if request.POST.get("question_id") else None
        revision = int(request.POST["revision"]) if request.POST.get("revision") else None
    except ValueError:
        question_id, revision = -1, None
    try:
        result = answer_save(
            attempt=attempt, student=request.user, position=position, response=values,
            question_id=question_id, revision=revision, ip_address=_ip(request),
        )
    except ExamError as exc:
        if request.htmx:
            # An htmx fragment answers 200 so the browser shows the message instead of logging a failed load;
            # the rejection itself is in the header (and in the audit log).
            response = render(
                request, "certification/_save_status.html",
                {"error": exc.message, "late": exc.code == "deadline_passed", "attempt": attempt},
            )
            response["X-Exam-Rejected"] = exc.code
            return response
        messages.error(request, exc.message)
        return redirect("certification:attempt_resume", attempt_id=attempt.pk)
    if request.htmx:
        return render(
            request,
            "certification/_save_status.html",
            {"item": result.item, "merged": result.merged, "attempt": attempt, "saved_at": result.item.answered_at},
        )
    messages.success(request, "Answer saved.")
    return redirect("certification:question", attempt_id=attempt.pk, position=position)


@require_POST
def flag(request, attempt_id: int, position: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
    try:
        item = flag_set(attempt=attempt, student=request.user, position=position, flagged=request.POST.get("flagged") == "1")
    except ExamError as exc:
        if request.htmx:
            response = render(request, "certification/_save_status.html", {"error": exc.message, "attempt": attempt})
            response["X-Exam-Rejected"] = exc.code
            return response
        messages.error(request, exc.message)
        return redirect("certification:attempt_resume", attempt_id=attempt.pk)
    if request.htmx:
        return render(request, "certification/_flag.html", {"item": item, "attempt": attempt, "oob_palette": True})
    return redirect("certification:question", attempt_id=attempt.pk, position=position)


@require_http_methods(["GET", "POST"])
def submit(request, attempt_id: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id, write=True)
    if request.method == "POST":
        try:
            attempt_submit(attempt=attempt, student=request.user, ip_address=_ip(request))
        except ExamError as exc:
            messages.error(request, exc.message)
        # A repeated submit (double click, second tab) lands on the same report.
        return redirect("certification:attempt_report", attempt_id=attempt.pk)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("certification:attempt_report", attempt_id=attempt.pk)
    palette = attempt_palette(attempt=attempt)
    return render(
        request,
        "certification/submit.html",
        {
            "attempt": attempt,
            "palette": palette,
            "answered": sum(1 for c in palette if c.answered),
            "unanswered": [c.position for c in palette if not c.answered],
            "flagged": [c.position for c in palette if c.flagged],
            "time_up": clock.now() > attempt.deadline,
            "server_now": clock.now(),
        },
    )


def report(request, attempt_id: int):
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        if attempt.student_id == request.user.pk:
            return redirect("certification:question", attempt_id=attempt.pk, position=attempt.focus_position or 1)
        return render(request, "certification/report_pending.html", {"attempt": attempt, "in_progress": True})
    if attempt.status != AttemptStatus.SCORED:
        return render(request, "certification/report_pending.html", {"attempt": attempt})
    score = AttemptScore.objects.get(attempt=attempt)
    items = attempt_report_items(attempt=attempt)
    not_reached = items_not_reached(items)
    for item in not_reached:
        item.not_reached = True
    domains = sorted(
        ((d, domain_label(d), v["correct"], v["total"]) for d, v in score.by_domain.items()),
        key=lambda row: row[2] / row[3] if row[3] else 0,
    )
    pass_mark = attempt.blueprint.pass_percent / 100
    chart = mark_safe(interval_bars(  # noqa: S308 - the SVG helper escapes all text
        [IntervalRow(label, c / t, c / t, c / t, "strong" if c / t >= pass_mark else "weak") for _, label, c, t in domains],
        title="Score by domain", desc="Share of questions answered correctly in each domain; the line is the pass mark.",
        threshold=pass_mark,
    ))
    return render(
        request,
        "certification/report.html",
        {
            "attempt": attempt,
            "score": score,
            "items": items,
            "domains": domains,
            "chart": chart,
            "is_owner": attempt.student_id == request.user.pk,
            "budget": attempt.blueprint.seconds_per_question,
            "not_reached": len(not_reached),
        },
    )


def report_status(request, attempt_id: int):
    """Polled by the 'scoring…' page; refreshes the page once the score exists."""
    attempt = attempt_for_user_or_404(user=request.user, attempt_id=attempt_id)
    if attempt.status == AttemptStatus.SCORED:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("certification:attempt_report", attempt_id=attempt.pk)
    return HttpResponse('<p class="card__meta">Still scoring… this page refreshes by itself.</p>')


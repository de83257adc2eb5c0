"""Cohorts: the instructor's list and dashboard, roster import, due dates; students join with a code or accept an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import cohort_for_instructor_or_404, invitation_for_student_or_404, student_for_viewer_or_404
from ..forms import CohortForm, DueDateForm, JoinCohortForm, RosterForm
from ..models import Cohort, CohortDueDate, Lesson, Module, Program
from ..roster import RosterError
from ..selectors import (
    ceu_log, cohort_progress, cohorts_for_instructor, due_items_for_student, invitations_open_for_cohort,
    invitations_pending_for_student, program_progress,
)
from ..services.cohorts import (
    cohort_create, cohort_invitation_accept, cohort_invitation_decline, cohort_invite_code_regenerate, cohort_join,
    cohort_roster_import, cohort_update, due_date_set,
)


def _require_teacher(user) -> None:
    if not (user.is_instructor or user.is_admin):
        raise PermissionDenied("Only instructors and administrators manage cohorts.")


def cohort_list(request: HttpRequest) -> HttpResponse:
    """Instructors: the cohorts they teach. Students: their cohorts, what is due, and the join form."""
    if request.user.is_student:
        return render(request, "courses/my_cohorts.html", {
            "cohorts": Cohort.objects.filter(memberships__student=request.user).select_related("program"),
            "due_items": due_items_for_student(student=request.user, today=timezone.localdate()),
            "form": JoinCohortForm(),
            "invitations": invitations_pending_for_student(student=request.user),
        })
    _require_teacher(request.user)
    from django.db.models import Count

    cohorts = (
        cohorts_for_instructor(instructor=request.user)
        .select_related("program").annotate(student_count=Count("memberships", distinct=True)).order_by("name")
    )
    return render(request, "courses/cohort_list.html", {"cohorts": cohorts})


def cohort_new(request: HttpRequest) -> HttpResponse:
    _require_teacher(request.user)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = cohort_create(instructor=request.user, **form.cleaned_data)
        messages.success(request, f"Cohort “{cohort.name}” created. Share the invite code {cohort.invite_code} with your students.")
        return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    return render(request, "courses/cohort_form.html", {"form": form, "cohort": None})


def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cohort_update(actor=request.user, cohort=Cohort.objects.get(pk=cohort.pk), **{k: data[k] for k in ("name", "program", "starts_on", "ends_on")})
        messages.success(request, "Cohort saved.")
        return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    return render(request, "courses/cohort_form.html", {"form": form, "cohort": cohort})


# The progress table's orders: who needs attention first, except the name order.
PROGRESS_SORTS = {
    "name": ("Student", lambda row: (str(row.student).lower(), row.student.pk)),
    "lessons": ("Fewest lessons first", lambda row: (row.completed_lessons, str(row.student).lower())),
    "quiz": ("Lowest quiz average first", lambda row: (row.average_score is not None, row.average_score or 0.0,
                                                       str(row.student).lower())),
    "overdue": ("Most overdue first", lambda row: (-row.overdue, str(row.student).lower())),
    "active": ("Longest inactive first", lambda row: (row.last_activity is not None,
                                                      row.last_activity.timestamp() if row.last_activity else 0.0,
                                                      str(row.student).lower())),
}


def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    today = timezone.localdate()
    modules, rows = cohort_progress(cohort=cohort, today=today)
    sort = request.GET.get("sort", "lessons")
    if sort not in PROGRESS_SORTS:
        sort = "lessons"
    rows = sorted(rows, key=PROGRESS_SORTS[sort][1])
    dues = list(CohortDueDate.objects.filter(cohort=cohort).select_related("module", "lesson"))
    module_due = {d.module_id: d.due_on for d in dues if d.module_id}
    return render(request, "courses/cohort_detail.html", {
        "cohort": cohort, "modules": [(m, module_due.get(m.pk)) for m in modules], "rows": rows, "dues": dues,
        "today": today, "roster_form": RosterForm(), "sort": sort, "sort_label": PROGRESS_SORTS[sort][0],
        "due_form": DueDateForm(program=cohort.program) if cohort.program else None,
        "instructors": cohort.instructors.all(), "invitations": invitations_open_for_cohort(cohort=cohort),
    })


@require_POST
def cohort_invite_regenerate(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    cohort = cohort_invite_code_regenerate(actor=request.user, cohort=cohort)
    messages.success(request, f"New invite code: {cohort.invite_code}. The old code no longer works.")
    return redirect("courses:cohort_detail", cohort_id=cohort.pk)


@require_POST
def cohort_roster(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    form = RosterForm(request.POST, request.FILES)
    roster_errors: list[str] = []
    if form.is_valid():
        try:
            result = cohort_roster_import(actor=request.user, cohort=cohort, data=form.cleaned_data["roster"].read())
        except RosterError as exc:
            roster_errors = exc.errors
        else:
            parts = [f"{len(result.enrolled)} student(s) enrolled"]
            if result.created:
                parts.append(f"{len(result.created)} new account(s) created ({_names(result.created)}): "
                             "an administrator sets their first password")
            if result.invited:
                parts.append(f"{len(result.invited)} existing account(s) invited ({_names(result.invited)}): "
                             "they join when they accept")
            if result.already_invited:
                parts.append(f"{len(result.already_invited)} already invited")
            if result.declined:
                parts.append(f"{len(result.declined)} declined an earlier invitation ({_names(result.declined)}) "
                             "and were not asked again")
            if result.already_members:
                parts.append(f"{len(result.already_members)} already in the cohort")
            messages.success(request, "Roster imported: " + "; ".join(parts) + ".")
            return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    modules, rows = cohort_progress(cohort=cohort, today=timezone.localdate())
    return render(request, "courses/cohort_detail.html", {
        "cohort": cohort, "modules": [(m, None) for m in modules], "rows": rows, "today": timezone.localdate(),
        "dues": list(CohortDueDate.objects.filter(cohort=cohort).select_related("module", "lesson")),
        "roster_form": form, "roster_errors": roster_errors,
        "due_form": DueDateForm(program=cohort.program) if cohort.program else None,
        "instructors": cohort.instructors.all(), "invitations": invitations_open_for_cohort(cohort=cohort),
    }, status=400)


def _names(usernames: list[str], shown: int = 10) -> str:
    return ", ".join(usernames[:shown]) + ("…" if len(usernames) > shown else "")


@require_POST
def cohort_due_date(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    if cohort.program is None:
        messages.error(request, "Choose the cohort's program before setting due dates.")
        return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    form = DueDateForm(request.POST, program=cohort.program)
    if not form.is_valid():
        messages.error(request, "Choose a module or lesson and a valid date.")
        return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    kind, _, raw_id = form.cleaned_data["target"].partition(":")
    try:
        if kind == "module":
            target = {"module": get_object_or_404(Module, pk=raw_id, program=cohort.program)}
        else:
            target = {"lesson": get_object_or_404(Lesson.objects.select_related("module"), pk=raw_id, module__program=cohort.program)}
        due_date_set(actor=request.user, cohort=cohort, due_on=form.cleaned_data["due_on"], **target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Due date saved." if form.cleaned_data["due_on"] else "Due date cleared.")
    return redirect("courses:cohort_detail", cohort_id=cohort.pk)


@require_POST
def cohort_join_view(request: HttpRequest) -> HttpResponse:
    form = JoinCohortForm(request.POST)
    if form.is_valid():
        try:
            cohort = cohort_join(student=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"You joined “{cohort.name}”.")
    else:
        messages.error(request, "Enter the invite code your instructor gave you.")
    return redirect("courses:cohort_list")


@require_POST
def cohort_invitation_respond(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    """The invited student accepts or declines; nobody else can answer for them."""
    invitation = invitation_for_student_or_404(user=request.user, invitation_id=invitation_id)
    respond = cohort_invitation_accept if answer == "accept" else cohort_invitation_decline
    try:
        cohort = respond(student=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if answer == "accept":
            messages.success(request, f"You joined “{cohort.name}”. Its instructors can now see your work.")
        else:
            messages.success(request, f"You declined the invitation to “{cohort.name}”.")
    return redirect("home" if request.POST.get("next") == "home" else "courses:cohort_list")


def student_progress(request: HttpRequest, cohort_id: int, student_id: int) -> HttpResponse:
    cohort = cohort_for_instructor_or_404(user=request.user, cohort_id=cohort_id)
    student = student_for_viewer_or_404(user=request.user, student_id=student_id)
    if not cohort.memberships.filter(student=student).exists():
        from django.http import Http404

        raise Http404
    programs = Program.objects.filter(pk=cohort.program_id) if cohort.program_id else Program.objects.none()
    entries, total = ceu_log(student=student)
    return render(request, "courses/student_progress.html", {
        "cohort": cohort, "student": student, "programs": program_progress(student=student, programs=programs),
        "due_items": [d for d in due_items_for_student(student=student, today=timezone.localdate()) if d.due.cohort_id == cohort.pk],
        "ceu_entries": entries, "ceu_total": total,
    })

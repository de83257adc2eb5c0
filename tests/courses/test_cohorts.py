"""Cohorts: create, invite code, CSV roster (all or nothing), due dates, dashboard."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from courses.models import Cohort, CohortDueDate, CohortInvitation, CohortMembership, Lesson
from courses.services.progress import lesson_complete
from tests.factories import StudentFactory


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")


def test_instructor_creates_a_cohort_for_a_program(instructor_client, instructor, program):
    response = instructor_client.post("/courses/cohorts/new/", {"name": "Fall CPC", "program": program.pk})
    cohort = Cohort.objects.get(name="Fall CPC")
    assert response.status_code == 302 and response["Location"] == f"/courses/cohorts/{cohort.pk}/"
    assert list(cohort.instructors.all()) == [instructor]
    page = instructor_client.get(f"/courses/cohorts/{cohort.pk}/").content.decode()
    assert cohort.invite_code in page and "All or nothing" in page


def test_cohort_form_rejects_end_before_start(instructor_client):
    response = instructor_client.post("/courses/cohorts/new/", {"name": "X", "starts_on": "2026-09-01", "ends_on": "2026-08-01"})
    assert response.status_code == 200 and "end date is before" in response.content.decode()
    assert not Cohort.objects.filter(name="X").exists()


def test_students_cannot_create_cohorts(student_client):
    assert student_client.post("/courses/cohorts/new/", {"name": "Mine"}).status_code == 403
    assert not Cohort.objects.exists()


def test_student_joins_with_the_invite_code_in_any_case(other_student_client, other_student, cohort):
    response = other_student_client.post("/courses/cohorts/join/", {"code": cohort.invite_code.lower()}, follow=True)
    assert "You joined" in response.content.decode()
    assert CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()
    # Joining again is harmless.
    other_student_client.post("/courses/cohorts/join/", {"code": cohort.invite_code})
    assert CohortMembership.objects.filter(cohort=cohort, student=other_student).count() == 1


def test_a_wrong_code_is_explained(other_student_client, other_student, cohort):
    response = other_student_client.post("/courses/cohorts/join/", {"code": "NOPE1234"}, follow=True)
    assert "No cohort has that invite code" in response.content.decode()
    api = other_student_client.post("/api/v1/courses/cohorts/join/", {"code": "NOPE"}, content_type="application/json")
    assert api.status_code == 400 and "code" in api.json()


def test_regenerating_the_code_retires_the_old_one(instructor_client, cohort, other_student_client):
    old = cohort.invite_code
    instructor_client.post(f"/courses/cohorts/{cohort.pk}/invite-code/")
    cohort.refresh_from_db()
    assert cohort.invite_code != old
    response = other_student_client.post("/courses/cohorts/join/", {"code": old}, follow=True)
    assert "No cohort has that invite code" in response.content.decode()


def test_roster_import_enrols_new_accounts_and_invites_existing_ones(instructor_client, cohort, other_student):
    csv_text = "username,email,display_name\nother_student,,Olive Other\nnew.kid,new.kid@example.edu,New Kid\nstudent,,\n"
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv(csv_text)}, follow=True)
    body = response.content.decode()
    assert "1 student(s) enrolled" in body and "1 new account(s) created" in body and "1 already in the cohort" in body
    assert "1 existing account(s) invited (other_student)" in body
    new_kid = User.objects.get(username="new.kid")
    assert new_kid.is_student and not new_kid.has_usable_password()
    assert set(cohort.memberships.values_list("student__username", flat=True)) == {"student", "new.kid"}
    invitation = CohortInvitation.objects.get(cohort=cohort, student=other_student)
    assert invitation.status == "pending"
    assert '<span class="badge badge--warn">invited</span>' in body


def _roster_invites_other_student(instructor_client, cohort) -> None:
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv("username\nother_student\n")})
    assert response.status_code == 302


def test_a_roster_cannot_take_over_another_cohorts_student(instructor_client, instructor, cohort, other_cohort, other_student):
    _roster_invites_other_student(instructor_client, cohort)
    assert not CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()
    assert CohortMembership.objects.filter(cohort=other_cohort, student=other_student).exists()
    # Nothing of the student's work opens to the inviting instructor.
    assert instructor_client.get(f"/courses/cohorts/{cohort.pk}/students/{other_student.pk}/").status_code == 404
    assert instructor_client.get(f"/exams/readiness/students/{other_student.pk}/").status_code == 404
    assert "other_student" not in instructor_client.get("/cases/review/export.csv").content.decode()


def test_the_invited_student_sees_the_invitation_and_joins_by_accepting(
    instructor_client, cohort, other_student, other_student_client,
):
    _roster_invites_other_student(instructor_client, cohort)
    invitation = CohortInvitation.objects.get(cohort=cohort, student=other_student)
    assert "Spring cohort" in other_student_client.get("/").content.decode()
    page = other_student_client.get("/courses/cohorts/").content.decode()
    assert f"/courses/cohorts/invitations/{invitation.pk}/accept/" in page
    response = other_student_client.post(f"/courses/cohorts/invitations/{invitation.pk}/accept/", follow=True)
    assert "You joined" in response.content.decode()
    assert CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()
    assert instructor_client.get(f"/courses/cohorts/{cohort.pk}/students/{other_student.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="cohort.invitation_accepted")
    assert event.actor == other_student and event.after["student"] == {"id": other_student.pk, "username": "other_student"}


def test_a_declined_invitation_keeps_the_student_out_and_is_not_renewed(
    instructor_client, cohort, other_student, other_student_client,
):
    _roster_invites_other_student(instructor_client, cohort)
    invitation = CohortInvitation.objects.get(cohort=cohort, student=other_student)
    other_student_client.post(f"/courses/cohorts/invitations/{invitation.pk}/decline/")
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()
    again = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv("username\nother_student\n")}, follow=True)
    assert "declined an earlier invitation (other_student)" in again.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    # Accepting after declining needs the invite code.
    other_student_client.post(f"/courses/cohorts/invitations/{invitation.pk}/accept/")
    assert not CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()


def test_only_the_invited_student_can_answer_an_invitation(instructor_client, cohort, other_student, student_client,
                                                           other_instructor_client):
    _roster_invites_other_student(instructor_client, cohort)
    invitation = CohortInvitation.objects.get(cohort=cohort, student=other_student)
    assert student_client.post(f"/courses/cohorts/invitations/{invitation.pk}/accept/").status_code == 404
    assert instructor_client.post(f"/courses/cohorts/invitations/{invitation.pk}/accept/").status_code == 404
    assert other_instructor_client.post(f"/courses/cohorts/invitations/{invitation.pk}/decline/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()


def test_an_admins_roster_enrols_existing_students(admin_client_, cohort, other_student):
    response = admin_client_.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv("username\nother_student\n")}, follow=True)
    assert "1 student(s) enrolled" in response.content.decode()
    assert CohortMembership.objects.filter(cohort=cohort, student=other_student).exists()


def test_the_audit_log_names_who_was_enrolled_invited_and_created(instructor_client, instructor, cohort, other_student):
    instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv("username\nother_student\nnew.kid\n")})
    event = AuditEvent.objects.get(action="cohort.roster_imported")
    new_kid = User.objects.get(username="new.kid")
    assert event.actor == instructor and event.target_id == str(cohort.pk)
    assert event.after["invited"] == [{"id": other_student.pk, "username": "other_student"}]
    assert event.after["enrolled"] == [{"id": new_kid.pk, "username": "new.kid"}]
    assert event.after["created"] == ["new.kid"]


def test_joining_with_the_code_answers_a_waiting_invitation(instructor_client, cohort, other_student, other_student_client):
    _roster_invites_other_student(instructor_client, cohort)
    other_student_client.post("/courses/cohorts/join/", {"code": cohort.invite_code})
    assert CohortInvitation.objects.get(cohort=cohort, student=other_student).status == "accepted"
    assert AuditEvent.objects.filter(action="cohort.joined", actor=other_student).exists()


def test_a_roster_with_an_unclosed_quote_is_refused_with_its_line(instructor_client, cohort, other_student):
    csv_text = 'username,display_name\nfresh.one,Fresh\n"fresh.two,Two\nfresh.three,Three\n'
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv(csv_text)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "Line 3: a quotation mark is opened and never closed" in body
    assert not User.objects.filter(username__startswith="fresh").exists()
    assert cohort.memberships.count() == 1 and not CohortInvitation.objects.exists()
    at_the_end = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv('username\nother_student\n"bob\n')})
    assert "Line 3: a quotation mark is opened and never closed" in at_the_end.content.decode()
    assert not CohortInvitation.objects.exists() and not User.objects.filter(username="bob").exists()


def test_roster_with_bad_rows_imports_nothing_and_lists_each_row(instructor_client, cohort, instructor):
    csv_text = (
        "username,email,display_name\n"
        "good.one,good@example.edu,Good One\n"
        ",missing@example.edu,No Username\n"
        "bad email,not-an-email,Two Problems\n"
        "good.one,dup@example.edu,Duplicate\n"
        "instructor,,Ivy\n"
    )
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv(csv_text)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "Line 3: username is missing" in body
    assert "Line 4:" in body and "not a valid address" in body
    assert "Line 5:" in body and "already appears on line 2" in body
    assert not User.objects.filter(username="good.one").exists()
    assert cohort.memberships.count() == 1


def test_roster_rejects_an_instructor_row_as_a_whole(instructor_client, cohort):
    csv_text = "username,display_name\nfresh.student,Fresh\ninstructor,Ivy\n"
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv(csv_text)})
    assert response.status_code == 400
    assert "Line 3: &#x27;instructor&#x27; is not a student account (role: Instructor)" in response.content.decode()
    assert not User.objects.filter(username="fresh.student").exists()


def test_roster_needs_a_header_and_utf8(instructor_client, cohort):
    no_header = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": _csv("alice,bob\n")})
    assert "must name a &#x27;username&#x27; column" in no_header.content.decode()
    binary = SimpleUploadedFile("r.csv", b"\xff\xfe\x00bad", content_type="text/csv")
    latin = instructor_client.post(f"/courses/cohorts/{cohort.pk}/roster/", {"roster": binary})
    assert "not UTF-8" in latin.content.decode()


def test_due_dates_show_to_students_and_overdue_on_the_dashboard(instructor_client, student_client, cohort, program, student):
    cohort.program = program
    cohort.save()
    lesson = Lesson.objects.get(slug="word-parts")
    module = program.modules.get(slug="diabetes-coding")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    instructor_client.post(f"/courses/cohorts/{cohort.pk}/due-dates/", {"target": f"lesson:{lesson.pk}", "due_on": yesterday})
    instructor_client.post(f"/courses/cohorts/{cohort.pk}/due-dates/", {"target": f"module:{module.pk}", "due_on": "2099-01-01"})
    assert CohortDueDate.objects.filter(cohort=cohort).count() == 2
    page = student_client.get("/courses/cohorts/").content.decode()
    assert "Roots, prefixes and suffixes" in page and "Overdue" in page and "Coding diabetes mellitus" in page
    dashboard = instructor_client.get(f"/courses/cohorts/{cohort.pk}/").content.decode()
    assert '<span class="badge badge--bad">1</span>' in dashboard  # one overdue lesson
    lesson_complete(student=student, lesson=lesson)
    page = student_client.get("/courses/cohorts/").content.decode()
    assert "Done" in page
    # Clearing a due date.
    instructor_client.post(f"/courses/cohorts/{cohort.pk}/due-dates/", {"target": f"module:{module.pk}", "due_on": ""})
    assert CohortDueDate.objects.filter(cohort=cohort).count() == 1


def test_due_dates_only_for_the_cohorts_program(instructor_client, cohort, program):
    response = instructor_client.post(f"/courses/cohorts/{cohort.pk}/due-dates/", {"target": "module:1", "due_on": "2030-01-01"}, follow=True)
    assert "Choose the cohort" in response.content.decode()
    assert not CohortDueDate.objects.exists()


def test_dashboard_query_count_does_not_grow_with_students(instructor_client, instructor, program):
    cohort = Cohort.objects.create(name="Big", program=program)
    cohort.instructors.add(instructor)
    lesson = Lesson.objects.get(slug="reading-only")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert instructor_client.get(f"/courses/cohorts/{cohort.pk}/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        student = StudentFactory()
        CohortMembership.objects.create(cohort=cohort, student=student)
        lesson_complete(student=student, lesson=lesson)
    few = count()
    for _ in range(8):
        student = StudentFactory()
        CohortMembership.objects.create(cohort=cohort, student=student)
        lesson_complete(student=student, lesson=lesson)
    assert count() == few


def test_cohort_list_query_count_is_flat(instructor_client, instructor):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            instructor_client.get("/courses/cohorts/")
        return len(ctx.captured_queries)

    Cohort.objects.create(name="A").instructors.add(instructor)
    few = count()
    for i in range(5):
        Cohort.objects.create(name=f"B{i}").instructors.add(instructor)
    assert count() == few

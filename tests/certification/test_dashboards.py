"""Dashboards: who sees what, rollups kept by Celery, and query counts that do not grow with data."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from certification.domains import EXAM_DOMAINS
from certification.models import (
    AttemptScore,
    Blueprint,
    ItemStat,
    MasteryEvidence,
    Readiness,
    ReadinessSnapshot,
    StudentDomainRollup,
)
from certification.services import evidence_record
from certification.services.blueprints import blueprints_ensure_builtin
from certification.services.rollups import rollups_refresh
from courses.models import CohortMembership
from tests.factories import CohortFactory, StudentFactory

from .factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtins(db):
    return {b.slug: b for b in blueprints_ensure_builtin()}


def seed_students(cohort, n: int, builtins, *, evidence_per_student: int = 6) -> list:
    """Students with evidence and rollups built the way production builds them."""
    students = StudentFactory.create_batch(n)
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, student=s) for s in students)
    now = timezone.now()
    domains = ["icd10cm", "em", "radiology", "anatomy", "hcpcs", "medicine"]
    MasteryEvidence.objects.bulk_create(
        MasteryEvidence(student=s, domain=domains[j % len(domains)], source="quiz", source_id=f"{s.pk}-{j}",
                        score=float((i + j) % 3 != 0), occurred_at=now - datetime.timedelta(days=j))
        for i, s in enumerate(students) for j in range(evidence_per_student)
    )
    for s in students:
        rollups_refresh(student_id=s.pk)
    return students


def test_evidence_refreshes_rollups_after_commit_once_per_transaction(student, builtins, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        with transaction.atomic():
            for i in range(5):
                evidence_record(student=student, domain="em", score=1.0, source="quiz", source_id=f"q{i}")
    assert len(callbacks) == 1  # five items graded, one rollup refresh
    rollup = StudentDomainRollup.objects.get(student=student, domain="em")
    assert rollup.evidence_count == 5 and rollup.lower < rollup.mastery < rollup.upper
    assert Readiness.objects.filter(student=student, blueprint=builtins["cpc"]).exists()
    assert ReadinessSnapshot.objects.filter(student=student, day=timezone.now().date()).count() == 3


def test_student_sees_their_readiness_on_home_and_the_readiness_page(student, student_client, builtins):
    with_evidence = [("em", 1.0), ("icd10cm", 0.0), ("icd10cm", 1.0)]
    for i, (domain, score) in enumerate(with_evidence):
        MasteryEvidence.objects.create(student=student, domain=domain, source="quiz", source_id=str(i), score=score,
                                       occurred_at=timezone.now())
    rollups_refresh(student_id=student.pk)
    body = student_client.get(reverse("certification:my_dashboard")).content.decode()
    assert "Readiness per credential" in body and "CPC practice exam" in body
    assert "Mastery by domain" in body and "<svg" in body and "Show as a table" in body
    assert "Study next" in body
    home = student_client.get("/").content.decode()  # a short summary that links to the report
    assert "readiness-brief" in home and "CPC" in home and reverse("certification:my_dashboard") in home


def test_new_student_gets_an_empty_state_not_an_error(student_client, builtins):
    body = student_client.get(reverse("certification:my_dashboard")).content.decode()
    assert "No evidence yet" in body


def test_instructor_sees_only_their_students(student, other_student, cohort, other_cohort, builtins,
                                             instructor_client, other_instructor_client, admin_client_):
    url = reverse("certification:student_dashboard", args=[student.pk])
    assert instructor_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 200
    assert other_instructor_client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="readiness.access_denied").count() == 1


def test_students_cannot_open_other_students_or_staff_dashboards(student_client, other_student, cohort, builtins):
    assert student_client.get(reverse("certification:student_dashboard", args=[other_student.pk])).status_code == 404
    assert student_client.get(reverse("certification:instructor_dashboard")).status_code == 403
    assert student_client.get(reverse("certification:admin_dashboard")).status_code == 403
    assert student_client.get(reverse("certification:cohort_export", args=[cohort.pk])).status_code == 403


def test_instructor_dashboard_shows_heat_map_at_risk_and_item_analysis(instructor, instructor_client, cohort, builtins):
    students = seed_students(cohort, 4, builtins)
    question = QuestionFactory(domain="em")
    ItemStat.objects.create(question=question, cohort=cohort, n=12, n_correct=6, sum_rest=6, sum_rest_sq=3.6,
                            sum_correct_rest=4.2, seconds_total=600)
    body = instructor_client.get(reverse("certification:instructor_dashboard") + f"?cohort={cohort.pk}").content.decode()
    assert "Cohort × domain mastery" in body and "heat-" in body
    assert "At risk in Spring cohort" in body
    assert question.slug in body and "Discrimination" in body
    home = instructor_client.get("/").content.decode()
    assert "Cohort × domain mastery" in home
    assert len(students) == 4


def test_csv_export_lists_the_cohort_and_is_audited(instructor_client, other_instructor_client, cohort, builtins):
    seed_students(cohort, 3, builtins)
    url = reverse("certification:cohort_export", args=[cohort.pk])
    response = instructor_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("username,name,predicted_score,pass_probability")
    assert len(lines) == 1 + 4  # the fixture's student and three more
    assert other_instructor_client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="readiness.exported").count() == 1


def test_admin_dashboard_shows_usage_queue_and_code_sets(admin_client_, builtins, student):
    from tests.factories import ReleaseFactory

    ReleaseFactory(label="FY2026", is_current=True)
    body = admin_client_.get("/").content.decode()
    assert "Usage" in body and "Queue health" in body and "FY2026" in body
    assert admin_client_.get(reverse("certification:admin_dashboard")).status_code == 200


@pytest.mark.parametrize("size", [5, 40])
def test_instructor_dashboard_query_count_does_not_grow(size, instructor, instructor_client, cohort, builtins,
                                                        django_assert_max_num_queries):
    seed_students(cohort, size, builtins)
    questions = [QuestionFactory(domain="em") for _ in range(size // 5 + 1)]
    ItemStat.objects.bulk_create(ItemStat(question=q, cohort=cohort, n=20, n_correct=10, sum_rest=10, sum_rest_sq=6,
                                          sum_correct_rest=6) for q in questions)
    url = reverse("certification:instructor_dashboard") + f"?cohort={cohort.pk}"
    with django_assert_max_num_queries(16):
        assert instructor_client.get(url).status_code == 200
    with django_assert_max_num_queries(16):
        assert instructor_client.get("/").status_code == 200


@pytest.mark.parametrize("evidence", [6, 120])
def test_student_dashboard_query_count_does_not_grow(evidence, cohort, builtins, login_as, django_assert_max_num_queries):
    student = seed_students(cohort, 1, builtins, evidence_per_student=evidence)[0]
    client = login_as(student)
    for _ in range(3):
        AttemptScore.objects.create(
            attempt=_scored_attempt(student, builtins["cpc"]), student=student, blueprint=builtins["cpc"],
            correct=5, total=10, percent=50, passed=False, by_domain={}, answered=10, seconds_per_question=120,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("certification:my_dashboard")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def _scored_attempt(student, blueprint):
    from certification.models import ExamAttempt

    now = timezone.now()
    return ExamAttempt.objects.create(student=student, blueprint=blueprint, status="scored", started_at=now,
                                      deadline=now, submitted_at=now)


def test_instructor_defines_an_exam_with_the_form(instructor_client, instructor, cohort, bank):
    response = instructor_client.post(
        reverse("certification:blueprint_new"),
        {"name": "Week 3 quiz", "question_count": 5, "time_limit_minutes": 15, "pass_percent": 75, "cohort": cohort.pk,
         "weight_em": 2, "weight_icd10cm": 1},
    )
    assert response.status_code == 302
    blueprint = Blueprint.objects.get(name="Week 3 quiz")
    assert blueprint.domain_weights() == {"em": 2.0, "icd10cm": 1.0}
    assert blueprint.cohort == cohort and blueprint.created_by == instructor
    assert AuditEvent.objects.filter(action="exam.blueprint_created").exists()


def test_blueprint_form_rejects_bad_input_with_messages(instructor_client, other_cohort):
    response = instructor_client.post(
        reverse("certification:blueprint_new"),
        {"name": "Bad", "question_count": 0, "time_limit_minutes": 15, "pass_percent": 170, "cohort": other_cohort.pk},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give at least one domain a weight above zero." in body
    assert "Select a valid choice" in body  # a cohort the instructor does not teach
    assert not Blueprint.objects.filter(name="Bad").exists()


def test_cohort_blueprints_are_visible_only_to_that_cohort(student_client, other_student_client, cohort, bank):
    from .factories import BlueprintFactory

    private = BlueprintFactory(name="Spring only", cohort=cohort)
    assert "Spring only" in student_client.get(reverse("certification:exam_list")).content.decode()
    assert "Spring only" not in other_student_client.get(reverse("certification:exam_list")).content.decode()
    response = other_student_client.post(reverse("certification:attempt_start", args=[private.pk]))
    assert response.status_code == 404


def test_student_in_several_cohorts_is_counted_once_per_cohort(builtins, instructor):
    cohort_a = CohortFactory(instructors=[instructor])
    cohort_b = CohortFactory(instructors=[instructor])
    student = StudentFactory()
    CohortMembership.objects.create(cohort=cohort_a, student=student)
    CohortMembership.objects.create(cohort=cohort_b, student=student)
    MasteryEvidence.objects.create(student=student, domain="em", source="quiz", source_id="1", score=1, occurred_at=timezone.now())
    rollups_refresh(student_id=student.pk)
    from certification.dashboards import instructor_dashboard

    data = instructor_dashboard(viewer=instructor, cohort_id=cohort_a.pk)
    em_index = [d for d, _, _ in data["domains"]].index("em")
    assert [cells[em_index].students for _, cells in data["heatmap"]] == [1, 1]


def test_instructor_switches_the_credential(instructor_client, cohort, builtins):
    seed_students(cohort, 2, builtins)
    body = instructor_client.get(reverse("certification:instructor_dashboard") + "?credential=cca").content.decode()
    assert "CCA practice exam domains" in body
    assert "passing the CCA" in body


def test_batched_refresh_matches_one_by_one_and_keeps_each_students_own_custom_exams(cohort, builtins,
                                                                                   django_assert_max_num_queries):
    from certification.models import ExamAttempt
    from certification.services.rollups import rollups_refresh_many

    from .factories import BlueprintFactory

    students = seed_students(cohort, 4, builtins)
    custom = BlueprintFactory(name="Week 3 quiz", weights={"em": 1})
    now = timezone.now()
    ExamAttempt.objects.create(student=students[0], blueprint=custom, started_at=now, deadline=now, status="scored")
    ExamAttempt.objects.create(student=students[0], blueprint=custom, started_at=now, deadline=now)  # sat twice
    rollups_refresh(student_id=students[0].pk)
    one_by_one = {(r.student_id, r.blueprint_id): (r.predicted_score, r.pass_probability) for r in Readiness.objects.all()}
    Readiness.objects.all().delete()

    with django_assert_max_num_queries(12):  # not per student
        rollups_refresh_many(student_ids=[s.pk for s in students])

    batched = {(r.student_id, r.blueprint_id): (r.predicted_score, r.pass_probability) for r in Readiness.objects.all()}
    assert batched.keys() == one_by_one.keys()
    for key, values in one_by_one.items():
        assert batched[key] == pytest.approx(values)
    assert (students[0].pk, custom.pk) in batched and (students[1].pk, custom.pk) not in batched


def test_evidence_record_many_upserts_in_one_go_and_queues_one_refresh(builtins, django_capture_on_commit_callbacks):
    from django.db import transaction

    from certification.services import EvidenceItem, evidence_record_many

    first, second = StudentFactory.create_batch(2)
    MasteryEvidence.objects.create(student=first, domain="em", score=0.0, source="case", source_id="7",
                                   occurred_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        written = evidence_record_many([
            EvidenceItem(student_id=first.pk, domain="em", score=1.0, source="case", source_id=7),  # regraded
            EvidenceItem(student_id=second.pk, domain="em", score=1.7, source="case", source_id=8),  # clamped
            EvidenceItem(student_id=second.pk, domain="icd10cm", score=0.5, source="case", source_id=9),
        ])
    assert written == 3 and len(callbacks) == 1
    assert MasteryEvidence.objects.get(student=first, source_id="7").score == 1.0
    assert MasteryEvidence.objects.filter(student=first).count() == 1
    assert MasteryEvidence.objects.get(student=second, source_id="8").score == 1.0
    assert StudentDomainRollup.objects.get(student=second, domain="icd10cm").evidence_count == 1
    assert StudentDomainRollup.objects.get(student=first, domain="em").evidence_count == 1
    with pytest.raises(ValueError, match="Unknown exam domain"):
        evidence_record_many([EvidenceItem(student_id=first.pk, domain="astrology", score=1, source="case", source_id=1)])


def test_a_refresh_updates_each_domain_row_in_place(builtins):
    student = StudentFactory()
    first_seen = timezone.now() - datetime.timedelta(days=2)
    MasteryEvidence.objects.create(student=student, domain="em", score=0.2, source="quiz", source_id="1",
                                   occurred_at=first_seen)
    rollups_refresh(student_id=student.pk)
    before = StudentDomainRollup.objects.get(student=student, domain="em")
    assert StudentDomainRollup.objects.filter(student=student).count() == len(EXAM_DOMAINS)
    assert before.evidence_count == 1 and before.last_evidence_at == first_seen
    assert before.lower < before.mastery < before.upper

    later = timezone.now()
    MasteryEvidence.objects.create(student=student, domain="em", score=1.0, source="quiz", source_id="2",
                                   occurred_at=later)
    rollups_refresh(student_id=student.pk)
    after = StudentDomainRollup.objects.get(student=student, domain="em")
    assert after.pk == before.pk and StudentDomainRollup.objects.filter(student=student).count() == len(EXAM_DOMAINS)
    assert after.evidence_count == 2 and after.last_evidence_at == later
    assert after.mastery > before.mastery and after.updated_at >= before.updated_at
    untouched = StudentDomainRollup.objects.get(student=student, domain="radiology")
    assert untouched.evidence_count == 0 and untouched.last_evidence_at is None

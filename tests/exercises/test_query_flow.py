"""Query exercises over real HTTP: write the query, read the provider's reply, code the final claim.

The reply and the spec stay out of every page and API answer until the student has sent a query; the
grade combines the coding score and the query rubric; instructors see queries in the review queue and
override the rubric score (audited).
"""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from exercises.models import AnswerKey, ProviderQuery, ScoreOverride, Submission, SubmissionScore
from exercises.services import answer_key_publish, query_spec_save

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db

SENTINEL_REPLY = "SENTINEL-REPLY-4d2b"
SENTINEL_OPTION = "SENTINEL-OPTION-93ac"
SPEC = {
    "gap": "The history says type 1 diabetes; an imported problem list says type 2.",
    "topic_terms": ["diabetes", "type"],
    "indicators": [
        {"label": "History: type 1 diabetes since age 11", "terms": ["since age 11", "age 11", "type 1"]},
        {"label": "Insulin pump", "terms": ["pump"]},
        {"label": "Imported problem list: type 2 diabetes", "terms": ["problem list", "type 2"]},
    ],
    "min_indicators": 2,
    "options": [
        {"label": "Type 1 diabetes mellitus", "terms": ["type 1"]},
        {"label": "Type 2 diabetes mellitus", "terms": ["type 2"]},
        {"label": SENTINEL_OPTION, "terms": ["secondary diabetes"]},
    ],
    "unsupported": [{"label": "Diabetic ketoacidosis", "terms": ["ketoacidosis", "dka"], "why": "No acidosis."}],
    "yes_no_use": "conflict",
    "provider_reply": f"Type 1 diabetes mellitus; the outside list was in error. {SENTINEL_REPLY}",
}
GOOD_QUERY = {
    "query_format": "multiple_choice",
    "query_indicators": "History: type 1 diabetes since age 11\nInsulin pump (lispro)\nOutside problem list: type 2",
    "query_question": "The record documents both type 1 and type 2 diabetes. Please clarify the type being treated.",
    "query_options": "Type 1 diabetes mellitus\nType 2 diabetes mellitus\nOther (please specify)\nUnable to determine",
}
KEY_LINES = [{"role": "principal", "code": "E109"}, {"role": "secondary", "code": "I10"}]
FINAL_CLAIM = {"principal_code": "E10.9", "dx_code": ["I10"], "px_system": ["cpt"], "px_code": [""],
               "px_modifiers": [""], "px_units": ["1"]}


@pytest.fixture
def query_case(release, instructor):
    case = CaseFactory(title="New patient with diabetes", slug="diabetes-type", icd10cm_release=release,
                       author=instructor, is_query_case=True, patient_age=27, patient_sex="F",
                       documents=[("New patient visit", "History: type 1 diabetes since age 11, on an insulin pump. "
                                   "Imported problem list: type 2 diabetes. Blood pressure 148/92 on amlodipine.")])
    query_spec_save(actor=instructor, case=case, data=SPEC)  # before the key: the key version records the spec's
    answer_key_publish(actor=instructor, case=case, lines=KEY_LINES)
    return case


@pytest.fixture
def plain_case(release, instructor):
    case = CaseFactory(title="Blood pressure check", slug="bp-check", icd10cm_release=release, author=instructor)
    make_key(case, [{"role": "principal", "code": "I10"}])
    return case


def send_query(client, case, form=GOOD_QUERY):
    return client.post(f"/cases/{case.slug}/query/", form)


def submit(client, case, capture, form=FINAL_CLAIM) -> Submission:
    with capture(execute=True):
        response = client.post(f"/cases/{case.slug}/submit/", form)
    assert response.status_code == 302, response.content
    return Submission.objects.filter(case=case).exclude(status="draft").latest("pk")


def test_the_reply_and_the_spec_stay_hidden_until_a_query_is_sent(student_client, student, query_case):
    page = student_client.get(f"/cases/{query_case.slug}/").content.decode()
    assert "Query the provider" in page
    for hidden in (SENTINEL_REPLY, SENTINEL_OPTION, "secondary diabetes", "ketoacidosis", SPEC["gap"]):
        assert hidden not in page
    for url in (f"/api/v1/cases/{query_case.slug}/", f"/api/v1/cases/{query_case.slug}/query/", "/api/v1/cases/"):
        body = student_client.get(url).content.decode()
        assert SENTINEL_REPLY not in body and SENTINEL_OPTION not in body and "ketoacidosis" not in body
    # A query that fails the shape check is kept, unsent, and still shows no reply.
    response = send_query(student_client, query_case, {**GOOD_QUERY, "query_question": ""})
    assert response.status_code == 302
    page = student_client.get(f"/cases/{query_case.slug}/").content.decode()
    assert "Write the question you are asking the provider." in page
    assert "History: type 1 diabetes since age 11" in page  # what they typed is not lost
    assert SENTINEL_REPLY not in page
    assert not ProviderQuery.objects.get(submission__student=student).is_sent


def test_write_the_query_read_the_reply_then_code_the_final_claim(
    student_client, student, query_case, django_capture_on_commit_callbacks
):
    response = send_query(student_client, query_case)
    assert response.status_code == 302 and response["Location"].endswith("#provider-reply")
    page = student_client.get(f"/cases/{query_case.slug}/").content.decode()
    assert SENTINEL_REPLY in page and "data-provider-reply" in page
    assert "Send query to the provider" not in page  # sent once per attempt

    again = send_query(student_client, query_case, {**GOOD_QUERY, "query_question": "Changed my mind"})
    assert again.status_code == 302
    query = ProviderQuery.objects.get(submission__student=student)
    assert query.question == GOOD_QUERY["query_question"] and query.options[-1] == "Unable to determine"

    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    assert submission.status == "scored" and submission.query_provider
    score = SubmissionScore.objects.get(submission=submission)
    assert score.result["coding_score"] == 100.0
    assert score.result["query_rubric"]["score"] == 100.0 and score.result["query_rubric"]["compliant"]
    assert score.final_score == 100.0
    assert not any(f["role"] == "query" for f in score.result["findings"])  # the rubric replaces the query point

    result_page = student_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    assert "data-query-result" in result_page and SENTINEL_REPLY in result_page
    assert "Case score = 70% coding" in result_page
    assert SPEC["gap"] in result_page


def test_a_leading_query_costs_its_share_of_the_case_score(
    student_client, query_case, django_capture_on_commit_callbacks
):
    send_query(student_client, query_case, {
        **GOOD_QUERY, "query_question": "Is this DKA? Please document it for the DRG.",
        "query_options": "Diabetic ketoacidosis\nType 1 diabetes mellitus\nType 2 diabetes mellitus",
    })
    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    score = SubmissionScore.objects.get(submission=submission)
    rubric = score.result["query_rubric"]
    assert not rubric["compliant"] and rubric["score"] <= 50.0
    failed = {c["name"] for c in rubric["criteria"] if c["credit"] == 0}
    assert {"not_leading", "no_financial", "neutral_options"} <= failed
    assert score.final_score == round(0.7 * 100.0 + 0.3 * rubric["score"], 2)


def test_coding_a_query_exercise_without_querying_scores_the_query_at_zero(
    student_client, query_case, django_capture_on_commit_callbacks
):
    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    score = SubmissionScore.objects.get(submission=submission)
    assert score.result["query_rubric"]["sent"] is False and score.result["query_rubric"]["score"] == 0.0
    assert score.final_score == 70.0 and not submission.query_provider


def test_a_query_on_a_case_that_needs_none_gets_a_plain_reply_and_counts_as_an_extra_line(
    student_client, plain_case, django_capture_on_commit_callbacks
):
    send_query(student_client, plain_case, {**GOOD_QUERY, "query_format": "open_ended",
                                             "query_question": "Please clarify the blood pressure diagnosis."})
    page = student_client.get(f"/cases/{plain_case.slug}/").content.decode()
    assert "record is complete as documented" in page
    submission = submit(student_client, plain_case, django_capture_on_commit_callbacks,
                        {**FINAL_CLAIM, "principal_code": "I10", "dx_code": [""]})
    score = SubmissionScore.objects.get(submission=submission)
    assert "query_rubric" not in score.result
    assert [f["verdict"] for f in score.result["findings"] if f["role"] == "query"] == ["extra"]
    assert score.final_score == 50.0


def test_instructors_see_queries_in_the_review_queue_and_override_the_score_with_an_audit_entry(
    student_client, instructor_client, other_instructor_client, student, cohort, other_cohort, query_case,
    instructor, django_capture_on_commit_callbacks
):
    send_query(student_client, query_case, {**GOOD_QUERY, "query_options": "Type 1 diabetes mellitus\nType 2 diabetes mellitus"})
    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    score = SubmissionScore.objects.get(submission=submission)
    assert score.result["query_rubric"]["score"] == 85.0

    queue = instructor_client.get("/cases/review/?query=1").content.decode()
    assert "data-query-cell" in queue and "The record documents both type 1" in queue and "85/100" in queue
    detail = instructor_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    assert "Override the query score" in detail

    refused = other_instructor_client.post(f"/cases/scores/{score.pk}/override-query/",
                                           {"query_score": "100", "reason": "Not mine to change"})
    assert refused.status_code == 404
    assert student_client.post(f"/cases/scores/{score.pk}/override-query/",
                               {"query_score": "100", "reason": "Mine"}).status_code == 403
    score.refresh_from_db()
    assert "override" not in score.result["query_rubric"]

    response = instructor_client.post(f"/cases/scores/{score.pk}/override-query/",
                                      {"query_score": "100", "reason": "The options were clear enough in context."})
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.result["query_rubric"]["override"]["score"] == 100.0
    assert score.final_score == 100.0 and score.score == round(0.7 * 100 + 0.3 * 85, 2)
    override = ScoreOverride.objects.get(score=score)
    assert override.before == {"query_score": 85.0, "final_score": 95.5} and override.after["query_score"] == 100.0
    event = AuditEvent.objects.get(action="exercises.query_score_overridden")
    assert event.actor == instructor and event.reason == "The options were clear enough in context."

    export = instructor_client.get("/cases/review/export.csv?query=1").content.decode().splitlines()
    assert export[0].endswith("coding_score,query_score") and export[1].endswith(",100.0,100.0")

    seen = student_client.get(f"/cases/submissions/{submission.pk}/").content.decode()
    assert "Instructor changed the query score" in seen and "The options were clear enough in context." in seen
    assert "Override the query score" not in seen

    # A later line override keeps the query override in the total.
    line = next(i for i, f in enumerate(score.result["findings"]) if f["key_code"] == "I10")
    instructor_client.post(f"/cases/scores/{score.pk}/override-line/",
                           {"line_index": line, "credit": "0", "reason": "Check the blood pressure line"})
    score.refresh_from_db()
    assert score.final_score == round(0.7 * 50.0 + 0.3 * 100.0, 2)


def test_the_api_sends_the_query_once_and_shows_the_rubric_after_submission(
    student_client, query_case, django_capture_on_commit_callbacks
):
    url = f"/api/v1/cases/{query_case.slug}/query/"
    before = student_client.get(url).json()
    assert before["sent"] is False and before["provider_reply"] == ""
    bad = student_client.post(url, {"format": "multiple_choice", "question": "Which type?", "options": ["Type 1"]},
                              content_type="application/json")
    assert bad.status_code == 400 and "at least two options" in bad.content.decode()
    payload = {"format": "yes_no", "question": "The history and the problem list conflict: is the diabetes type 1?",
               "indicators": "Type 1 since age 11; insulin pump; problem list says type 2",
               "options": ["Other", "Clinically undetermined"]}
    sent = student_client.post(url, payload, content_type="application/json")
    assert sent.status_code == 201
    body = sent.json()
    assert body["sent"] and SENTINEL_REPLY in body["provider_reply"] and body["options"][:2] == ["Yes", "No"]
    assert student_client.post(url, payload, content_type="application/json").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        created = student_client.post(f"/api/v1/cases/{query_case.slug}/submissions/", {
            "lines": [{"role": "principal", "code": "E10.9"}, {"role": "secondary", "code": "I10"}],
        }, content_type="application/json")
    assert created.status_code == 201
    detail = student_client.get(f"/api/v1/case-submissions/{created.json()['id']}/").json()
    assert detail["provider_query"]["format"] == "yes_no"
    assert detail["score"]["query_rubric"]["compliant"] is True and detail["score"]["final_score"] == 100.0
    assert detail["score"]["coding_score"] == 100.0


def test_other_students_never_see_a_students_query(student_client, other_student_client, query_case,
                                                   django_capture_on_commit_callbacks):
    send_query(student_client, query_case)
    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    assert other_student_client.get(f"/cases/submissions/{submission.pk}/").status_code == 404
    assert other_student_client.get(f"/api/v1/case-submissions/{submission.pk}/").status_code == 404
    assert other_student_client.get(f"/api/v1/cases/{query_case.slug}/query/").json()["sent"] is False


def test_a_changed_spec_on_a_submitted_case_is_a_new_key_version_and_a_regrade(
    student_client, instructor, query_case, django_capture_on_commit_callbacks
):
    send_query(student_client, query_case)
    submission = submit(student_client, query_case, django_capture_on_commit_callbacks)
    lines = KEY_LINES
    assert AnswerKey.objects.get(case=query_case).case_rules["query_spec_version"] == 1
    versions = AnswerKey.objects.filter(case=query_case).count()
    spec, changed = query_spec_save(actor=instructor, case=query_case, data={**SPEC, "min_indicators": 3})
    assert changed and spec.version == 2
    with django_capture_on_commit_callbacks(execute=True):
        key, created = answer_key_publish(actor=instructor, case=query_case, lines=lines)
    assert created and AnswerKey.objects.filter(case=query_case).count() == versions + 1
    assert key.case_rules["query_spec_version"] == 2
    current = SubmissionScore.objects.get(submission=submission, is_current=True)
    assert current.key == key and current.result["query_rubric"]["spec_version"] == 2
    assert AuditEvent.objects.filter(action="exercises.query_spec_updated").exists()

"""The result page through real HTTP: E/M level feedback, an honest tally, what extra lines cost,
and an override form that changes nothing until the instructor picks a credit."""

from __future__ import annotations

import re

import pytest

from exercises.models import GradingPolicy, ScoreOverride, Submission, SubmissionScore

from .factories import CaseFactory, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def em_case(release, instructor):
    case = CaseFactory(title="Hypertension follow-up", slug="htn-follow-up", icd10cm_release=release, author=instructor)
    make_key(case, [
        {"role": "principal", "code": "I10"},
        {"role": "secondary", "code": "E1165"},
        {"role": "em", "system": "cpt", "code": "99214"},
    ])
    return case


def submit(client, case, form, capture) -> Submission:
    assert client.get(f"/cases/{case.slug}/").status_code == 200
    with capture(execute=True):
        response = client.post(f"/cases/{case.slug}/submit/", form)
    assert response.status_code == 302, response.content
    submission = Submission.objects.filter(case=case).exclude(status="draft").latest("pk")
    assert submission.status == "scored"
    return submission


def page_text(client, submission) -> str:
    response = client.get(f"/cases/submissions/{submission.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def tally(body: str, name: str) -> int:
    match = re.search(rf'data-tally="{name}"><span class="badge badge--\w+">(\d+)</span>', body)
    assert match, f"no {name} tally"
    return int(match.group(1))


EM_FORM = {"principal_code": "I10", "dx_code": ["E11.65"], "px_system": ["cpt"], "px_code": ["99213"],
           "px_modifiers": [""], "px_units": ["1"]}


def test_an_em_one_level_under_reads_as_one_line_with_the_default_half_credit(
    student_client, em_case, django_capture_on_commit_callbacks
):
    submission = submit(student_client, em_case, EM_FORM, django_capture_on_commit_callbacks)
    score = SubmissionScore.objects.get(submission=submission)
    em = [f for f in score.result["findings"] if "99214" in (f["key_code"], f["answer_code"])]
    assert [(f["verdict"], f["answer_code"], f["credit"]) for f in em] == [("partial", "99213", 0.5)]
    assert score.score == pytest.approx(100 * 2.5 / 3, abs=0.01)
    body = page_text(student_client, submission)
    assert "Under-coded by one level" in body
    assert "over-coding costs points" not in body
    assert tally(body, "extra") == 0 and tally(body, "missing") == 0
    assert tally(body, "wrong") == 1, "a wrong E/M level is not '0 wrong'"


def test_the_case_policy_sets_the_em_level_credit(student_client, em_case, django_capture_on_commit_callbacks):
    em_case.grading_policy = GradingPolicy.objects.create(name="Strict E/M", em_level_credit=0.25)
    em_case.save()
    submission = submit(student_client, em_case, EM_FORM, django_capture_on_commit_callbacks)
    score = SubmissionScore.objects.get(submission=submission)
    assert score.policy["em_level_credit"] == 0.25
    assert next(f for f in score.result["findings"] if f["answer_code"] == "99213")["credit"] == 0.25


def test_the_tally_counts_part_credit_lines_as_wrong(student_client, case, django_capture_on_commit_callbacks):
    # The principal and a secondary swapped: every line is paired, none is fully right.
    form = {"principal_code": "I10", "dx_code": ["I21.4", "E11.65"], "px_system": ["cpt"], "px_code": ["93458"],
            "px_modifiers": [""], "px_units": ["1"]}
    submission = submit(student_client, case, form, django_capture_on_commit_callbacks)
    body = page_text(student_client, submission)
    assert tally(body, "wrong") == 3  # two misplaced diagnoses and a procedure without its modifier
    assert "3 with part credit" in body
    assert tally(body, "correct") == 1
    assert "data-tally-summary" in body and "key points not earned" in body


def test_extra_lines_show_what_they_cost(student_client, case, django_capture_on_commit_callbacks):
    form = {"principal_code": "I21.4", "dx_code": ["E11.65", "I10", "R07.9"], "px_system": ["cpt"],
            "px_code": ["93458"], "px_modifiers": ["26"], "px_units": ["1"]}
    submission = submit(student_client, case, form, django_capture_on_commit_callbacks)
    assert SubmissionScore.objects.get(submission=submission).score == 80.0
    body = page_text(student_client, submission)
    assert tally(body, "extra") == 1
    assert "−1 pt entered" in body
    assert "without it the score would be 100.0% (20.0 points more)" in body
    assert "20.0 points of score" in body


def test_an_extra_line_that_did_not_move_the_score_says_so(student_client, case, django_capture_on_commit_callbacks):
    # Two key lines left out and one extra: the key still outweighs what was entered.
    form = {"principal_code": "I21.4", "dx_code": ["R07.9"], "px_system": ["cpt"], "px_code": [""],
            "px_modifiers": [""], "px_units": ["1"]}
    submission = submit(student_client, case, form, django_capture_on_commit_callbacks)
    body = page_text(student_client, submission)
    assert "did not lower this score" in body and "no effect on this score" in body


@pytest.fixture
def reviewed(student, case, cohort):
    from exercises.services import submission_score, submission_submit

    lines = [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.9"},
             {"role": "secondary", "code": "I10"}, {"role": "procedure", "system": "cpt", "code": "93458"}]
    submission, _ = submission_submit(student=student, case=case, lines=lines)
    return submission, submission_score(submission_id=submission.pk)


def test_the_override_form_starts_at_no_change(instructor_client, reviewed):
    submission, score = reviewed
    body = page_text(instructor_client, submission)
    selects = re.findall(r'<select id="credit-\d+" name="credit" required>(.*?)</select>', body, re.S)
    assert selects, "the reviewer sees override forms"
    for options in selects:
        selected = re.findall(r'<option value="([^"]*)" selected>([^<]*)<', options)
        assert len(selected) == 1 and selected[0][0] == "" and selected[0][1].startswith("No change")
        assert 'value="1" selected' not in options
    partial = next(i for i, f in enumerate(score.result["findings"]) if f["verdict"] == "partial")
    assert "No change (now 25%)" in body or "No change (now 50%)" in body

    response = instructor_client.post(f"/cases/scores/{score.pk}/override-line/",
                                      {"line_index": partial, "credit": "", "reason": "Looked at it."}, follow=True)
    assert "Nothing changed" in response.content.decode()
    score.refresh_from_db()
    assert not ScoreOverride.objects.exists() and score.final_score == score.score
    assert "override" not in score.result["findings"][partial]

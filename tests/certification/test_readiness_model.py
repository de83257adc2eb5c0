"""The pure readiness model: item difficulty, channels, rehearsal, coverage, time, wording, validation."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from certification.blueprint_data import CPC_WEIGHTS
from certification.readiness import (
    ChannelLink,
    Population,
    Response,
    domain_mastery,
    estimate_student,
    predict_exam,
    readiness_phrase,
)
from certification.readiness.irt import posterior_update
from certification.readiness.items import item_analysis
from certification.readiness.population import DEFAULT_LINKS, pool_summary
from certification.readiness.simulate import PROCESSES, quotas, run_process
from certification.readiness.validation import (
    Outcome,
    auc,
    baseline_logistic_average,
    brier,
    fit_logistic,
    platt,
    report,
)
from certification.readiness.wording import not_enough_evidence

REPO = Path(__file__).resolve().parents[2]
DOMAINS = sorted(CPC_WEIGHTS)


def population(**changes) -> Population:
    """Easy items at -1.5, hard ones at +1.5; single-answer items guess 1/4, code entry none."""
    items = {}
    for d in DOMAINS:
        for k in range(20):
            items[f"exam:{d}:easy{k}"] = (-1.5, 0.0)
            items[f"exam:{d}:hard{k}"] = (1.5, 0.0)
            items[f"exam:{d}:mc{k}"] = (0.0, 0.25)
            items[f"exam:{d}:code{k}"] = (0.0, 0.0)
    pools = {d: pool_summary([(-1.0, 0.2), (0.0, 0.2), (1.0, 0.2)]) for d in DOMAINS}
    base = dict(items=items, pools=pools, drift_per_day=0.004, forgetting_days=30.0)
    base.update(changes)
    return Population(**base)


def answers(domain: str, kind: str, pattern: list[int], *, age: float = 1.0, channel: str = "exam",
            start: int = 0) -> list[Response]:
    return [Response(domain, channel, f"{channel}:{domain}:{kind}{start + i}", float(x), age) for i, x in enumerate(pattern)]


def everywhere(kind: str, pattern: list[int], *, age: float = 1.0) -> list[Response]:
    return [r for d in DOMAINS for r in answers(d, kind, pattern, age=age)]


def cpc(estimate, pop):
    return predict_exam(estimate, pop, CPC_WEIGHTS, question_count=100, pass_mark=0.7)


def test_a_right_answer_to_a_hard_item_counts_for_more_than_one_to_an_easy_item():
    pop = population()
    pattern = [1, 1, 1, 0] * 4
    easy = estimate_student(answers("em", "easy", pattern), pop).domains["em"]
    hard = estimate_student(answers("em", "hard", pattern), pop).domains["em"]
    assert hard.mean > easy.mean + 1.5
    assert domain_mastery(estimate_student(answers("em", "hard", pattern), pop), pop, "em").mastery > \
        domain_mastery(estimate_student(answers("em", "easy", pattern), pop), pop, "em").mastery


def test_a_quarter_right_on_four_option_questions_is_chance_not_a_quarter_of_the_skill():
    pop = population()
    pattern = [1, 0, 0, 0] * 5
    guessed = estimate_student(answers("em", "mc", pattern), pop).domains["em"]
    typed = estimate_student(answers("em", "code", pattern), pop).domains["em"]
    assert guessed.mean < typed.mean - 0.3


def test_easy_items_only_give_a_lower_forecast_than_the_same_score_on_exam_level_items():
    pop = population()
    easy = cpc(estimate_student(everywhere("easy", [1, 1, 1, 1, 0] * 3), pop), pop)
    level = cpc(estimate_student(everywhere("mc", [1, 1, 1, 1, 0] * 3), pop), pop)
    assert easy.pass_probability < level.pass_probability
    assert easy.predicted_score < level.predicted_score
    assert estimate_student(everywhere("easy", [1] * 10), pop).easy_share == 1.0


def test_answers_after_the_key_was_shown_are_practice_not_evidence():
    pop = population()
    first = answers("em", "mc", [0, 0, 1, 0, 0, 1], age=10)
    retake = answers("em", "mc", [1, 1, 1, 1, 1, 1], age=2)  # the same questions again
    alone = estimate_student(first, pop).domains["em"]
    both = estimate_student(first + retake, pop).domains["em"]
    assert both.responses == 6 and both.rehearsals == 6
    # Only time has passed since the first answers: the retake adds no ability.
    assert both.mean == pytest.approx(alone.mean, abs=1e-9)


def test_flashcard_self_ratings_are_left_out_and_counted():
    pop = population()
    quiz = answers("em", "mc", [1, 0, 1, 0])
    cards = answers("em", "card", [1] * 30, channel="flashcard")
    assert not pop.channels["flashcard"].used and pop.channels["flashcard"].note.startswith("Left out")
    with_cards = estimate_student(quiz + cards, pop)
    assert with_cards.domains["em"].mean == pytest.approx(estimate_student(quiz, pop).domains["em"].mean)
    assert with_cards.left_out == {"flashcard": 30}


def test_a_channel_uses_its_own_slope():
    pop = population(channels={**DEFAULT_LINKS, "quiz": ChannelLink(0.4, True, "weak link")})
    strong_exam = estimate_student(answers("em", "mc", [1] * 12), pop).domains["em"]
    strong_quiz = estimate_student(answers("em", "mc", [1] * 12, channel="quiz"), pop).domains["em"]
    assert strong_quiz.mean < strong_exam.mean  # a weakly linked channel says less


def test_unpractised_domains_widen_the_range_and_do_not_borrow_certainty():
    pop = population()
    narrow = estimate_student(answers("em", "mc", [1, 1, 0, 1] * 40), pop)
    broad = estimate_student(everywhere("mc", [1, 1, 0, 1] * 3), pop)
    only_em, all_domains = cpc(narrow, pop), cpc(broad, pop)
    assert (only_em.upper - only_em.lower) > (all_domains.upper - all_domains.lower)
    # A domain without evidence keeps at least the spread between one student's domains, however much else is known.
    unpractised = narrow.ability("radiology", pop)
    assert unpractised.responses == 0
    assert unpractised.variance >= pop.domain_sd ** 2
    assert narrow.domains["em"].variance < unpractised.variance / 4


def test_thin_coverage_says_what_to_practise_instead_of_a_probability():
    pop = population()
    thin = cpc(estimate_student(answers("em", "mc", [1] * 30) + answers("icd10cm", "mc", [1] * 30), pop), pop)
    assert not thin.enough_evidence
    assert thin.coverage == pytest.approx((CPC_WEIGHTS["em"] + CPC_WEIGHTS["icd10cm"]) / sum(CPC_WEIGHTS.values()))
    heaviest = sorted((d for d in CPC_WEIGHTS if d not in ("em", "icd10cm")), key=lambda d: (-CPC_WEIGHTS[d], d))
    assert list(thin.practise[:2]) == heaviest[:2]
    broad = cpc(estimate_student(everywhere("mc", [1] * 6), pop), pop)
    assert broad.enough_evidence and broad.practise == ()


def test_uncertainty_grows_with_time_since_practice():
    pop = population()
    fresh = estimate_student(everywhere("mc", [1, 0, 1, 1] * 3, age=1), pop)
    stale = estimate_student(everywhere("mc", [1, 0, 1, 1] * 3, age=120), pop)
    assert stale.domains["em"].variance > fresh.domains["em"].variance * 2
    assert cpc(stale, pop).upper - cpc(stale, pop).lower > cpc(fresh, pop).upper - cpc(fresh, pop).lower


def test_strong_and_weak_students_who_stopped_long_ago_do_not_come_out_the_same():
    pop = population()
    strong = cpc(estimate_student(everywhere("mc", [1, 1, 1, 1, 0] * 4, age=150), pop), pop)
    weak = cpc(estimate_student(everywhere("mc", [0, 0, 1, 0, 0] * 4, age=150), pop), pop)
    assert strong.predicted_score > weak.predicted_score + 0.1


def test_gains_fade_toward_the_students_own_earlier_level():
    pop = population()
    early = answers("em", "mc", [0, 0, 1, 0] * 5, age=200)  # where this student started
    later = answers("em", "mc", [1] * 20, age=100, start=100)  # what they learned
    recent = estimate_student(early + [Response(r.domain, r.channel, r.item, r.score, 1.0) for r in later], pop)
    long_ago = estimate_student(early + later, pop)
    start_only = estimate_student(answers("em", "mc", [0, 0, 1, 0] * 5, age=1), pop)
    assert long_ago.domains["em"].mean < recent.domains["em"].mean
    assert abs(long_ago.domains["em"].mean - start_only.domains["em"].mean) < \
        abs(recent.domains["em"].mean - start_only.domains["em"].mean)


def test_no_evidence_is_honest_uncertainty_not_a_verdict():
    pop = population()
    prediction = cpc(estimate_student([], pop), pop)
    assert prediction.coverage == 0.0 and not prediction.enough_evidence
    assert 0.05 < prediction.pass_probability < 0.95
    assert prediction.upper - prediction.lower > 0.2


def test_the_posterior_update_is_a_proper_bayesian_step():
    mean, variance = posterior_update(0.0, 1.0, [[1.0, 0.0, 0.0, 10.0, 10.0]])  # ten right answers at b = 0
    assert mean > 0.8 and variance < 1.0
    same, unchanged = posterior_update(0.3, 0.5, [])
    assert (same, unchanged) == (0.3, 0.5)


def test_population_round_trips_through_json():
    pop = population(recalibration={"thin": (0.5, -0.2)}, score_recalibration={"enough": (-0.01, 1.2)})
    again = Population.from_dict(pop.to_dict())
    assert again.recalibration == {"thin": (0.5, -0.2)}
    assert again.score_recalibration == {"enough": (-0.01, 1.2)}
    assert again.items["exam:em:hard3"] == (1.5, 0.0)
    assert again.channels["flashcard"].used is False and again.forgetting_days == 30.0


def test_recalibration_applies_to_its_own_evidence_group_only():
    pop = population()
    thin_estimate = estimate_student(answers("em", "mc", [1] * 60), pop)
    raw = cpc(thin_estimate, pop)
    assert raw.evidence_group == "thin"
    few = predict_exam(estimate_student(answers("em", "mc", [1, 0] * 5) + answers("icd10cm", "mc", [1, 0] * 5), pop),
                       pop, {"em": 1, "icd10cm": 1}, question_count=20, pass_mark=0.7)
    assert few.enough_evidence and few.evidence_group == "thin"  # the whole exam covered, but 20 answers in all
    shifted = cpc(thin_estimate, population(recalibration={"thin": (1.0, -2.0)}))
    untouched = cpc(thin_estimate, population(recalibration={"enough": (1.0, -2.0)}))
    assert shifted.model_probability == pytest.approx(raw.model_probability)
    assert shifted.pass_probability < raw.pass_probability
    assert untouched.pass_probability == pytest.approx(raw.pass_probability)


@pytest.mark.parametrize(
    "probability, words",
    [
        (0.0, "very unlikely to pass yet (fewer than 1 in 20)"),
        (0.1, "unlikely to pass yet (about 1 in 10)"),
        (0.3, "unlikely to pass yet (about 3 in 10)"),
        (0.5, "about an even chance of passing (about 1 in 2)"),
        (0.8, "likely to pass (about 8 in 10)"),
        (1.0, "very likely to pass (more than 19 in 20)"),
    ],
)
def test_probabilities_are_said_in_words_never_as_zero_or_certain(probability, words):
    phrase = readiness_phrase(probability)
    assert phrase.text == words
    assert "0%" not in str(phrase) and "100%" not in str(phrase)


def test_not_enough_evidence_names_the_domains():
    assert not_enough_evidence(["E/M", "ICD-10-CM"]) == "Not enough evidence yet: practise E/M, ICD-10-CM"


def test_validation_metrics():
    assert brier([1.0, 0.0], [1, 0]) == 0.0 and brier([0.5, 0.5], [1, 0]) == 0.25
    assert auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]) == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]) == 0.0
    assert auc([0.5, 0.5], [1, 0]) == 0.5
    rng = random.Random(4)
    xs = [rng.uniform(-3, 3) for _ in range(3000)]
    ys = [int(rng.random() < 1 / (1 + math.exp(-(0.5 + 2 * x)))) for x in xs]
    intercept, slope = fit_logistic(xs, ys)
    assert intercept == pytest.approx(0.5, abs=0.2) and slope == pytest.approx(2.0, abs=0.3)
    assert platt([0.5] * 10, [1] * 5 + [0] * 5) is None  # too few outcomes to recalibrate


def test_baselines_are_fitted_on_the_other_fold():
    # Fold 0 passes with high averages, fold 1 with low ones: a baseline that saw its own fold would be perfect.
    outcomes = [Outcome(0.5, 0.7, 0.6, 0.8, passed=i % 4 < 2, score=0.7, average_score=0.9 if i % 4 < 2 else 0.1,
                        group=0) for i in range(40)]
    outcomes += [Outcome(0.5, 0.7, 0.6, 0.8, passed=i % 4 < 2, score=0.7, average_score=0.1 if i % 4 < 2 else 0.9,
                         group=1) for i in range(40)]
    predicted = baseline_logistic_average(outcomes)
    assert brier(predicted, [int(o.passed) for o in outcomes]) > 0.25


def test_report_rows_cover_every_segment_and_state_coverage():
    outcomes = [Outcome(0.8 if i % 2 else 0.2, 0.72, 0.6, 0.84, passed=bool(i % 2), score=0.7 + (i % 3) / 100,
                        average_score=0.7, segments={"evidence": "<50 answers" if i < 10 else "200+ answers"}, group=i)
                for i in range(30)]
    rows = report(outcomes)
    assert [(r.family, r.label) for r in rows][:3] == [("all", "all"), ("evidence", "200+ answers"),
                                                      ("evidence", "<50 answers")]
    assert rows[0].n == 30 and rows[0].coverage == 1.0 and rows[0].brier_model == pytest.approx(0.04)
    assert rows[0].inside_recalibrated == 30 and rows[0].coverage_p_value > 0.05  # 30 of 30 is within chance of 90%


def test_range_coverage_reading_tells_a_systematic_miss_from_chance():
    from certification.readiness.validation import binomial_p_value, clopper_pearson

    # Exact tail values of Binomial(10, 0.5) and the textbook Clopper-Pearson bounds.
    assert binomial_p_value(0, 10, 0.5) == pytest.approx(2 / 1024)
    assert binomial_p_value(5, 10, 0.5) == pytest.approx(1.0)
    assert binomial_p_value(2, 10, 0.5) == pytest.approx(2 * (1 + 10 + 45) / 1024)
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025 ** 0.1, abs=1e-9)
    assert clopper_pearson(10, 10)[0] == pytest.approx(0.025 ** 0.1, abs=1e-9)
    lower, upper = clopper_pearson(25, 33)
    assert lower < 25 / 33 < upper < 0.9  # 76% of 33 is a real miss: the interval excludes 90%
    assert binomial_p_value(25, 33, 0.9) < 0.05
    lower, upper = clopper_pearson(38, 45)
    assert lower < 0.9 < upper  # 84% of 45 is one learner short of 85%: chance
    assert binomial_p_value(38, 45, 0.9) > 0.1


def test_fitting_recovers_item_difficulty_and_the_channel_link_in_the_models_own_world():
    from certification.readiness.fitting import ItemInfo, fit_population
    from certification.readiness.simulate import _learners, _world

    process = PROCESSES["model"]
    rng = random.Random(11)
    weights = {d: CPC_WEIGHTS[d] for d in DOMAINS[:6]}
    world = _world(rng, sorted(weights), process)
    people = _learners(rng, world, weights, process, 80)
    items = {it.key: ItemInfo(ch, d, it.nominal, it.label if ch == "exam" else None)
             for d in weights for ch, pool in world[d].items() if ch != "form" for it in pool}
    histories = {p.index: [Response(d, ch, k, s, 100 - m, w) for m, d, ch, k, s, w in p.history if m < 100] for p in people}
    pop = fit_population(histories, items, pool_items={d: [it.key for it in world[d]["exam"]] for d in weights},
                         fit_dynamics=False)
    truth = {it.key: it.b for d in weights for ch in ("exam", "quiz") for it in world[d][ch]}
    pairs = [(truth[k], pop.items[k][0]) for k in truth]
    mx = sum(a for a, _ in pairs) / len(pairs)
    my = sum(b for _, b in pairs) / len(pairs)
    cov = sum((a - mx) * (b - my) for a, b in pairs)
    corr = cov / math.sqrt(sum((a - mx) ** 2 for a, _ in pairs) * sum((b - my) ** 2 for _, b in pairs))
    assert corr > 0.75
    assert 0.6 < pop.channels["quiz"].discrimination < 1.8  # the truth is 1
    assert pop.channels["quiz"].students_with_exam >= 20


def test_the_model_beats_both_baselines_in_its_own_world():
    result = run_process(PROCESSES["model"], weights=CPC_WEIGHTS, learners=50, seed=5)
    overall = report(result.outcomes)[0]
    assert overall.brier_model < overall.brier_base_rate
    assert overall.brier_model < overall.brier_logistic + 0.01
    assert 0.75 <= overall.coverage <= 1.0


def test_the_calibration_script_compares_every_process_with_both_baselines():
    result = subprocess.run(
        [sys.executable, "scripts/calibrate_readiness.py", "--learners", "30", "--processes", "model,strongest-only"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    out = result.stdout
    assert "logistic(avg)" in out and "base rate" in out
    assert "strongest-only" in out and "model" in out and "Coverage" in out


def test_quotas_sum_to_the_total():
    assert sum(quotas(CPC_WEIGHTS, 100).values()) == 100
    assert quotas({"a": 1, "b": 1, "c": 1}, 4) in ({"a": 2, "b": 1, "c": 1}, {"a": 1, "b": 2, "c": 1}, {"a": 1, "b": 1, "c": 2})


def test_item_analysis_from_running_sums():
    # Strong students (rest 0.9) get the item right, weak ones (rest 0.3) get it wrong: high discrimination.
    rows = [(1, 0.9)] * 12 + [(0, 0.3)] * 12
    sums = dict(
        n=len(rows), n_correct=sum(x for x, _ in rows), sum_rest=sum(r for _, r in rows),
        sum_rest_sq=sum(r * r for _, r in rows), sum_correct_rest=sum(x * r for x, r in rows),
    )
    analysis = item_analysis(**sums)
    assert analysis.p_value == pytest.approx(0.5)
    assert analysis.discrimination == pytest.approx(1.0)
    assert analysis.flag == ""
    easy = item_analysis(n=20, n_correct=19, sum_rest=10, sum_rest_sq=6, sum_correct_rest=9.5)
    assert easy.flag == "too easy"
    assert item_analysis(n=3, n_correct=1, sum_rest=1, sum_rest_sq=1, sum_correct_rest=0.5).flag == "few responses"
    assert item_analysis(n=0, n_correct=0, sum_rest=0, sum_rest_sq=0, sum_correct_rest=0).p_value is None


def test_the_model_has_no_django_dependency():
    code = "import sys; import certification.readiness, certification.readiness.simulate, certification.svg; " \
           "print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


# --- unpractised domains, channel gaps, the sitting, the kept state ----------------------------------------------

def strongest_three(pop, scores=(1, 1, 1, 0) * 10):
    return estimate_student([r for d in ("em", "icd10cm", "surgery-digestive") for r in answers(d, "mc", list(scores))],
                            pop)


def test_a_domain_the_student_avoided_is_judged_below_one_picked_at_random():
    trusting, sceptical = population(avoidance=0.0), population(avoidance=1.0)
    assert trusting.avoidance == 0.0
    at_random = strongest_three(trusting).ability("radiology", trusting, CPC_WEIGHTS)
    avoided = strongest_three(sceptical).ability("radiology", sceptical, CPC_WEIGHTS)
    assert avoided.mean < at_random.mean - 0.3
    assert cpc(strongest_three(sceptical), sceptical).predicted_score < \
        cpc(strongest_three(trusting), trusting).predicted_score - 0.02
    # A student who has practised nothing has chosen nothing: no shift.
    nothing = estimate_student([], sceptical)
    assert nothing.ability("radiology", sceptical, CPC_WEIGHTS).mean == pytest.approx(
        estimate_student([], trusting).ability("radiology", trusting, CPC_WEIGHTS).mean)


def test_not_knowing_whether_weak_domains_were_avoided_widens_the_range_for_every_avoided_domain_at_once():
    halfway, sceptical = population(avoidance=0.5), population(avoidance=1.0)
    unsure = cpc(strongest_three(halfway), halfway)
    sure = cpc(strongest_three(sceptical), sceptical)
    assert strongest_three(halfway).ability("radiology", halfway, CPC_WEIGHTS).avoided > 0
    assert (unsure.ability_upper - unsure.ability_lower) > (sure.ability_upper - sure.ability_lower) + 0.02


def test_avoidance_gap_follows_the_order_statistics_of_the_choice():
    from certification.readiness.ability import avoidance, top_mean

    assert top_mean(1, 2) == pytest.approx(0.56, abs=0.05)  # E[max of two standard normals] = 1/sqrt(pi)
    assert top_mean(3, 17) > top_mean(8, 17) > 0
    pop = population(avoidance=1.0)
    assert avoidance(pop, 0, 17) == (0.0, 0.0) and avoidance(pop, 17, 17) == (0.0, 0.0)
    shift, spread = avoidance(pop, 3, 17)
    assert shift > 0.5 and spread == 0.0  # all weight on one story: no spread between stories


def test_outcomes_choose_how_sceptical_to_be_and_keep_the_default_when_they_are_few():
    from certification.readiness.validation import avoidance_fit, with_avoidance

    def outcome(score: float, i: int) -> Outcome:
        # Under "picked at random" (0) the forecast is 0.75, under "avoided because weak" (1) it is 0.6.
        alternatives = tuple((k / 10, 0.5, 0.75 - 0.015 * k, 0.6, 0.9, 0.05) for k in range(11))
        return Outcome(0.5, 0.7, 0.55, 0.85, passed=score >= 0.7, score=score, average_score=0.6, group=i,
                       alternatives=alternatives)

    rng = random.Random(3)
    avoiders = [outcome(0.6 + rng.gauss(0, 0.05), i) for i in range(60)]
    random_pickers = [outcome(0.75 + rng.gauss(0, 0.05), i) for i in range(60)]
    assert avoidance_fit(avoiders) == pytest.approx(1.0)
    assert avoidance_fit(random_pickers) <= 0.2
    assert avoidance_fit(avoiders[:10]) is None
    assert with_avoidance(avoiders[0], 1.0).predicted_score == pytest.approx(0.6)
    assert with_avoidance(avoiders[0], None) is avoiders[0]


def test_a_channels_gap_to_exam_ability_widens_the_range_and_does_not_average_away():
    gapless = population()
    gapped = population(channels={**DEFAULT_LINKS, "quiz": ChannelLink(1.0, True, "quiz", 40, 0.4)})
    quiz_everywhere = [r for d in DOMAINS for r in answers(d, "mc", [1, 1, 0, 1] * 5, channel="quiz")]
    exam_everywhere = everywhere("mc", [1, 1, 0, 1] * 5)
    wide = cpc(estimate_student(quiz_everywhere, gapped), gapped)
    narrow = cpc(estimate_student(quiz_everywhere, gapless), gapless)
    assert estimate_student(quiz_everywhere, gapped).domains["em"].systematic == pytest.approx(0.4)
    # Shared by all domains: the exam range grows by about the gap carried through the pool's slope, not by
    # a seventeenth of it.
    assert (wide.ability_upper - wide.ability_lower) > 1.5 * (narrow.ability_upper - narrow.ability_lower)
    exam_only = cpc(estimate_student(exam_everywhere, gapped), gapped)
    assert exam_only.score_sd == pytest.approx(cpc(estimate_student(exam_everywhere, gapless), gapless).score_sd)


def test_a_sitting_of_questions_of_mixed_difficulty_varies_less_than_one_of_average_questions():
    from certification.readiness.exam import pool_expected, pool_item_variance

    spread_pool = pool_summary([(-2.0, 0.0), (0.0, 0.0), (2.0, 0.0)])
    expected, _ = pool_expected(spread_pool, 0.0, 0.0)
    assert pool_item_variance(spread_pool, 0.0, 0.0) < expected * (1 - expected) - 0.02
    flat_pool = pool_summary([(0.0, 0.0)])
    assert pool_item_variance(flat_pool, 0.0, 0.0) == pytest.approx(0.25)


def test_a_range_correction_from_few_outcomes_is_shrunk_toward_no_change():
    from certification.readiness.validation import score_recalibration_by_group

    # Twenty outcomes, each two sds above its forecast.
    outcomes = [Outcome(0.5, 0.7, 0.6, 0.8, passed=True, score=0.8 + (0.02 if i % 2 else -0.02), average_score=0.7,
                        group=i, score_sd=0.05) for i in range(20)]
    offset, factor = score_recalibration_by_group(outcomes)["enough"]
    assert 0.0 < offset < 0.1  # the raw mean residual is 0.1
    few = score_recalibration_by_group(outcomes[:20], prior=0)["enough"]
    assert few[0] == pytest.approx(0.1)
    assert factor >= 1.0


def _residual_outcome(i: int, *, residual: float, easy: str, group: str = "enough") -> Outcome:
    """A forecast of 0.70 with sd 0.05 and a score ``residual`` above it (alternating ±0.01 around it)."""
    return Outcome(0.5, 0.70, 0.62, 0.78, passed=True, score=0.70 + residual + (0.01 if i % 2 else -0.01),
                   average_score=0.7, group=i, score_sd=0.05, evidence_group=group,
                   segments={"evidence": "50-199 answers", "easy items": easy, "domain coverage": "90%+ of exam",
                             "since practice": "<7 days"})


def test_a_segment_that_differs_from_its_group_gets_its_own_range_correction():
    from certification.readiness.validation import score_correction, score_recalibration_by_group

    # 200 forecasts on the mark; 100 learners who answer mostly easy items score 5 points above theirs.
    outcomes = [_residual_outcome(i, residual=0.0, easy="<25% easy") for i in range(200)]
    outcomes += [_residual_outcome(i, residual=0.05, easy="50%+ easy") for i in range(200, 300)]
    table = score_recalibration_by_group(outcomes)
    easy_offset, _ = score_correction(table, "enough", outcomes[-1].segments)
    other_offset, _ = score_correction(table, "enough", outcomes[0].segments)
    assert 0.025 < easy_offset <= 0.05  # shrunk toward the group, but most of the way there
    assert abs(other_offset) < 0.01
    assert "easy items: 50%+ easy" in table
    # A forecast in no fitted segment and no fitted group gets no correction.
    assert score_correction(table, "thin", {"easy items": "never seen"}) is None


def test_a_small_segment_cannot_pull_its_range_far_from_its_group():
    from certification.readiness.validation import score_correction, score_recalibration_by_group

    outcomes = [_residual_outcome(i, residual=0.0, easy="<25% easy") for i in range(200)]
    few = [_residual_outcome(i, residual=-0.08, easy="50%+ easy") for i in range(200, 212)]
    table = score_recalibration_by_group(outcomes + few)
    assert "easy items: 50%+ easy" not in table  # 12 outcomes: below the minimum, the group's correction stands
    some = [_residual_outcome(i, residual=-0.08, easy="50%+ easy") for i in range(200, 225)]
    table = score_recalibration_by_group(outcomes + some)
    offset, _ = score_correction(table, "enough", some[0].segments)
    assert -0.03 < offset < 0  # 25 outcomes 8 points low, against 120 pseudo-outcomes at the group's correction


def test_a_fitted_range_correction_widens_for_its_own_uncertainty():
    from certification.readiness.validation import score_recalibration_by_group

    # Residuals of exactly one sd: a plug-in width factor would be 1; the prediction interval is wider.
    outcomes = [Outcome(0.5, 0.7, 0.6, 0.8, passed=True, score=0.7 + (0.05 if i % 2 else -0.05),
                        average_score=0.7, group=i, score_sd=0.05) for i in range(40)]
    _, factor = score_recalibration_by_group(outcomes)["enough"]
    assert 1.0 < factor < 1.05


def test_the_forecast_applies_the_range_correction_of_its_segments():
    pop = population()
    easy_student = estimate_student(everywhere("easy", [1, 1, 1, 0] * 4), pop)
    level_student = estimate_student(everywhere("mc", [1, 1, 1, 0] * 4), pop)
    assert easy_student.easy_share == 1.0 and level_student.easy_share == 0.0
    corrected = population(score_recalibration={"enough": (0.01, 1.0), "easy items: 50%+ easy": (0.03, 1.5)})
    assert Population.from_dict(corrected.to_dict()).score_recalibration == corrected.score_recalibration
    for student, offset, factor in ((easy_student, 0.04, 1.5), (level_student, 0.01, 1.0)):
        raw = cpc(student, pop)
        shown = cpc(student, corrected)
        assert shown.predicted_score == pytest.approx(raw.predicted_score + offset)
        assert shown.score_sd == pytest.approx(raw.score_sd * factor)


def test_recalibration_learns_what_the_average_score_adds_to_the_forecast():
    from certification.readiness.validation import platt_by_group, recalibrate

    # The forecast says 50% for everyone; in truth students with a higher average score pass more often.
    rng = random.Random(11)
    outcomes = []
    for i in range(400):
        average = rng.uniform(0.4, 0.9)
        passed = rng.random() < 1 / (1 + math.exp(-8 * (average - 0.65)))
        outcomes.append(Outcome(0.5, 0.7, 0.6, 0.8, passed=passed, score=0.7, average_score=average, group=i))
    slope, intercept, average_slope = platt_by_group(outcomes)["enough"]
    assert average_slope > 0.5
    assert recalibrate(0.5, (slope, intercept, average_slope), 0.85) > 0.7
    assert recalibrate(0.5, (slope, intercept, average_slope), 0.45) < 0.3
    assert recalibrate(0.5, (slope, intercept, average_slope), None) == 0.5  # no answers: nothing to go on
    assert recalibrate(0.5, (1.0, 0.0)) == pytest.approx(0.5)  # a fit stored before the third part still applies


def test_the_forecast_recalibrates_with_the_students_average_score():
    pop = population()
    history = everywhere("mc", [1, 1, 1, 0] * 4)
    estimate = estimate_student(history, pop)
    assert estimate.average_score == pytest.approx(0.75)
    leaning = population(recalibration={"enough": (1.0, 0.0, 1.0)})
    assert Population.from_dict(leaning.to_dict()).recalibration == {"enough": (1.0, 0.0, 1.0)}
    raw = cpc(estimate, pop)
    shown = cpc(estimate, leaning)
    expected = 1 / (1 + math.exp(-(math.log(raw.model_probability / (1 - raw.model_probability)) + math.log(3))))
    assert shown.pass_probability == pytest.approx(expected)


def test_a_refresh_from_the_kept_state_equals_one_from_every_answer():
    from certification.readiness.ability import OutOfOrder, absorb, estimate_from_state, student_state

    pop = population()
    rng = random.Random(9)
    history = []
    for day in range(60):
        domain = rng.choice(DOMAINS)
        for k in range(6):
            history.append(Response(domain, rng.choice(("exam", "quiz")), f"exam:{domain}:mc{rng.randrange(20)}",
                                    float(rng.random() < 0.7), 80.0 - day - k / 100))
    at = 1000.0
    whole = estimate_from_state(absorb(student_state(pop), history, pop, at=at), pop, at=at)
    older = [r for r in history if r.age_days > 30]
    newer = [r for r in history if r.age_days <= 30]
    state = absorb(student_state(pop), older, pop, at=at)
    absorb(state, newer[:10], pop, at=at)
    absorb(state, newer[10:], pop, at=at)
    step = estimate_from_state(state, pop, at=at)
    assert step.level == pytest.approx(whole.level)
    assert step.average_score == pytest.approx(whole.average_score)
    assert whole.average_score == pytest.approx(sum(r.score for r in history) / len(history))
    for domain, ability in whole.domains.items():
        assert step.domains[domain].mean == pytest.approx(ability.mean)
        assert step.domains[domain].variance == pytest.approx(ability.variance)
        assert step.domains[domain].responses == ability.responses
        assert step.domains[domain].rehearsals == ability.rehearsals
    # An answer older than the newest one absorbed cannot be folded in: the state must be rebuilt.
    with pytest.raises(OutOfOrder):
        absorb(state, [Response("em", "exam", "exam:em:hard1", 1.0, 70.0)], pop, at=at)
    # A state belongs to one population.
    with pytest.raises(ValueError):
        absorb(state, [], population(), at=at)


def test_population_round_trips_the_sceptical_prior_and_channel_gaps():
    pop = population(avoidance=0.3, channels={**DEFAULT_LINKS, "quiz": ChannelLink(0.9, True, "q", 25, 0.12)})
    again = Population.from_dict(pop.to_dict())
    assert again.avoidance == 0.3 and again.channels["quiz"].gap_sd == pytest.approx(0.12)
    legacy = pop.to_dict()
    legacy["channels"] = {k: v[:4] for k, v in legacy["channels"].items()}
    del legacy["avoidance"]
    old = Population.from_dict(legacy)
    assert old.channels["quiz"].gap_sd == 0.0 and old.avoidance == Population().avoidance


def test_the_time_fit_scores_each_drift_and_fading_exactly_as_a_full_estimate_would():
    from certification.readiness.ability import predictive_from_trace, session_trace

    pop = population()
    rng = random.Random(11)
    history = []
    for day in range(40):
        domain = rng.choice(DOMAINS[:4])
        for k in range(5):
            kind = rng.choice(("mc", "easy", "hard"))
            history.append(Response(domain, rng.choice(("exam", "quiz")), f"exam:{domain}:{kind}{rng.randrange(20)}",
                                    float(rng.random() < 0.6), 200.0 - 3 * day - k / 100))
    trace = session_trace(history, pop)
    for q, horizon in ((0.0005, None), (0.015, None), (0.006, 20.0), (0.04, 180.0)):
        candidate = population(drift_per_day=q, forgetting_days=horizon)
        expected = estimate_student(history, candidate, score=True).predictive
        assert expected[1] > 0
        assert predictive_from_trace(trace, candidate) == expected


def test_evidence_from_easy_items_only_widens_the_range_in_every_domain_at_once():
    pop = population()
    easy = cpc(estimate_student(everywhere("easy", [1, 1, 1, 0] * 5), pop), pop)
    level = cpc(estimate_student(everywhere("mc", [1, 1, 1, 0] * 5), pop), pop)
    estimate = estimate_student(everywhere("easy", [1, 1, 1, 0] * 5), pop)
    # Carrying ability from items 1.5 logits easier than the pool is one uncertain step for every domain:
    # the range grows by about that step through the pool's slope, not by a seventeenth of it.
    assert estimate.domains["em"].extrapolated < 0
    assert (easy.ability_upper - easy.ability_lower) > 1.5 * (level.ability_upper - level.ability_lower)


def test_how_ability_carries_between_item_difficulties_is_estimated_from_students_who_answered_both():
    from certification.readiness.fitting import EXTRAPOLATION_BOUNDS, _extrapolation_sd

    rng = random.Random(4)
    b = [-1.5] * 20 + [1.5] * 20
    guess = [0.0] * 40
    channel_of = ["exam"] * 40

    def students(easy_slope: float):
        by_sd, theta = [], []
        for _ in range(150):
            t = rng.gauss(0.0, 1.0)
            group = []
            for i in range(40):
                a = easy_slope if b[i] < 0 else 1.0
                group.append((i, 1.0, float(rng.random() < 1 / (1 + math.exp(-a * (t - b[i]))))))
            by_sd.append(group)
            theta.append(t)
        return by_sd, theta

    consistent, used = _extrapolation_sd(*students(1.0), b, guess, channel_of)
    assert used >= 100
    assert consistent < 0.2
    # Easy items that barely tell students apart: ability measured on them misses ability on hard ones.
    flat, _ = _extrapolation_sd(*students(0.3), b, guess, channel_of)
    assert flat > consistent + 0.1
    assert EXTRAPOLATION_BOUNDS[0] <= consistent and flat <= EXTRAPOLATION_BOUNDS[1]


def test_the_spread_of_students_is_not_narrowed_by_students_at_the_top_of_easy_items():
    from certification.readiness.fitting import ItemInfo, fit_population

    # Students spread with sd 1 who answer only easy items (2 logits below the exam's): the strongest answer
    # nearly all of them right, so their answers carry little information. Leaving such students out of the
    # prior strengths would narrow the fitted spread and pull exactly them toward the middle.
    rng = random.Random(8)
    domains = DOMAINS[:4]
    items = {f"exam:{d}:{k}": ItemInfo("exam", d, 0.0, 1 if k < 15 else 3) for d in domains for k in range(30)}
    histories = {}
    for s in range(150):
        level = rng.gauss(0.0, 1.0)
        history = []
        for d in domains:
            theta = level + rng.gauss(0.0, 0.3)
            for k in range(15):
                right = rng.random() < 1 / (1 + math.exp(-(theta + 2.0)))
                history.append(Response(d, "exam", f"exam:{d}:{k}", float(right), 10.0))
        histories[s] = history
    pool = {d: [f"exam:{d}:{k}" for k in range(30)] for d in domains}
    fitted = fit_population(histories, items, pool_items=pool, fit_dynamics=False)
    assert fitted.student_sd > 0.8


def test_an_unpractised_domain_carries_the_extrapolation_of_where_the_level_was_measured():
    pop = population()
    practised = DOMAINS[:8]
    easy = estimate_student([r for d in practised for r in answers(d, "easy", [1, 1, 1, 0] * 5)], pop)
    level = estimate_student([r for d in practised for r in answers(d, "mc", [1, 1, 1, 0] * 5)], pop)
    unpractised = DOMAINS[-1]
    # Easy items sit 1.5 logits below the pool: the level borrowed from them is carried to the exam's items.
    assert easy.evidence_distance == pytest.approx(-1.5)
    assert level.evidence_distance == pytest.approx(0.0)
    carried = easy.ability(unpractised, pop)
    assert carried.extrapolated == pytest.approx(pop.extrapolation_sd * -1.5)
    plain = level.ability(unpractised, pop)
    assert plain.extrapolated == 0.0
    assert carried.variance - plain.variance == pytest.approx(carried.extrapolated**2, rel=0.5)
    # And it is shared: the exam's range grows by the whole step, across the unpractised domains at once.
    assert cpc(easy, pop).score_sd > cpc(level, pop).score_sd
    assert cpc(easy, pop).extrapolation < 0

"""The readiness page and the home dashboard: one summary card while evidence is thin, a legend for the mastery bars'
colours, a trend chart with labelled dates and outlined bands, and a home summary that links to the report instead of
repeating it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import MasteryEvidence, Readiness, ReadinessSnapshot
from certification.services.blueprints import blueprints_ensure_builtin
from certification.services.rollups import rollups_refresh
from certification.svg import TrendPoint, date_ticks, trend_chart

pytestmark = pytest.mark.django_db
READINESS = "/exams/readiness/"


@pytest.fixture
def builtins(db):
    return {b.slug: b for b in blueprints_ensure_builtin()}


def evidence(student, domains, per_domain=3):
    now = timezone.now()
    MasteryEvidence.objects.bulk_create(
        MasteryEvidence(student=student, domain=domain, source="quiz", source_id=f"{domain}-{i}",
                        score=float(i % 3 != 0), occurred_at=now - datetime.timedelta(hours=i))
        for domain in domains for i in range(per_domain)
    )
    rollups_refresh(student_id=student.pk)


def test_thin_evidence_shows_one_summary_card_not_one_identical_card_per_credential(student, student_client, builtins):
    evidence(student, ["em", "icd10cm"])
    readiness = Readiness.objects.filter(student=student)
    assert readiness.count() == 3 and not readiness.filter(enough_evidence=True).exists()
    page = student_client.get(READINESS).content.decode()
    assert page.count('data-testid="readiness-summary"') == 1
    assert 'class="card readiness-card"' not in page
    summary = page[page.index('data-testid="readiness-summary"'):page.index("</article>", page.index("readiness-summary"))]
    for slug in ("cpc", "ccs", "cca"):
        assert f'data-testid="thin-{slug}"' in summary
    assert "Not enough evidence yet: practise" in summary
    assert summary.count("Not enough evidence yet for a prediction") == 1


def test_a_credential_with_a_prediction_keeps_its_card_and_the_thin_ones_share_the_summary(
        student, student_client, builtins):
    evidence(student, ["em"])
    cpc = Readiness.objects.get(student=student, blueprint=builtins["cpc"])
    cpc.enough_evidence = True
    cpc.save()
    page = student_client.get(READINESS).content.decode()
    assert page.count('class="card readiness-card"') == 1 and 'data-testid="predicted-cpc"' in page
    assert 'data-testid="thin-cpc"' not in page and 'data-testid="thin-ccs"' in page
    assert "Not enough evidence yet for the other credentials" in page


def test_the_mastery_bars_have_a_legend_for_their_colours(student, student_client, builtins):
    evidence(student, ["em", "icd10cm"])
    page = student_client.get(READINESS + "?credential=cpc").content.decode()
    legend = page[page.index('data-testid="mastery-legend"'):]
    legend = legend[:legend.index("</ul>")]
    for swatch in ("strong", "mid", "weak"):
        assert f"legend-swatch--{swatch}" in legend
    assert "Green</strong>: above the pass mark (70%) even at the low end" in legend
    assert "Red</strong>: below the pass mark (70%)" in legend
    assert "Grey</strong>: not practised yet" in legend


def test_a_domain_not_practised_yet_is_grey_not_judged_red(student, student_client, builtins):
    evidence(student, ["em"])
    page = student_client.get(READINESS + "?credential=cpc").content.decode()
    chart = page[page.index("Mastery by domain for"):]
    chart = chart[:chart.index("</svg>")]
    bars = re.findall(r'<rect class="chart-bar([^"]*)"', chart)
    assert len(bars) > 5 and bars.count(" chart-bar--unpractised") == len(bars) - 1  # every domain but E/M
    em_bar = re.findall(r'<title>Evaluation[^<]*</title>[^<]*</text><rect class="chart-bar([^"]*)"', chart)
    assert len(em_bar) == 1 and em_bar[0] != " chart-bar--unpractised"


def test_date_ticks_are_even_distinct_and_include_both_ends():
    first = datetime.date(2026, 9, 1)
    assert date_ticks(first, first) == [first]
    assert date_ticks(first, first + datetime.timedelta(days=2)) == [first + datetime.timedelta(days=i) for i in range(3)]
    ticks = date_ticks(first, first + datetime.timedelta(days=100))
    assert len(ticks) == 6 and ticks[0] == first and ticks[-1] == first + datetime.timedelta(days=100)


def test_the_trend_chart_labels_dates_between_the_ends_and_draws_a_single_day_as_a_range():
    start = datetime.date(2026, 9, 1)
    points = [TrendPoint(start + datetime.timedelta(days=d), 0.5, 0.4, 0.6) for d in (0, 10, 25, 50)]
    svg = trend_chart({"CPC": points}, title="t", desc="d", threshold=0.7)
    assert svg.count('class="chart-axis chart-date"') == 6
    assert ">Sep 1<" in svg and ">Oct 21<" in svg and ">Sep 11<" in svg
    assert "pass 70%" in svg and "<title>CPC: 90% range</title>" in svg
    single = trend_chart({"CPC": [points[0]], "CCS": [points[0]]}, title="t", desc="d")
    assert single.count('<rect class="chart-band') == 2 and "<title>CPC: 40%\u201360%</title>" in single


def test_the_trend_section_explains_the_bands(student, student_client, builtins):
    evidence(student, ["em", "icd10cm"])
    today = timezone.now().date()
    for days in (20, 10):
        for blueprint in builtins.values():
            ReadinessSnapshot.objects.update_or_create(
                student=student, blueprint=blueprint, day=today - datetime.timedelta(days=days),
                defaults={"predicted_score": 0.5, "lower": 0.4, "upper": 0.6, "pass_probability": 0.2})
    page = student_client.get(READINESS).content.decode()
    legend = page[page.index('data-testid="trend-legend"'):]
    assert "Shaded band: where a sitting would land 9 times out of 10" in legend[:legend.index("</figcaption>")]
    assert page.count('class="chart-axis chart-date"') >= 3


def test_home_shows_a_short_summary_and_links_to_the_report_which_carries_the_detail(student, student_client, builtins):
    evidence(student, ["em", "icd10cm"])
    home = student_client.get("/").content.decode()
    assert 'data-testid="readiness-brief"' in home
    assert f'href="{reverse("certification:my_dashboard")}" data-testid="readiness-link"' in home
    for detail in ("Mastery by domain", "Study next", 'id="trend-heading"', 'id="pace-heading"', "<svg"):
        assert detail not in home
    assert "Not enough evidence yet" in home and "practise" in home
    report = student_client.get(READINESS).content.decode()
    for detail in ("Mastery by domain", "Study next", 'id="trend-heading"', 'id="pace-heading"'):
        assert detail in report
    assert 'data-testid="readiness-brief"' not in report


def test_home_for_a_new_student_invites_a_first_answer(student_client, builtins):
    home = student_client.get("/").content.decode()
    assert "No evidence yet" in home and 'data-testid="readiness-link"' in home

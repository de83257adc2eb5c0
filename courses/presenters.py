"""View models for templates: what a student may see of a question, before and after answering."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .choice_order import choice_id, order_checked
from .grading import GradeResult, dotted
from .markdown import render_inline, render_markdown
from .models import Question, QuizAnswer


@dataclass
class ChoiceView:
    """One option as shown: ``id`` is what the form posts; the written position never reaches the page."""

    id: str
    html: str
    picked: bool = False
    correct: bool = False


@dataclass
class QuestionView:
    """Everything the question partial needs. ``feedback`` is None until the student has answered."""

    question: Question
    number: int
    prompt_html: str
    choices: list[ChoiceView] = field(default_factory=list)
    parts: list[tuple[int, str]] = field(default_factory=list)
    answered: bool = False
    is_correct: bool = False
    score: float = 0.0
    response_text: str = ""
    expected_text: str = ""
    explanation_html: str = ""
    message: str = ""
    error: str = ""
    typed_code: str = ""

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def verdict(self) -> str:
        if not self.answered:
            return ""
        if self.is_correct:
            return "correct"
        return "partial" if self.score > 0 else "wrong"


def shuffled_parts(question: Question) -> list[tuple[int, str]]:
    """Word parts in a stable, question-specific order, so the answer is not simply the first parts listed."""
    order = list(enumerate(question.parts))
    random.Random(question.pk * 7919 + 17).shuffle(order)
    return order


def question_view(
    question: Question, *, number: int, order: list[int] | None = None, answer: QuizAnswer | None = None,
    result: GradeResult | None = None, error: str = "", typed_code: str = "",
) -> QuestionView:
    """``order``: indices into ``question.choices`` in the order this student is (or was) shown them."""
    view = QuestionView(question=question, number=number, prompt_html=render_inline(question.prompt), error=error,
                        typed_code=typed_code)
    order = order_checked(order, len(question.choices))
    picked: set[int] = set()
    if answer is not None and question.kind in ("single", "multiple"):
        picked = {int(i) for i in answer.response}
    key = {int(i) for i in question.answer} if answer is not None and question.kind in ("single", "multiple") else set()
    view.choices = [
        ChoiceView(id=choice_id(question.choices[i]), html=render_inline(question.choices[i]), picked=i in picked,
                   correct=i in key)
        for i in order
    ]
    if question.kind == "term_build":
        view.parts = shuffled_parts(question)
    if answer is None:
        return view
    # Only after an answer: the key and the explanation.
    view.answered = True
    view.is_correct = answer.is_correct
    view.score = answer.score
    view.explanation_html = render_markdown(question.explanation)
    view.message = result.message if result else ""
    if question.kind in ("single", "multiple"):
        view.response_text = "; ".join(question.choices[i] for i in order if i in picked)
        view.expected_text = "; ".join(question.choices[i] for i in order if i in key)
    elif question.kind == "code":
        view.response_text = ", ".join(answer.response)
        view.expected_text = " or ".join(dotted(a, question.system) for a in question.answer)
    else:
        view.response_text = " + ".join(answer.response)
        view.expected_text = " + ".join(question.answer) + (f" = {question.term}" if question.term else "")
    return view

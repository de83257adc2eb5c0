"""REST endpoints for courses: one small APIView per operation, explicit input and output serializers."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import card_for_reader_or_404, lesson_for_reader_or_404, question_for_reader_or_404
from .choice_order import choice_id
from .grading import InvalidResponse, dotted
from .markdown import render_inline, render_markdown
from .models import Program
from .presenters import shuffled_parts
from .selectors import program_progress
from .services.cohorts import cohort_join
from .services.flashcards import card_review, review_queue
from .services.quiz import quiz_answer_submit, quiz_attempt_open, quiz_choice_order


class ProgramListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesProgramListOutput"

        slug = serializers.CharField(source="program.slug")
        title = serializers.CharField(source="program.title")
        credential_focus = serializers.CharField(source="program.credential_focus")
        lesson_count = serializers.IntegerField()
        completed_lessons = serializers.IntegerField(source="completed")
        percent = serializers.IntegerField()
        certificate_issued = serializers.SerializerMethodField()

        def get_certificate_issued(self, obj) -> bool:
            return obj.certificate is not None

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        progress = program_progress(student=request.user, programs=Program.objects.order_by("title"))
        return Response(self.OutputSerializer(progress, many=True).data)


class LessonDetailApi(APIView):
    """A lesson as a student sees it: rendered text and the questions without their keys."""

    class ChoiceSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesLessonDetailChoice"

        id = serializers.CharField(help_text="Stable option id: send it back in an answer's 'response'.")
        html = serializers.CharField()

    class QuestionSerializer(serializers.Serializer):
        """Options come in the order this student is shown them (drawn per attempt and stored)."""

        class Meta:
            ref_name = "CoursesLessonDetailQuestion"

        id = serializers.IntegerField(source="pk")
        kind = serializers.CharField()
        prompt_html = serializers.SerializerMethodField()
        choices = serializers.SerializerMethodField()
        choices_html = serializers.SerializerMethodField()
        parts = serializers.SerializerMethodField()
        system = serializers.CharField()

        def _shown(self, q) -> list[str]:
            return [q.choices[i] for i in self.context["orders"].get(q.pk, [])]

        def get_prompt_html(self, q) -> str:
            return render_inline(q.prompt)

        @extend_schema_field(serializers.ListField(child=serializers.DictField()))
        def get_choices(self, q) -> list[dict]:
            return [{"id": choice_id(text), "html": render_inline(text)} for text in self._shown(q)]

        def get_choices_html(self, q) -> list[str]:
            """The same options as ``choices``, same order (kept for clients that answer by position)."""
            return [render_inline(text) for text in self._shown(q)]

        def get_parts(self, q) -> list[str]:
            return [part for _, part in shuffled_parts(q)] if q.kind == "term_build" else []

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesLessonDetailOutput"

        id = serializers.IntegerField(source="pk")
        title = serializers.CharField()
        minutes = serializers.IntegerField()
        module = serializers.CharField(source="module.title")
        body_html = serializers.SerializerMethodField()
        questions = serializers.SerializerMethodField()

        def get_body_html(self, lesson) -> str:
            return render_markdown(lesson.body)

        @extend_schema_field(serializers.ListField(child=serializers.DictField()))
        def get_questions(self, lesson) -> list[dict]:
            return LessonDetailApi.QuestionSerializer(self.context["questions"], many=True, context=self.context).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request, lesson_id: int):
        lesson = lesson_for_reader_or_404(user=request.user, lesson_id=lesson_id)
        questions = list(lesson.questions.all())
        attempt = None
        if request.user.is_student and questions:
            attempt = quiz_attempt_open(student=request.user, lesson=lesson)  # fixes the order options are shown in
        orders = {q.pk: quiz_choice_order(attempt=attempt, question=q, viewer_id=request.user.pk) for q in questions}
        return Response(self.OutputSerializer(lesson, context={"questions": questions, "orders": orders}).data)


class QuestionAnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesQuestionAnswerInput"

        response = serializers.ListField(
            child=serializers.CharField(max_length=120, allow_blank=True), max_length=30,
            help_text="Single/multiple: option ids from the lesson's 'choices' (a 0-based place in the order "
            "shown is also accepted). Code entry: one code. Build the term: the word parts in order.",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesQuestionAnswerOutput"

        answer_id = serializers.IntegerField()
        is_correct = serializers.BooleanField()
        score = serializers.FloatField()
        expected = serializers.ListField(
            help_text="Single/multiple: 0-based places of the right options in the order shown."
        )
        expected_choice_ids = serializers.ListField(child=serializers.CharField())
        explanation_html = serializers.CharField()
        message = serializers.CharField(allow_blank=True)
        attempt_finished = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, question_id: int):
        question = question_for_reader_or_404(user=request.user, question_id=question_id)
        if not request.user.is_student:
            raise PermissionDenied("Only students answer quizzes.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = data.validated_data["response"]
        try:
            outcome = quiz_answer_submit(student=request.user, question=question, response=response)
        except InvalidResponse as exc:
            raise ValidationError({"response": [str(exc)]}) from None
        expected = outcome.result.expected
        expected_ids: list[str] = []
        if question.kind in ("single", "multiple"):
            order = quiz_choice_order(attempt=outcome.answer.attempt, question=question)
            key = {int(i) for i in question.answer}
            expected = [place for place, index in enumerate(order) if index in key]
            expected_ids = [choice_id(question.choices[index]) for index in order if index in key]
        elif question.kind == "code":
            expected = [dotted(c, question.system) for c in question.answer]
        payload = {
            "answer_id": outcome.answer.pk, "is_correct": outcome.answer.is_correct, "score": outcome.answer.score,
            "expected": expected, "expected_choice_ids": expected_ids,
            "explanation_html": render_markdown(question.explanation),
            "message": outcome.result.message, "attempt_finished": outcome.attempt_finished,
        }
        return Response(self.OutputSerializer(payload).data, status=status.HTTP_201_CREATED)


class ReviewQueueApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesReviewQueueOutput"

        deck = serializers.CharField(source="deck.slug")
        title = serializers.CharField(source="deck.title")
        total = serializers.IntegerField()
        due = serializers.IntegerField()
        new_available = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return Response(self.OutputSerializer(review_queue(student=request.user), many=True).data)


class CardReviewApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesCardReviewInput"

        rating = serializers.IntegerField(min_value=1, max_value=4)
        duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000, required=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesCardReviewOutput"

        card = serializers.IntegerField(source="card_id")
        state = serializers.IntegerField()
        due = serializers.DateTimeField()
        stability = serializers.FloatField(allow_null=True)
        difficulty = serializers.FloatField(allow_null=True)
        reps = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, card_id: int):
        card = card_for_reader_or_404(user=request.user, card_id=card_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            state = card_review(student=request.user, card=card, rating=data.validated_data["rating"],
                                duration_ms=data.validated_data.get("duration_ms"))
        except ValueError as exc:
            raise ValidationError({"rating": [str(exc)]}) from None
        return Response(self.OutputSerializer(state).data, status=status.HTTP_201_CREATED)


class CohortJoinApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesCohortJoinInput"

        code = serializers.CharField(max_length=16)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CoursesCohortJoinOutput"

        id = serializers.IntegerField(source="pk")
        name = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cohort = cohort_join(student=request.user, code=data.validated_data["code"])
        except DjangoValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None
        return Response(self.OutputSerializer(cohort).data, status=status.HTTP_200_OK)

"""Forms: shapes and field-level checks only; services apply the rules."""

from __future__ import annotations

from django import forms

from certification.domains import EXAM_DOMAINS

from .content_loader import QUESTION_KINDS, SLUG_RE, parse_question
from .content_schema import CHOICE_KINDS, MAX_CHOICES
from .grading import dotted
from .models import Cohort, Deck, Flashcard, Lesson, Module, Program, Question
from .package_format import MAX_PACKAGE_BYTES
from .roster import MAX_ROSTER_BYTES


def _check_slug(value: str) -> str:
    if not SLUG_RE.match(value or ""):
        raise forms.ValidationError("Use lowercase letters, digits and hyphens (e.g. icd10cm-basics).")
    return value


class JoinCohortForm(forms.Form):
    code = forms.CharField(label="Invite code", max_length=16, help_text="Your instructor gives you this code.")


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "program", "starts_on", "ends_on"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}), "ends_on": forms.DateInput(attrs={"type": "date"})}
        labels = {"program": "Program the cohort follows"}

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date is before the start date.")
        return data


class RosterForm(forms.Form):
    roster = forms.FileField(label="Roster CSV file", help_text="Columns: username, email, display_name.")

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        if upload.size > MAX_ROSTER_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_ROSTER_BYTES // 1024} KB.")
        return upload


class DueDateForm(forms.Form):
    target = forms.ChoiceField(label="Module or lesson")
    due_on = forms.DateField(label="Due on", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text="Leave empty to clear the due date.")

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for module in program.modules.prefetch_related("lessons").order_by("position"):
            choices.append((f"module:{module.pk}", f"Module: {module.title}"))
            for lesson in module.lessons.all():
                choices.append((f"lesson:{lesson.pk}", f"  Lesson: {lesson.title}"))
        self.fields["target"].choices = choices


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["slug", "title", "summary", "credential_focus"]

    def clean_slug(self):
        return _check_slug(self.cleaned_data["slug"])


class ModuleForm(forms.ModelForm):
    domains = forms.MultipleChoiceField(choices=EXAM_DOMAINS, widget=forms.CheckboxSelectMultiple, label="Exam domains")

    class Meta:
        model = Module
        fields = ["slug", "title", "summary", "domains", "ceu_hours", "position", "prerequisites", "is_required"]
        widgets = {"prerequisites": forms.CheckboxSelectMultiple}
        labels = {"position": "Suggested order", "ceu_hours": "CEU hours", "is_required": "Required for the certificate"}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        others = program.modules.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = others
        self.fields["prerequisites"].required = False

    def clean_slug(self):
        slug = _check_slug(self.cleaned_data["slug"])
        clash = Module.objects.filter(program=self.program, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another module of this program uses that slug.")
        return slug


class LessonForm(forms.ModelForm):
    exercises_text = forms.CharField(
        label="Chart cases to practise", required=False, help_text="Case slugs, one per line.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Lesson
        fields = ["slug", "title", "position", "body"]  # the reading time is computed from the text
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "mono"})}
        labels = {"body": "Lesson text (Markdown)", "position": "Order in module"}

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        if self.instance.pk:
            self.fields["exercises_text"].initial = "\n".join(self.instance.exercises)

    def clean_slug(self):
        slug = _check_slug(self.cleaned_data["slug"])
        if Lesson.objects.filter(module=self.module, slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another lesson of this module uses that slug.")
        return slug

    def clean_exercises_text(self):
        slugs = [s.strip() for s in self.cleaned_data["exercises_text"].splitlines() if s.strip()]
        for slug in slugs:
            _check_slug(slug)
        return slugs


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class QuestionForm(forms.Form):
    """One form for every kind; the content validator (shared with YAML and packages) checks the result.

    Single / multiple: one text box per option, each with its own "correct" checkbox. The right
    options are marked on themselves; their place in the list means nothing (students see the
    options shuffled). Code entry: one box per accepted code (the editor gives them the code
    typeahead). ``FIELD_KINDS`` says which fields belong to which kind; the editor shows only those.
    """

    FIELD_KINDS = {
        "parts": ("term_build",), "term": ("term_build",), "answer": ("term_build",), "system": ("code",),
        "options": ("single", "multiple"), "accepted": ("code",),
    }
    CODE_SLOTS = 4

    kind = forms.ChoiceField(choices=[(k, k.replace("_", " ").capitalize()) for k in QUESTION_KINDS])
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    parts = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Build the term: word parts offered, one per line (include distractors).")
    system = forms.ChoiceField(required=False, choices=[("", "—"), ("icd10cm", "ICD-10-CM"), ("icd10pcs", "ICD-10-PCS"), ("hcpcs", "HCPCS Level II"), ("cpt", "CPT")],
                               help_text="Code entry: the code set the answer is checked against.")
    term = forms.CharField(required=False, max_length=120, help_text="Build the term: the finished term.")
    answer = forms.CharField(
        required=False, label="Word parts in order",
        help_text="The parts that build the term, in order, comma-separated (e.g. gastr/o, -itis).",
    )
    explanation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Shown after the student answers. Cite guideline sections where relevant.")
    domain = forms.ChoiceField(choices=EXAM_DOMAINS)
    position = forms.IntegerField(min_value=0, initial=0, label="Order in quiz")

    OPTION_SLOTS = MAX_CHOICES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.OPTION_SLOTS + 1):
            self.fields[f"option_{n}"] = forms.CharField(required=False, max_length=500, label=f"Option {n}")
            self.fields[f"correct_{n}"] = forms.BooleanField(required=False, label=f"Option {n} is correct")
        for n in range(1, self.CODE_SLOTS + 1):
            self.fields[f"accepted_{n}"] = forms.CharField(required=False, max_length=12, label=f"Accepted code {n}")

    @property
    def accepted_fields(self) -> list:
        return [self[f"accepted_{n}"] for n in range(1, self.CODE_SLOTS + 1)]

    @classmethod
    def kinds_of(cls, name: str) -> str:
        """The kinds a field belongs to, space-separated ("" for every kind)."""
        return " ".join(cls.FIELD_KINDS.get(name, ()))

    @property
    def option_rows(self) -> list[tuple]:
        """(text field, correct checkbox) per option slot, for the template."""
        return [(self[f"option_{n}"], self[f"correct_{n}"]) for n in range(1, self.OPTION_SLOTS + 1)]

    @property
    def other_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith(("option_", "correct_", "accepted_"))]

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind, "prompt": question.prompt, "parts": "\n".join(question.parts),
            "system": question.system, "term": question.term, "explanation": question.explanation,
            "domain": question.domain, "position": question.position,
        }
        if question.kind in CHOICE_KINDS:
            key = {int(i) for i in question.answer}
            for n, text in enumerate(question.choices[: cls.OPTION_SLOTS], start=1):
                initial[f"option_{n}"] = text
                initial[f"correct_{n}"] = (n - 1) in key
        elif question.kind == "code":
            for n, code in enumerate(question.answer[: cls.CODE_SLOTS], start=1):
                initial[f"accepted_{n}"] = dotted(str(code), question.system)
            if len(question.answer) > cls.CODE_SLOTS:
                initial["answer"] = ", ".join(str(a) for a in question.answer[cls.CODE_SLOTS:])
        else:
            initial["answer"] = ", ".join(str(a) for a in question.answer)
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind = data["kind"]
        spec_data = {
            "kind": kind, "prompt": data["prompt"], "explanation": data["explanation"], "domain": data["domain"],
            "parts": _lines(data["parts"]), "system": data["system"], "term": data["term"],
        }
        if kind in CHOICE_KINDS:
            spec_data["choices"] = [
                {"text": data[f"option_{n}"].strip(), "correct": bool(data.get(f"correct_{n}"))}
                for n in range(1, self.OPTION_SLOTS + 1) if (data.get(f"option_{n}") or "").strip()
            ]
            for n in range(1, self.OPTION_SLOTS + 1):
                if data.get(f"correct_{n}") and not (data.get(f"option_{n}") or "").strip():
                    self.add_error(f"option_{n}", "This option is marked correct but has no text.")
        else:
            spec_data["answer"] = [a.strip() for a in (data["answer"] or "").split(",") if a.strip()]
            if kind == "code":
                boxes = [(data.get(f"accepted_{n}") or "").strip().upper() for n in range(1, self.CODE_SLOTS + 1)]
                spec_data["answer"] = [code for code in boxes if code] + spec_data["answer"]
        errors: list[str] = []
        spec = parse_question(spec_data, "question", errors)
        for error in errors:
            self.add_error(None, error.removeprefix("question: "))
        data["spec"] = spec
        return data


class DeckForm(forms.ModelForm):
    class Meta:
        model = Deck
        fields = ["slug", "title", "kind", "domain", "program"]
        widgets = {"domain": forms.Select(choices=EXAM_DOMAINS)}

    def clean_slug(self):
        return _check_slug(self.cleaned_data["slug"])


class FlashcardForm(forms.ModelForm):
    class Meta:
        model = Flashcard
        fields = ["front", "back", "position"]
        widgets = {"back": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, deck: Deck, **kwargs):
        super().__init__(*args, **kwargs)
        self.deck = deck

    def clean_front(self):
        front = self.cleaned_data["front"].strip()
        if Flashcard.objects.filter(deck=self.deck, front=front).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This deck already has a card with that front.")
        return front


class PackageImportForm(forms.Form):
    package = forms.FileField(label="Course package (.zip)")

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > MAX_PACKAGE_BYTES:
            raise forms.ValidationError(f"The package is larger than {MAX_PACKAGE_BYTES // (1024 * 1024)} MB.")
        return upload

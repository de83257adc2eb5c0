"""Chart-coding cases, their versioned answer keys, student submissions and scores."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from certification.domains import DOMAIN_CHOICES


class Setting(models.TextChoices):
    OUTPATIENT = "outpatient", "Outpatient clinic"
    EMERGENCY = "emergency", "Emergency department"
    INPATIENT = "inpatient", "Inpatient"
    AMBULATORY_SURGERY = "ambulatory_surgery", "Ambulatory surgery"
    RADIOLOGY = "radiology", "Radiology"
    OBSERVATION = "observation", "Observation"


class Specialty(models.TextChoices):
    PRIMARY_CARE = "primary_care", "Primary care"
    CARDIOLOGY = "cardiology", "Cardiology"
    ORTHOPEDICS = "orthopedics", "Orthopedics"
    RADIOLOGY = "radiology", "Radiology"
    ONCOLOGY = "oncology", "Oncology"
    EMERGENCY = "emergency", "Emergency medicine"
    SURGERY = "surgery", "General surgery"
    INPATIENT = "inpatient", "Hospital medicine"
    OBSTETRICS = "obstetrics", "Obstetrics & gynecology"
    PEDIATRICS = "pediatrics", "Pediatrics"
    ANESTHESIA = "anesthesia", "Anesthesia"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    DERMATOLOGY = "dermatology", "Dermatology"
    GASTROENTEROLOGY = "gastroenterology", "Gastroenterology"
    NEUROLOGY = "neurology", "Neurology"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    PATHOLOGY = "pathology", "Pathology & laboratory"
    PULMONOLOGY = "pulmonology", "Pulmonology"
    UROLOGY = "urology", "Urology"
    WOUND_CARE = "wound_care", "Wound care"


class Difficulty(models.IntegerChoices):
    INTRO = 1, "Introductory"
    INTERMEDIATE = 2, "Intermediate"
    ADVANCED = 3, "Advanced"


class PatientSex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


def default_pcs_axis_weights() -> list[float]:
    from .grading.pcs import DEFAULT_WEIGHTS

    return list(DEFAULT_WEIGHTS)


def validate_pcs_axis_weights(value) -> None:
    from django.core.exceptions import ValidationError

    from .grading.pcs import weights_ok

    if not isinstance(value, list) or not weights_ok(value):
        raise ValidationError("Give 7 numbers of 0 or more that add up to 1, e.g. [0.05, 0.1, 0.3, 0.3, 0.1, 0.1, 0.05].")


class GradingPolicy(models.Model):
    """Grading rules as data: partial-credit weights, penalties, formula and pass mark."""

    name = models.CharField(max_length=120, unique=True)
    is_default = models.BooleanField(default=False)
    category_credit = models.FloatField(default=0.25, validators=[MinValueValidator(0), MaxValueValidator(1)])
    subcategory_credit = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    seventh_char_credit = models.FloatField(default=0.75, validators=[MinValueValidator(0), MaxValueValidator(1)])
    modifier_credit = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    units_credit = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    wrong_position_credit = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    em_level_credit = models.FloatField(
        "E/M one level off credit", default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of the points for an E/M code one level above or below the key's, in the same family "
                  "(e.g. 99213 for 99214). Two or more levels off earn nothing.",
    )
    poa_credit = models.FloatField(
        "POA share", default=0.25, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of an inpatient diagnosis line's points for its present-on-admission indicator "
                  "(guidelines Appendix I): a wrong indicator keeps the rest.",
    )
    pcs_axis_weights = models.JSONField(
        "ICD-10-PCS axis weights", default=default_pcs_axis_weights, validators=[validate_pcs_axis_weights],
        help_text="Share of an ICD-10-PCS line's credit for each of its 7 characters when right (section, body "
                  "system, root operation, body part, approach, device, qualifier); 7 numbers adding up to 1.",
    )
    drg_base_rate = models.FloatField(
        "DRG base rate (USD)", default=6500.0, validators=[MinValueValidator(0), MaxValueValidator(100000)],
        help_text="Inpatient cases show payment as the MS-DRG relative weight times this rate. The default is an "
                  "example figure, labelled as such; set a hospital's own rate for a cohort's policy.",
    )
    extra_penalty = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    missing_penalty = models.FloatField(default=0.0, validators=[MinValueValidator(0)])
    violation_penalty = models.FloatField(default=0.0, validators=[MinValueValidator(0)])
    query_points = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    query_rubric_weight = models.FloatField(
        "query rubric weight", default=0.3, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Query exercises: the case score is (1 - weight) x the coding score + weight x the query rubric score.",
    )
    denominator = models.CharField(
        max_length=8, default="max",
        choices=[("max", "Earned ÷ max(key, entered)"), ("key", "Earned − penalties ÷ key")],
    )
    pass_mark = models.FloatField(default=70.0, validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        verbose_name_plural = "grading policies"
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_policy")]

    def __str__(self) -> str:
        return self.name

    def as_rules(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "category_credit", "subcategory_credit", "seventh_char_credit", "modifier_credit", "units_credit",
                "wrong_position_credit", "em_level_credit", "poa_credit", "drg_base_rate", "pcs_axis_weights", "extra_penalty", "missing_penalty", "violation_penalty", "query_points",
                "query_rubric_weight",
                "denominator", "pass_mark",
            )
        }


class ReviewStatus(models.TextChoices):
    """A case's key is checked by a second instructor before every student sees the case."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    VERIFIED = "verified", "Verified"


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to_student(self, student):
        """Published cases this student may open: verified ones, and unverified ones piloted with one of their cohorts."""
        piloted = Case.pilot_cohorts.through.objects.filter(
            case_id=models.OuterRef("pk"), cohort__memberships__student=student,
        )
        return self.filter(is_published=True).filter(Q(review_status=ReviewStatus.VERIFIED) | models.Exists(piloted))


class Case(models.Model):
    """A de-identified chart to code, pinned to the code-set releases it was written against."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One line shown in the case list.")
    setting = models.CharField(max_length=24, choices=Setting.choices, default=Setting.OUTPATIENT)
    specialty = models.CharField(max_length=24, choices=Specialty.choices, default=Specialty.PRIMARY_CARE)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.INTRO)
    module_slug = models.SlugField(max_length=80, blank=True, help_text="The course module this case trains.")
    exam_domain = models.CharField(max_length=40, choices=DOMAIN_CHOICES, default="icd10cm")
    icd10cm_release = models.ForeignKey(
        "codesets.CodeSetRelease", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"system": "icd10cm"}, verbose_name="ICD-10-CM release",
    )
    cpt_release = models.ForeignKey(
        "codesets.CodeSetRelease", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"system": "cpt"}, verbose_name="CPT release",
    )
    hcpcs_release = models.ForeignKey(
        "codesets.CodeSetRelease", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"system": "hcpcs"}, verbose_name="HCPCS release",
    )
    icd10pcs_release = models.ForeignKey(
        "codesets.CodeSetRelease", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"system": "icd10pcs"}, verbose_name="ICD-10-PCS release",
    )
    patient_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(120)])
    patient_sex = models.CharField(max_length=1, choices=PatientSex.choices, blank=True)
    is_query_case = models.BooleanField(
        default=False, help_text="The right answer includes querying the provider because documentation is unclear."
    )
    is_published = models.BooleanField(default=False)
    review_status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_key = models.ForeignKey("AnswerKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     editable=False, help_text="The key version the second instructor checked.")
    pilot_cohorts = models.ManyToManyField(
        "courses.Cohort", blank=True, related_name="pilot_cases",
        help_text="Cohorts that see the published case before it is verified (chosen by the author).",
    )
    suggested_minutes = models.PositiveSmallIntegerField(default=20, validators=[MinValueValidator(1), MaxValueValidator(240)])
    grading_policy = models.ForeignKey(GradingPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The newest answer key version, kept by AnswerKey.save(), so submitting needs no query to find it.
    current_key = models.ForeignKey(
        "AnswerKey", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["difficulty", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_verified(self) -> bool:
        return self.review_status == ReviewStatus.VERIFIED

    @property
    def query_spec_version(self) -> int | None:
        """The version of the case's provider-query spec (None without one): part of what a key version grades."""
        if self.pk is None:
            return None
        return QuerySpec.objects.filter(case_id=self.pk).values_list("version", flat=True).first()

    def release_for(self, system: str):
        return {"icd10cm": self.icd10cm_release, "cpt": self.cpt_release, "hcpcs": self.hcpcs_release,
                "icd10pcs": self.icd10pcs_release}.get(system)


class CaseShare(models.Model):
    """An instructor the case's author lets change the case and its answer key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_cases")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "instructor__username"]
        constraints = [models.UniqueConstraint(fields=["case", "instructor"], name="one_share_per_case_instructor")]

    def __str__(self) -> str:
        return f"{self.case} shared with {self.instructor}"


# The case details that grade a submission together with the key lines: changing one of them on a
# case with submitted work is a new key version, never a silent change under an existing one.
GRADING_CASE_FIELDS = ("is_query_case", "patient_age", "patient_sex", "grading_policy_id", "query_spec_version")


def case_grading_rules(case: "Case") -> dict:
    return {name: getattr(case, name) for name in GRADING_CASE_FIELDS}


class DocumentKind(models.TextChoices):
    PROGRESS_NOTE = "progress_note", "Progress note"
    HISTORY_PHYSICAL = "history_physical", "History & physical"
    ED_NOTE = "ed_note", "Emergency department note"
    OPERATIVE_REPORT = "operative_report", "Operative report"
    RADIOLOGY_REPORT = "radiology_report", "Radiology report"
    PATHOLOGY_REPORT = "pathology_report", "Pathology report"
    DISCHARGE_SUMMARY = "discharge_summary", "Discharge summary"
    CONSULT = "consult", "Consultation"
    OTHER = "other", "Other"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices, default=DocumentKind.PROGRESS_NOTE)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Rendered through a sanitiser; no scripts or raw HTML.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.title}"


class AnswerKey(models.Model):
    """One immutable version of a case's answer key. Editing creates the next version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answer_keys")
    version = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=255, blank=True)
    case_rules = models.JSONField(
        default=dict, blank=True, help_text="The case details (query case, patient, policy) this version was written for.",
    )

    class Meta:
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="unique_key_version")]

    def __str__(self) -> str:
        return f"{self.case} key v{self.version}"

    def save(self, *args, **kwargs) -> None:
        created = self._state.adding
        super().save(*args, **kwargs)
        if created:  # versions are immutable: only a new, higher version moves the case's pointer
            moved = Case.objects.filter(pk=self.case_id).filter(
                models.Q(current_key__isnull=True) | models.Q(current_key__version__lt=self.version)
            ).update(current_key=self)
            if moved and AnswerKey.case.is_cached(self):
                self.case.current_key = self


class LineRole(models.TextChoices):
    PRINCIPAL = "principal", "Principal / first-listed diagnosis"
    SECONDARY = "secondary", "Secondary diagnosis"
    PROCEDURE = "procedure", "Procedure"
    EM = "em", "E/M service"


class LineSystem(models.TextChoices):
    ICD10CM = "icd10cm", "ICD-10-CM"
    CPT = "cpt", "CPT"
    HCPCS = "hcpcs", "HCPCS Level II"
    ICD10PCS = "icd10pcs", "ICD-10-PCS"


class AnswerKeyLine(models.Model):
    key = models.ForeignKey(AnswerKey, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(default=0)
    system = models.CharField(max_length=8, choices=LineSystem.choices, default=LineSystem.ICD10CM)
    code = models.CharField(max_length=16, help_text="Stored without the dot, upper case.")
    role = models.CharField(max_length=12, choices=LineRole.choices, default=LineRole.SECONDARY)
    modifiers = models.JSONField(default=list, blank=True)
    units = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(999)])
    points = models.FloatField(default=1.0, validators=[MinValueValidator(0.1), MaxValueValidator(100)])
    alternates = models.JSONField(default=list, blank=True, help_text="Other codes accepted as correct.")
    optional = models.BooleanField(default=False)
    rationale = models.TextField(blank=True)
    guideline_refs = models.CharField(max_length=120, blank=True, help_text="e.g. I.C.4.a; I.B.8")
    poa = models.CharField(
        "POA", max_length=1, blank=True, choices=[("Y", "Y"), ("N", "N"), ("U", "U"), ("W", "W"), ("1", "1 (exempt)")],
        help_text="Present on admission (inpatient diagnoses, guidelines Appendix I); blank: not graded.",
    )

    class Meta:
        ordering = ["key", "order", "id"]

    def __str__(self) -> str:
        return f"{self.key} line {self.order}: {self.code}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Scoring"
    SCORED = "scored", "Scored"


class Submission(models.Model):
    """A student's coding of a case: a draft while they work, then pending until scored."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_submissions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="submissions")
    key = models.ForeignKey(AnswerKey, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions",
                            help_text="The key version in force when the student submitted.")
    lines = models.JSONField(default=list, blank=True)
    query_provider = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT, db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    # The review queue's state: an instructor marks a scored submission reviewed (or back to needs review).
    reviewed_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "case"], condition=Q(status="draft"), name="one_draft_per_student_case"),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.case} ({self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status != SubmissionStatus.DRAFT


class SubmissionScore(models.Model):
    """The grade of one submission against one key version. Regrades add rows; history is kept."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    key = models.ForeignKey(AnswerKey, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField(help_text="The engine's score, 0-100.")
    final_score = models.FloatField(help_text="The score after instructor overrides, 0-100.")
    passed = models.BooleanField(default=False)
    result = models.JSONField(default=dict, help_text="Findings, checks and notices from the grading engine.")
    policy = models.JSONField(default=dict, help_text="The grading rules used.")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "key"], name="one_score_per_submission_key"),
            models.UniqueConstraint(fields=["submission"], condition=Q(is_current=True), name="one_current_score"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="score_in_range"),
            models.CheckConstraint(condition=Q(final_score__gte=0) & Q(final_score__lte=100), name="final_score_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.key_id}: {self.final_score}"


class ScoreOverride(models.Model):
    """An instructor's change to one line's credit or to the total, with the reason (also audited)."""

    score = models.ForeignKey(SubmissionScore, on_delete=models.CASCADE, related_name="overrides")
    line_index = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Finding index; empty for the total.")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class InstructorComment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class QueryFormat(models.TextChoices):
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    YES_NO = "yes_no", "Yes/no"
    OPEN_ENDED = "open_ended", "Open-ended"


class YesNoUse(models.TextChoices):
    """The circumstances in which a compliant yes/no query is allowed (AHIMA/ACDIS query practice brief)."""

    NOT_ALLOWED = "", "Not allowed (a new diagnosis only clinical indicators suggest)"
    POA = "poa", "Present-on-admission status"
    SPECIFY_DOCUMENTED = "specify_documented", "Substantiating or specifying a diagnosis already documented"
    CAUSE_EFFECT = "cause_effect", "Cause and effect between documented conditions"
    CONFLICT = "conflict", "Resolving conflicting documentation"


class QuerySpec(models.Model):
    """What a query exercise's documentation supports: the rubric's side of the key (never shown before submitting).

    ``indicators``, ``options`` and ``unsupported`` are lists of ``{"label": ..., "terms": [...], "why": ...}``:
    the words that recognise each one in a student's free text (see exercises/grading/query_rubric.py).
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="query_spec")
    gap = models.TextField(help_text="What the documentation leaves unclear or conflicting (shown with the result).")
    topic_terms = models.JSONField(default=list, blank=True, help_text="Words naming what the query is about.")
    indicators = models.JSONField(default=list, help_text="Clinical indicators present in the chart.")
    min_indicators = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(20)])
    options = models.JSONField(default=list, help_text="Clinically reasonable options the indicators support.")
    min_options = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(10)])
    unsupported = models.JSONField(default=list, blank=True,
                                   help_text="Diagnoses without indicators in the chart: naming one is leading.")
    yes_no_use = models.CharField("yes/no allowed for", max_length=24, blank=True, choices=YesNoUse.choices)
    provider_reply = models.TextField(help_text="Markdown: the provider's answer, shown once the student sends a query.")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Query spec of {self.case} (v{self.version})"

    def rubric_data(self) -> dict:
        return {name: getattr(self, name) for name in QUERY_SPEC_RUBRIC_FIELDS}


QUERY_SPEC_RUBRIC_FIELDS = ("indicators", "options", "unsupported", "topic_terms", "yes_no_use", "min_indicators", "min_options")


class ProviderQuery(models.Model):
    """The query a student writes on one attempt. Sent once; then the provider's reply is shown and they code."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="provider_query")
    format = models.CharField(max_length=16, choices=QueryFormat.choices, blank=True)
    question = models.TextField(blank=True)
    indicators = models.TextField(blank=True, help_text="The clinical indicators the student cites, one a line.")
    options = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Query on submission {self.submission_id} ({'sent' if self.sent_at else 'draft'})"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

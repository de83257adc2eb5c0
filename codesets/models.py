"""The versioned catalog of code sets: systems, releases, codes and release changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CodeSystem(models.TextChoices):
    ICD10CM = "icd10cm", "ICD-10-CM"
    HCPCS = "hcpcs", "HCPCS Level II"
    CPT = "cpt", "CPT"
    ICD10PCS = "icd10pcs", "ICD-10-PCS"


class ReleaseStatus(models.TextChoices):
    IMPORTING = "importing", "Importing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class CodeSetReleaseQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=ReleaseStatus.READY)

    def current(self):
        return self.filter(is_current=True, status=ReleaseStatus.READY)

    def for_system(self, system: str):
        return self.filter(system=system)


class CodeSetRelease(models.Model):
    """One published release of one code system (e.g. ICD-10-CM FY2026)."""

    system = models.CharField(max_length=16, choices=CodeSystem.choices, db_index=True)
    label = models.CharField(max_length=64)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.IMPORTING)
    # Import bookkeeping: the hash of the source files makes a repeated import a no-op.
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    source_name = models.CharField(max_length=255, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=255, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True, help_text="Last progress report; a stale import was interrupted.")
    # Where the task finds the uploaded/dropped files: {"main": path, "order": path}.
    source_files = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    billable_count = models.PositiveIntegerField(default=0)
    header_count = models.PositiveIntegerField(default=0)
    previous_release = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    descriptors_are_licensed = models.BooleanField(
        default=False, help_text="CPT only: titles come from a licensed AMA data file (not plain-language demo wording)."
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = CodeSetReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["system", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "label"], name="unique_release_label_per_system"),
            models.UniqueConstraint(
                fields=["system"], condition=models.Q(is_current=True), name="one_current_release_per_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.label}"

    @property
    def is_partial(self) -> bool:
        """Loaded from a partial source (the ICD-10-PCS demo set): a code it lacks is unknown here, not invalid."""
        return isinstance(self.source_files, dict) and self.source_files.get("complete") is False


class CodeKind(models.TextChoices):
    CHAPTER = "chapter", "Chapter"
    BLOCK = "block", "Block"
    CATEGORY = "category", "Category"
    CODE = "code", "Code"


class Code(models.Model):
    """A code or a header row of one release.

    ``code`` is stored without the dot (E1140); ``display_code`` carries the dot
    (E11.40). Chapters and blocks use their identifiers (``4``, ``E08-E13``).
    ``notes`` holds the instructional notes as lists of strings keyed by kind:
    includes, inclusion_terms, excludes1, excludes2, code_first, use_additional,
    code_also, seven_chr_note, and seven_chr (a mapping of character to meaning).
    """

    release = models.ForeignKey(CodeSetRelease, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=16)
    display_code = models.CharField(max_length=20)
    kind = models.CharField(max_length=16, choices=CodeKind.choices, default=CodeKind.CODE)
    short_title = models.CharField(max_length=255, blank=True)
    long_title = models.TextField()
    billable = models.BooleanField(default=False)
    parent_code = models.CharField(max_length=16, blank=True, help_text="Parent's ``code`` in the same release.")
    chapter = models.CharField(max_length=8, blank=True, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0)
    sort_order = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["release", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="unique_code_per_release")]
        indexes = [models.Index(fields=["release", "parent_code"])]

    def __str__(self) -> str:
        return f"{self.display_code} {self.long_title}"


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    DELETED = "deleted", "Deleted"
    REVISED = "revised", "Revised"


class ReleaseChange(models.Model):
    """A difference between a release and the one before it, stored after import."""

    release = models.ForeignKey(CodeSetRelease, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=ChangeKind.choices, db_index=True)
    code = models.CharField(max_length=16)
    display_code = models.CharField(max_length=20)
    chapter = models.CharField(max_length=8, blank=True, db_index=True)
    old_title = models.TextField(blank=True)
    new_title = models.TextField(blank=True)
    billable = models.BooleanField(default=True)

    class Meta:
        ordering = ["release", "code"]
        constraints = [models.UniqueConstraint(fields=["release", "code", "kind"], name="unique_change_per_code")]

    def __str__(self) -> str:
        return f"{self.kind} {self.display_code}"


class ContentFlag(models.Model):
    """Course content (an answer-key line, an exam question, ...) that names a code changed by a release.

    Content apps raise flags from their ``release_ready`` receivers through
    ``codesets.services.content_flag_raise``; instructors work through them in the
    review queue and resolve each one.
    """

    release = models.ForeignKey(CodeSetRelease, on_delete=models.CASCADE, related_name="content_flags")
    code = models.CharField(max_length=16)
    change_kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    target_type = models.CharField(max_length=64, help_text="e.g. exercises.answerkeyline")
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255, help_text="What an instructor sees, e.g. 'Case 12 — key line 2'")
    target_url = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["resolved_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code", "target_type", "target_id"], name="unique_flag_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.target_label}: {self.code} {self.change_kind} in {self.release}"

    @property
    def display_code(self) -> str:
        """The code as coders write it (E11.9 for ICD-10-CM)."""
        if self.release.system == CodeSystem.ICD10CM and len(self.code) > 3:
            return f"{self.code[:3]}.{self.code[3:]}"
        return self.code

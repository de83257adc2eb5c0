"""Alphabetic Index terms imported per release (the Tabular lives in codesets)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from codesets.models import CodeSetRelease

from .alphaindex import TABLE_INDEX, TABLE_NAMES

INDEX_TABLE_CHOICES = list(TABLE_NAMES.items())


class IndexSource(models.Model):
    """One Alphabetic Index file imported for a release: the Index, the External Cause Index, the
    Neoplasm Table or the Table of Drugs (one of each per release; re-importing replaces it)."""

    release = models.ForeignKey(CodeSetRelease, on_delete=models.CASCADE, related_name="index_sources")
    table = models.CharField(max_length=10, choices=INDEX_TABLE_CHOICES, default=TABLE_INDEX)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    version = models.CharField(max_length=32, blank=True)
    term_count = models.PositiveIntegerField(default=0)
    coded_count = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "table"], name="unique_index_source_table")]

    def __str__(self) -> str:
        return f"{self.get_table_display()} {self.file_name} for {self.release}"


class IndexTerm(models.Model):
    """A main term (level 0) or subterm of one of the Index files, in book order.

    ``code`` is stored as printed (``S72.00-``: the dash means more characters
    are needed); ``code_key`` is the same without dot or dash, for look-ups.
    Rows of the Neoplasm Table and the Table of Drugs keep their six column
    codes in ``cells`` ("" where the book prints a dash).
    """

    release = models.ForeignKey(CodeSetRelease, on_delete=models.CASCADE, related_name="index_terms")
    table = models.CharField(max_length=10, choices=INDEX_TABLE_CHOICES, default=TABLE_INDEX)
    sort_order = models.PositiveIntegerField()
    parent_order = models.PositiveIntegerField(null=True, blank=True, help_text="sort_order of the parent term")
    letter = models.CharField(max_length=8, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=500)
    nemod = models.CharField(max_length=500, blank=True, help_text="Nonessential modifiers, in parentheses in the book")
    path = models.TextField(help_text="Main term and subterms, joined with ' > '")
    code = models.CharField(max_length=20, blank=True)
    code_key = models.CharField(max_length=16, blank=True)
    manif_code = models.CharField(max_length=20, blank=True)
    see = models.CharField(max_length=500, blank=True)
    see_also = models.CharField(max_length=500, blank=True)
    cells = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["release", "table", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["release", "table", "sort_order"], name="unique_index_term_order"),
        ]
        indexes = [
            models.Index(fields=["release", "code_key"]),
            models.Index(fields=["release", "table", "level", "letter"], name="lookup_indexterm_table_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.code}".strip()

    @property
    def column_codes(self) -> list[str]:
        """A table row's six column codes ("" for a dash), whatever was stored."""
        return ([str(code) for code in self.cells or []] + [""] * 6)[:6]

"""Recount exam item statistics from scored attempts (questions never reached left out)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from certification.services.scoring import item_stats_rebuild


class Command(BaseCommand):
    help = "Recount the item analysis of every exam question from scored attempts, leaving out questions never reached."

    def handle(self, *args, **options) -> None:
        replayed = item_stats_rebuild()
        self.stdout.write(f"Item statistics recounted from {replayed} scored attempt(s).")

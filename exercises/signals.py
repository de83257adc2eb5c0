"""Events of the exercises app that other apps follow without the scoring code knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit of a batch of first scores written together (``bulk_create``, so no ``post_save``):
# ``scored`` lists a (submission id, student id, case id) triple per submission scored in that transaction.
case_scores_committed = Signal()

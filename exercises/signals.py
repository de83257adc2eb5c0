"""Events of the exercises app that other apps follow without the scoring code knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that writes a batch of first scores together (``bulk_create``, so no
# ``post_save``), before it commits: what a follower writes then commits or rolls back with the scores.
# ``scored`` lists a (submission id, student id, case id) triple per submission scored in that batch.
case_scores_recorded = Signal()

"""Keep search indexes in step with the catalog."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from codesets.signals import release_ready

from .services.search import search_index_forget
from .tasks import prebuild_search_index


@receiver(release_ready, dispatch_uid="lookup.forget_search_index")
def refresh_search_index(sender, release, **kwargs) -> None:
    # Another release may have become current; other processes notice within RECHECK_SECONDS.
    search_index_forget(release_id=release.pk)
    release_id = release.pk
    transaction.on_commit(lambda: prebuild_search_index.delay(release_id))

"""Receivers: a new code-set release publishes review material into the demo program."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from codesets.signals import release_ready


@receiver(release_ready, dispatch_uid="courses.publish_release_updates")
def on_release_ready(sender, release, **kwargs) -> None:
    from .tasks import publish_release_updates

    transaction.on_commit(lambda: publish_release_updates.delay(release.pk))

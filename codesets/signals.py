"""Signals other apps listen to when the catalog changes.

``release_ready`` is sent explicitly by the import service (never from a model
``save()``), after the release, its codes and its diff against the previous
release are committed. Receivers flag content that names changed codes
(exercises: answer-key lines; certification: questions) and build review
material (courses: the "What's new in <release>" lesson).

    release_ready.send(sender=CodeSetRelease, release=release)
"""

from django.dispatch import Signal

release_ready = Signal()

"""Demo: the search index snapshot of every current code-set release, so the first search is instant.

Idempotent and fast on re-run: a release whose snapshot exists costs a few queries.
"""

from __future__ import annotations

import time

from codesets.models import CodeSetRelease

from .services.search import search_index_prebuild


def load(*, stdout=None) -> None:
    for release in CodeSetRelease.objects.current().order_by("system"):
        started = time.monotonic()
        if search_index_prebuild(release_id=release.pk) and stdout is not None:
            stdout.write(f"Lookup: search index for {release} built in {time.monotonic() - started:.1f} s\n")

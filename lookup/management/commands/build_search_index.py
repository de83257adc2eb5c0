"""manage.py build_search_index [--release <id|label>] [--all]"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from codesets.models import CodeSetRelease
from lookup.services.search import search_index_prebuild
from lookup.services.search_snapshots import snapshot_dir, snapshots_enabled


class Command(BaseCommand):
    help = ("Write the search index snapshot of the current releases (or one release, or every ready one) "
            "unless it exists, so no search waits for a build. Safe to run at every deploy.")

    def add_arguments(self, parser):
        parser.add_argument("--release", help="Release id or label (e.g. 42 or FY2026)")
        parser.add_argument("--all", action="store_true", help="Every ready release, not only the current ones")

    def handle(self, *args, release: str | None = None, all: bool = False, **options):
        if not snapshots_enabled():
            raise CommandError("Search index snapshots are off (in-memory database or SEARCH_INDEX_SNAPSHOTS=False).")
        releases = CodeSetRelease.objects.ready() if all or release else CodeSetRelease.objects.current()
        if release:
            releases = releases.filter(pk=int(release)) if release.isdigit() else releases.filter(label=release)
            if not releases.exists():
                raise CommandError(f"No ready release {release!r}.")
        for item in releases.order_by("system", "-effective_from"):
            started = time.monotonic()
            built = search_index_prebuild(release_id=item.pk)
            state = f"built in {time.monotonic() - started:.1f} s" if built else "already up to date"
            self.stdout.write(f"{item}: {state}")
        self.stdout.write(f"Snapshots in {snapshot_dir()}")

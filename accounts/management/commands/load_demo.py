"""Load everything a first-time visitor needs: accounts, the current ICD-10-CM, demo content.

Each app exposes ``<app>.demo.load(stdout=...)``; they run in dependency order and
each is idempotent, so running this again is safe and fast.
"""

from __future__ import annotations

import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_LOADERS = ["accounts", "codesets", "lookup", "courses", "exercises", "exercises.inpatient", "certification"]


class Command(BaseCommand):
    help = "Create demo accounts, import the bundled ICD-10-CM release and load the demo content."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow running in production mode.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/",
                            help="Where the site is served, for the sign-in line (make run passes its HOST and PORT).")

    def handle(self, *args, force: bool = False, url: str = "http://127.0.0.1:8000/", **options):
        if settings.PRODUCTION and not force:
            raise CommandError("load_demo creates accounts with published passwords; refusing in production.")
        accounts = []
        for app in DEMO_LOADERS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{app}.demo":
                    continue
                raise
            started = time.monotonic()
            result = module.load(stdout=self.stdout)
            if app == "accounts":
                accounts = result
            self.stdout.write(f"  {app}: ready ({time.monotonic() - started:.1f}s)")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (sign in at {url}):"))
        for username, password, role in accounts:
            self.stdout.write(f"  {role:<14} username: {username:<12} password: {password}")

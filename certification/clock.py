"""The one place certification reads the time, so tests can move the clock."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()

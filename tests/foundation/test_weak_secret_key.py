"""Production refuses to start with a weak SECRET_KEY, not only without one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coding_lms.settings.env import secret_key_weakness

REPO = Path(__file__).resolve().parents[2]
STRONG = "k3y-" + "q8Zr!vT2" * 8


def _check(secret_key: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_ENV="production", ALLOWED_HOSTS="lms.example.org", SECRET_KEY=secret_key)
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "secret_key, reason",
    [
        ("short-but-varied-Key-123", "characters; at least 50"),
        ("ab" * 40, "distinct characters"),
        ("django-insecure-" + "q8Zr!vT2" * 8, "django-insecure"),
        ("change-me-to-a-long-random-string", "characters; at least 50"),  # the .env.example placeholder
    ],
    ids=["short", "low-variety", "django-insecure", "env-example-placeholder"],
)
def test_production_refuses_a_weak_secret_key(secret_key, reason):
    result = _check(secret_key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr and reason in result.stderr
    assert secret_key not in result.stderr  # the message never echoes the key


def test_production_starts_with_a_strong_secret_key():
    result = _check(STRONG)
    assert result.returncode == 0, result.stderr


def test_the_check_deploy_target_uses_a_key_production_accepts():
    makefile = (REPO / "Makefile").read_text()
    match = re.search(r"check-deploy:.*?SECRET_KEY=(.+?) ALLOWED_HOSTS=", makefile, re.S)
    assert match, "the check-deploy target sets SECRET_KEY"
    key = match.group(1).replace("$$(date +%s)", str(int(time.time())))
    assert secret_key_weakness(key) is None


def test_the_embedded_development_key_is_only_for_development():
    from django.conf import settings

    # Tests run in the embedded mode: its fixed key is accepted there and never in production.
    assert not settings.SECRET_KEY.startswith("django-insecure")
    assert secret_key_weakness("x" * 60) and secret_key_weakness("") and secret_key_weakness(STRONG) is None

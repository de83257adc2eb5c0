"""In production mode every page kind carries HSTS and the security headers (reliability property 13).

The settings decide these headers only at start-up, so a child process boots the real production
settings and walks one page of each kind as each role: HTML pages, API JSON, error pages, the
admin, the login page and a redirect.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HSTS = "max-age=31536000; includeSubDomains; preload"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory) -> list[dict]:
    var_dir = tmp_path_factory.mktemp("production-var")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="pr0be-" + "Vx9!kQ2#mZ7$" * 5,
        ALLOWED_HOSTS="testserver",
        VAR_DIR=str(var_dir),
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "tests" / "reliability" / "production_probe.py")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production_responses):
    first = production_responses[0]
    assert first["path"] == "http:/accounts/login/"
    assert first["status"] == 301 and first["Location"].startswith("https://")


def test_every_page_kind_was_reached(production_responses):
    statuses = {row["path"]: row["status"] for row in production_responses[1:]}
    assert statuses["/accounts/login/"] == 200
    assert statuses["/no-such-page/"] == 302  # anonymous: sign in first, never a technical page
    assert statuses["/cases/no-such-case/"] == 404
    assert statuses["/admin/"] == 200 and statuses["/cases/review/"] == 200
    assert all(status < 500 for status in statuses.values()), statuses


def test_every_https_response_has_hsts_and_nosniff(production_responses):
    for row in production_responses[1:]:
        assert row["Strict-Transport-Security"] == HSTS, row
        assert row["X-Content-Type-Options"] == "nosniff", row
        assert row["Referrer-Policy"] == "same-origin", row


def test_every_html_page_has_a_csp_without_inline_script_and_denies_framing(production_responses):
    html = [row for row in production_responses[1:] if (row["Content-Type"] or "").startswith("text/html")]
    assert len(html) >= 15
    for row in html:
        policy = row["Content-Security-Policy"] or ""
        assert "frame-ancestors 'none'" in policy, row
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
        script_sources = directives.get("script-src", directives.get("default-src", ""))
        assert "'self'" in script_sources and "unsafe-inline" not in script_sources, row
        assert row["X-Frame-Options"] == "DENY", row

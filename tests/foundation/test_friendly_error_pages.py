"""The embedded mode (what `make run` serves) shows visitors the friendly error pages, not Django's debug pages.

Settings are read once per process, so each check runs the embedded settings in a child process
with a clean environment, as `make run` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
out = {"debug": settings.DEBUG}
for path in ("/accounts/login/no-such-page/", "/static/css/app.css", "/static/no-such-file.css"):
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out[path] = {"status": response.status_code, "body": body.decode("utf-8", "replace")[:20000]}
print("PROBE" + json.dumps(out))
"""


def _probe(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_DEBUG")}
    clean.update(VAR_DIR=str(tmp_path), **env)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", PROBE], cwd=REPO, env=clean,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE"):])


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> dict:
    return _probe(tmp_path_factory.mktemp("embedded"))


def test_an_unknown_url_gets_the_friendly_404_page_in_the_embedded_mode(embedded):
    assert embedded["debug"] is False
    page = embedded["/accounts/login/no-such-page/"]
    assert page["status"] == 404
    assert "We could not find that page." in page["body"] and "Codewise" in page["body"]
    assert "URLconf" not in page["body"] and "DEBUG = True" not in page["body"]


def test_static_files_are_still_served_in_the_embedded_mode(embedded):
    assert embedded["/static/css/app.css"]["status"] == 200
    assert embedded["/static/no-such-file.css"]["status"] == 404
    assert "DEBUG = True" not in embedded["/static/no-such-file.css"]["body"]


def test_a_developer_can_ask_for_debug_pages(tmp_path):
    debug = _probe(tmp_path, DJANGO_DEBUG="1")
    assert debug["debug"] is True
    assert "DEBUG = True" in debug["/accounts/login/no-such-page/"]["body"]

"""The embedded mode prints no kombu warning about a missing hostname."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_embedded_mode_prints_no_kombu_hostname_warning():
    """Celery's in-memory broker in the embedded mode names a host; kombu warns about one that does not."""
    script = (
        "import logging, django; logging.basicConfig(level=logging.WARNING); django.setup();"
        "from coding_lms.celery import app;"
        "app.connection_for_write().info(); print('broker', app.conf.broker_url)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER")}
    env["DJANGO_SETTINGS_MODULE"] = "coding_lms.settings"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "broker memory://" in done.stdout
    assert "No hostname was supplied" not in done.stderr

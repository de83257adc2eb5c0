"""Start a Celery worker whose own publishes (readiness rollups) stay on the test's private queue.

Usage: python -m tests.reliability.worker_entry <queue> <celery worker arguments...>
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")


def main() -> None:
    queue = sys.argv[1]
    from coding_lms.celery import app

    app.conf.task_default_queue = queue
    app.conf.task_routes = {"*": {"queue": queue}}
    app.worker_main(["worker", "-Q", queue, *sys.argv[2:]])


if __name__ == "__main__":
    main()

"""Start a Celery worker for bench/grading_pipeline.py, optionally keeping database connections across tasks.

Celery's Django fix-up closes the database connection before and after every task unless
CELERY_DB_REUSE_MAX is set; for many short tasks the reconnects dominate. Usage:
    python bench/grading_worker.py <db_reuse_max or 0> <publish rollups: 1 or 0> <celery worker arguments...>

With "0" for rollups the worker does not publish the readiness-rollup task that mastery evidence
triggers (the evidence row itself is still written): this isolates the scoring pipeline's own cost.

Tasks the worker itself publishes (the readiness rollups) follow BENCH_QUEUE (and BENCH_SIDE_QUEUE
for everything but scoring, when set), so they land on the benchmark's private queues and never in
the shared "default" queue.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")


def main() -> None:
    reuse, rollups = int(sys.argv[1]), sys.argv[2] == "1"
    from coding_lms.celery import app

    if reuse:
        app.conf.update(CELERY_DB_REUSE_MAX=reuse)
    queue, side = os.environ.get("BENCH_QUEUE"), os.environ.get("BENCH_SIDE_QUEUE")
    if queue:
        app.conf.task_default_queue = queue
        app.conf.task_routes = {"exercises.*": {"queue": queue}, "*": {"queue": side}} if side else {"*": {"queue": queue}}
    if not rollups:
        import django

        django.setup()
        import certification.services as certification_services

        certification_services._queue_rollup = lambda student_id: None
    app.worker_main(["worker", *sys.argv[3:]])


if __name__ == "__main__":
    main()

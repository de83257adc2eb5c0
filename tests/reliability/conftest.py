"""A Celery worker the test can kill (-9, the whole process group) and start again, and a chart case."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.exercises.factories import CaseFactory, make_key
from tests.factories import CodeFactory, ReleaseFactory

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

PERFECT_FORM = {
    "principal_code": "I21.4", "dx_code": ["E11.65", "I10"], "px_system": ["cpt"], "px_code": ["93458"],
    "px_modifiers": ["26"], "px_units": ["1"],
}
PERFECT_LINES = [
    {"role": "principal", "code": "I21.4"},
    {"role": "secondary", "code": "E11.65"},
    {"role": "secondary", "code": "I10"},
    {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
]


@pytest.fixture
def chart_case(db, instructor):
    release = ReleaseFactory(label="FY2026-R", is_current=True)
    for code, title, billable in [("I21", "Acute myocardial infarction", False),
                                  ("I214", "Non-ST elevation (NSTEMI) myocardial infarction", True),
                                  ("E11", "Type 2 diabetes mellitus", False),
                                  ("E1165", "Type 2 diabetes mellitus with hyperglycemia", True),
                                  ("I10", "Essential (primary) hypertension", True)]:
        CodeFactory(release=release, code=code, long_title=title, billable=billable,
                    kind="code" if billable else "category")
    case = CaseFactory(title="Chest pain admission", slug="chest-pain-reliability", icd10cm_release=release,
                       author=instructor, documents=[("ED note", "Synthetic note: NSTEMI confirmed.")])
    make_key(case, [
        {"role": "principal", "code": "I214"}, {"role": "secondary", "code": "E1165"},
        {"role": "secondary", "code": "I10"}, {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
    ])
    return case


class WorkerControl:
    """One `celery worker` at a time, in its own process group, on a private queue of the test database."""

    def __init__(self, env: dict[str, str], queue: str) -> None:
        self.env, self.queue = env, queue
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, *, concurrency: int = 2, prefetch: int = 1) -> None:
        from coding_lms.celery import app

        assert self.process is None, "a worker is already running"
        self.starts += 1
        node = f"{self.queue}-{self.starts}@codewise"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.worker_entry", self.queue, "--pool=prefork",
             f"--concurrency={concurrency}", f"--prefetch-multiplier={prefetch}", "-n", node,
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO_ROOT, env=self.env, start_new_session=True,  # its own process group: kill takes the children too
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[node], timeout=0.5):
                return
            if self.process.poll() is not None:
                pytest.fail("the Celery worker exited during start-up")
        pytest.fail("the Celery worker did not answer a ping within 30 s")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no warm shutdown, no message given back."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def live_processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every running process (zombies left for init to reap do not count)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            alive.append((int(entry.name), int(fields[1]), int(fields[2])))
    return alive


def live_processes_in_group(pgid: int) -> list[int]:
    """Processes of a process group that are still running."""
    return [pid for pid, _parent, group in live_processes() if group == pgid]


def _forget_cached_router(app) -> None:
    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)


def _drop_queue(app, queue: str) -> None:
    """Remove the private queue and any message of it a killed worker left unacknowledged."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        # Its messages, and the bindings of its own exchange.
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


def _drop_rollup_markers() -> None:
    """Refreshes and scoring runs a killed worker never ran leave markers; a later test must not inherit them."""
    from django.core.cache import cache

    from accounts.models import User
    from certification.services import rollup_pending_key
    from exercises.services.submissions import scoring_queued_key

    cache.delete_many([rollup_pending_key(pk) for pk in User.objects.values_list("pk", flat=True)]
                      + [scoring_queued_key()])


@pytest.fixture
def worker_control(transactional_db, settings):
    from django.db import connection

    from coding_lms.celery import app

    redis_url = os.environ.get("REDIS_URL")
    database_url = os.environ.get("DATABASE_URL", "")
    if not redis_url or not database_url.startswith("postgres"):
        pytest.fail("worker tests need REDIS_URL and a PostgreSQL DATABASE_URL")
    worker_db_url = database_url.rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": worker_db_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    queue = f"reliability-{os.getpid()}-{time.monotonic_ns()}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"*": {"queue": queue}}
    _forget_cached_router(app)
    control = WorkerControl(env, queue)
    try:
        yield control
    finally:
        control.stop()
        _drop_queue(app, queue)
        _drop_rollup_markers()
        app.conf.task_always_eager = True
        app.conf.task_routes = None
        app.conf.task_default_queue = "default"
        _forget_cached_router(app)

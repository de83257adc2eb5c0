"""Deadline load: N students log in, open a chart case, and all submit at the same moment over real HTTP.

Run: .venv/bin/python bench/deadline_load.py [--students 200] [--web-workers 2] [--web-threads 8] [--score-within 120]

It starts a real server (gunicorn, --web-workers processes of --web-threads threads) and one real Celery
worker (prefork, two children) on Redis (REDIS_URL, default redis://127.0.0.1:6379/13, on a private
queue). The database is its own: PostgreSQL database `codewise_deadline_load` on the server DATABASE_URL
points at when it is set (otherwise the embedded SQLite set-up, in a temporary folder). The script creates and
migrates that database, writes the students and a case, logs every student in through the login form
(a real password check), opens the case for each (and its draft, once an autosave made one), then releases
every submission at once behind a barrier. It reports 5xx and other failures, submissions in the
database against successful responses, scores against submissions, duplicates, and latency
percentiles; then it stops the server and the worker and drops its database. Traffic goes to
127.0.0.1 only; every loop is bounded in count and time.

It is a check, not only a report: the exit status is 1 when any promise fails (a 5xx or any other
non-success answer, submissions in the database other than the successful responses, a score missing
or doubled, a submission not scored within --score-within seconds of the burst) and 2 when the run
itself could not be set up (a student who cannot log in, a server or worker that does not start).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "codewise_deadline_load"
QUEUE = f"deadline-load-{os.getpid()}"
PASSWORD = "deadline-load-Passw0rd!"
FORM = {
    "principal_code": "I21.4", "dx_code": ["E11.65", "I10"], "px_system": ["cpt"], "px_code": ["93458"],
    "px_modifiers": ["26"], "px_units": ["1"],
}


def configure() -> tuple[str, str, Path | None]:
    """Point this process (and later the server and worker) at the dedicated database and Redis."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    base = os.environ.get("DATABASE_URL", "")
    tmp = None
    if base.startswith("postgres"):
        database_url = base.rsplit("/", 1)[0] + "/" + DB_NAME
        os.environ["DATABASE_URL"] = database_url
    else:
        # The embedded SQLite set-up (WAL, immediate transactions, busy timeout) in a folder of our own.
        tmp = Path(tempfile.mkdtemp(prefix="deadline-load-"))
        database_url = f"sqlite (embedded settings) in {tmp}"
        os.environ.pop("DATABASE_URL", None)
        os.environ["VAR_DIR"] = str(tmp)
    os.environ.update({
        "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "coding_lms.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",
    })
    return database_url, redis_url, tmp


def postgres_admin(database_url: str, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def setup_data(count: int):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from codesets.models import Code, CodeSetRelease
    from exercises.models import Case, CaseDocument
    from exercises.services import answer_key_publish

    release = CodeSetRelease.objects.create(system="icd10cm", label="LOAD", effective_from="2025-10-01", status="ready")
    for code, billable in [("I21", False), ("I214", True), ("E11", False), ("E1165", True), ("I10", True)]:
        Code.objects.create(release=release, code=code, display_code=code if len(code) == 3 else f"{code[:3]}.{code[3:]}",
                            long_title=code, billable=billable)
    case = Case.objects.create(slug="deadline-case", title="Deadline case", is_published=True, review_status="verified",
                               icd10cm_release=release,
                               exam_domain="icd10cm")
    CaseDocument.objects.create(case=case, title="Note", body="Synthetic note written for the load test.")
    answer_key_publish(actor=None, case=case, lines=[
        {"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.65"}, {"role": "secondary", "code": "I10"},
        {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
    ])
    password = make_password(PASSWORD)  # one real hash shared by all: the server still checks it at every login
    User.objects.bulk_create([User(username=f"load-student-{n}", role="student", password=password) for n in range(count)])
    return case, list(User.objects.filter(username__startswith="load-student-").order_by("pk"))


def give_up(message: str) -> None:
    """The run could not be set up: exit 2 (a failed promise exits 1)."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_processes(port: int, web_workers: int, web_threads: int, tmp: Path) -> tuple[subprocess.Popen, subprocess.Popen]:
    env = {**os.environ, "BENCH_QUEUE": QUEUE, "BENCH_SIDE_QUEUE": ""}
    config = tmp / "gunicorn_conf.py"
    config.write_text(
        "def post_worker_init(worker):\n"
        "    from coding_lms.celery import app\n"
        f"    app.conf.task_default_queue = {QUEUE!r}\n"
        f"    app.conf.task_routes = {{'*': {{'queue': {QUEUE!r}}}}}\n"
    )
    web = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "coding_lms.wsgi:application", "-c", str(config),
         "-b", f"127.0.0.1:{port}", "-w", str(web_workers), "--threads", str(web_threads), "--backlog", "2048",
         "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "grading_worker.py"), "0", "1", "--pool=prefork", "--concurrency=2",
         "--prefetch-multiplier=4", "-Q", QUEUE, "-n", f"{QUEUE}@load", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        if web.poll() is not None:
            give_up("gunicorn exited during start-up")
        time.sleep(0.2)
    else:
        give_up("the server did not answer /health/ within 60 s")
    from coding_lms.celery import app

    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{QUEUE}@load"], timeout=0.5):
            return web, worker
        if worker.poll() is not None:
            give_up("the Celery worker exited during start-up")
    give_up("the Celery worker did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    """Stop a process group this script started (gunicorn master and its workers, or the Celery worker)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Browser:
    """One student's cookies over plain http.client (a new connection per request, like many browsers at once)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = 60) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text
        finally:
            conn.close()


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return f"p50 {at(0.50):.0f} ms, p90 {at(0.90):.0f} ms, p99 {at(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--score-within", type=float, default=120.0,
                        help="seconds after the burst by which every submission must be scored")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--login-threads", type=int, default=8, help="logins run before the deadline, this many at a time")
    args = parser.parse_args()
    database_url, redis_url, tmp = configure()
    postgres = database_url.startswith("postgres")
    if postgres:
        postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        postgres_admin(database_url, f'CREATE DATABASE "{DB_NAME}"')
    tmp = tmp or Path(tempfile.mkdtemp(prefix="deadline-load-"))
    web = worker = None
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from certification.services import rollup_pending_key
    from coding_lms.celery import app
    from exercises.models import Submission, SubmissionScore, SubmissionStatus

    students = []
    try:
        call_command("migrate", verbosity=0)
        case, students = setup_data(args.students)
        port = free_port()
        web, worker = start_processes(port, args.web_workers, args.web_threads, tmp)
        browsers = [Browser(port) for _ in students]

        def log_in(index: int) -> tuple[float, bool]:
            browser, student = browsers[index], students[index]
            started = time.perf_counter()
            browser.request("GET", "/accounts/login/")
            status, location, _ = browser.request("POST", "/accounts/login/", {
                "username": student.username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")})
            elapsed = time.perf_counter() - started
            ok = status == 302 and "sessionid" in browser.cookies
            status, _, page = browser.request("GET", f"/cases/{case.slug}/")  # the case is open when the deadline nears
            draft = re.search(r'name="draft_id" value="(\d+)"', page)
            browser.draft_id = draft.group(1) if draft else ""
            return elapsed, ok and status == 200

        load_before = os.getloadavg()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.login_threads) as pool:
            logins = list(pool.map(log_in, range(len(students))))
        login_seconds = time.perf_counter() - started
        if not all(ok for _, ok in logins):
            print(f"{sum(not ok for _, ok in logins)} students could not log in or open the case", file=sys.stderr)
            return 2

        barrier = threading.Barrier(len(students) + 1)
        results: list[tuple[int, float, str]] = [(0, 0.0, "")] * len(students)

        def submit(index: int) -> None:
            browser = browsers[index]
            form = {**FORM, "draft_id": browser.draft_id, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
            barrier.wait(timeout=60)
            began = time.perf_counter()
            try:
                status, location, _ = browser.request("POST", f"/cases/{case.slug}/submit/", form)
            except OSError as exc:
                status, location = 0, repr(exc)
            results[index] = (status, time.perf_counter() - began, location)

        threads = [threading.Thread(target=submit, args=(i,), daemon=True) for i in range(len(students))]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=60)
        burst_started = time.perf_counter()
        for thread in threads:
            thread.join(timeout=120)
        burst_seconds = time.perf_counter() - burst_started

        ok = [r for r in results if r[0] == 302 and "/cases/submissions/" in r[2]]
        server_errors = sum(1 for r in results if r[0] >= 500)
        other = len(results) - len(ok) - server_errors
        ids = {int(re.search(r"/cases/submissions/(\d+)/", r[2]).group(1)) for r in ok}
        student_ids = [student.pk for student in students]
        submitted = Submission.objects.filter(student_id__in=student_ids).exclude(status=SubmissionStatus.DRAFT)
        wait_deadline = burst_started + args.score_within
        all_scored = False
        while time.perf_counter() < wait_deadline:
            if submitted.filter(status=SubmissionStatus.SCORED).count() == submitted.count():
                all_scored = True
                break
            time.sleep(0.1)
        scored_seconds = time.perf_counter() - burst_started
        time.sleep(1.0)  # a duplicate delivery would land now
        in_db = submitted.count()
        scores = SubmissionScore.objects.filter(submission__in=submitted)
        doubles = scores.values("submission_id").annotate(n=Count("id")).filter(n__gt=1).count()
        unscored = submitted.exclude(status=SubmissionStatus.SCORED).count()
        print(f"deadline load: {len(students)} students on gunicorn ({args.web_workers} workers x {args.web_threads} threads) "
              f"+ 1 Celery worker (prefork 2) on {'PostgreSQL' if postgres else 'SQLite'} + Redis; "
              f"load average before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}")
        print(f"  logins (real password check, {args.login_threads} at a time): {login_seconds:.1f} s, "
              f"{percentiles([t for t, _ in logins])}")
        print(f"  submit burst: all {len(students)} released at once; last answer after {burst_seconds:.2f} s")
        print(f"  responses: {len(ok)} successful (302 to the submission page), {server_errors} 5xx, {other} other")
        print(f"  submit latency: {percentiles([r[1] for r in results])}")
        print(f"  submissions in the database {in_db} (distinct ids answered {len(ids)}), score rows {scores.count()}, "
              f"unscored {unscored}, scored twice {doubles}; "
              + (f"all scored {scored_seconds:.2f} s after the deadline" if all_scored
                 else f"NOT all scored within {args.score_within:g} s of the deadline"))
        print(f"  load average after {os.getloadavg()[0]:.2f}")
        checks = {
            "zero 5xx": server_errors == 0,
            "every submit answered with success": other == 0,
            "submissions = successful responses": in_db == len(ok) == len(ids),
            "scores = submissions": scores.count() == in_db,
            "no duplicates": doubles == 0,
            f"all scored within {args.score_within:g} s": all_scored and unscored == 0,
        }
        for name, held in checks.items():
            print(f"  {name}: {'OK' if held else 'NOT MET'}")
        passed = all(checks.values())
        print("zero 5xx, submissions = successful responses, scores = submissions, no duplicates:",
              "OK" if passed else "NOT MET")
        return 0 if passed else 1
    finally:
        for process in (web, worker):
            if process is not None:
                stop(process)
        if students:
            cache.delete_many([rollup_pending_key(student.pk) for student in students])
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")
        connection.close()
        if postgres:
            postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

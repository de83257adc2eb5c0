"""Exam day: N students sit one timed practice exam together over real HTTP, and the platform keeps every answer.

Run: .venv/bin/python bench/exam_day_load.py [--students 1000] [--exam-minutes 2] [--questions 12]
        [--web-workers 2] [--web-threads 8] [--celery-workers 1] [--worker-concurrency 2]
`make bench` runs it with its defaults; EXAM_DAY_STUDENTS=200 sets the number of students there.

It starts a real server (gunicorn, --web-workers processes of --web-threads threads), --celery-workers real
Celery workers (prefork, --worker-concurrency children each) and Celery beat, on PostgreSQL and Redis. The
database is its own: `codewise_exam_day_load` on the server DATABASE_URL points at (default
postgres://postgres@127.0.0.1:5432); Redis is EXAM_DAY_REDIS_URL (default redis://127.0.0.1:6379/12) with a
private queue and a private cache key prefix. A settings module written for this run only (in its temporary
folder) routes tasks to that queue and uses the MD5 password hasher so 1,000 sign-ins measure the platform
rather than PBKDF2; the product's settings are not changed.

The students sign in through the login form, then start the exam within --start-spread seconds of each
other, each in its own thread (split over --client-processes processes). Each student answers every
question over the REST API (PUT /api/v1/exams/attempts/<id>/items/<position>/, one request at a time, like
one browser tab autosaving), changes some answers, clears some, flags and unflags some, and submits during
the last minute; --never-submit (2 %) of them never submit and are closed by the server. No request is sent
after the student's deadline.

Checks (the exit status is 1 when one fails, 2 when the run cannot be set up):
  * zero 5xx on every request;
  * no lost answers: every answer whose save was acknowledged (2xx) is the item's final answer in the
    database (the client keeps its own record of the last acknowledged answer and flag of every item),
    and no save sent before the deadline was refused;
  * every attempt scored exactly once: one score per attempt, and the item statistics counted each scored
    item once (a second scoring run would count it twice);
  * answer-save p99 <= --save-p99-ms (300 ms), measured by the client;
  * every attempt, submitted or not, scored within --score-within (60 s) of its deadline.
Figures: latency percentiles per request kind (client side, and the server's own time for saves from the
access log), counts, time to the last score, and the machine's load average before and after.
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _machine import database_backends, process_cpu_seconds, wait_until_quiet  # noqa: E402  (bench/ is this script's first path entry)

DB_NAME = "codewise_exam_day_load"
QUEUE = f"exam-day-load-{os.getpid()}"
CACHE_PREFIX = f"exam-day-load-{os.getpid()}"
PASSWORD = "exam-day-load-Passw0rd!"
SETTINGS_MODULE = "exam_day_load_settings"
CODE_ANSWERS = ["E11.9", "I10", "J18.9", "Z79.4", "E78.5", "N18.30"]

# Written into the run's temporary folder: the platform's settings plus what only this benchmark needs.
BENCH_SETTINGS = '''"""Settings for bench/exam_day_load.py only: never imported by the product."""
from coding_lms.settings import *  # noqa: F401,F403
from coding_lms.settings import CACHES

# Load test only: a cheap password hash, so that 1,000 sign-ins measure the platform and not PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every task (scoring, rollups, deadlines, beat's sweeps) on the run's private queue.
CELERY_TASK_DEFAULT_QUEUE = {queue!r}
CELERY_TASK_ROUTES = {{"*": {{"queue": {queue!r}}}}}
CACHES["default"]["KEY_PREFIX"] = {prefix!r}
CODESET_DROP_DIR = __import__("pathlib").Path({drop!r})
'''


class SetupFailed(Exception):
    """The run could not be set up (exit 2)."""


def configure(tmp: Path) -> tuple[str, str]:
    """Point this process (and the server, workers and beat it starts) at the run's database, Redis and settings."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    database_url = base.rsplit("/", 1)[0] + "/" + DB_NAME
    redis_url = os.environ.get("EXAM_DAY_REDIS_URL", "redis://127.0.0.1:6379/12")
    (tmp / "drop").mkdir()
    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        BENCH_SETTINGS.format(queue=QUEUE, prefix=CACHE_PREFIX, drop=str(tmp / "drop")))
    sys.path.insert(0, str(tmp))
    os.environ.update({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "LOG_LEVEL": "WARNING", "DEBUG": "false",
        "VAR_DIR": str(tmp / "var"), "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
    })
    return database_url, redis_url


def postgres_admin(database_url: str, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def setup_data(count: int, questions: int, minutes: int, bank_size: int | None = None):
    """A bank of single-answer, multiple-response and code questions, one short blueprint, the students.

    The bank holds ``bank_size`` questions (three times the exam's length unless given) over three domains.
    """
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from certification.models import Blueprint, BlueprintDomain, Choice, Question, QuestionKind

    rng = random.Random(7)
    bank = []
    for n in range(bank_size or questions * 3):
        domain = ("icd10cm", "em", "hcpcs")[n % 3]
        kind = QuestionKind.CODE if n % 6 == 5 else QuestionKind.MULTIPLE if n % 6 == 4 else QuestionKind.SINGLE
        bank.append(Question(slug=f"load-q-{n}", kind=kind, domain=domain, difficulty=2,
                             stem=f"Load question {n}?", rationale="Synthetic.",
                             accepted_codes=[CODE_ANSWERS[n % len(CODE_ANSWERS)].replace(".", "")] if kind == QuestionKind.CODE else []))
    Question.objects.bulk_create(bank)
    choices = []
    for question in Question.objects.filter(slug__startswith="load-q-").exclude(kind=QuestionKind.CODE):
        right = {rng.randrange(4)} if question.kind == QuestionKind.SINGLE else {0, 2}
        choices += [Choice(question=question, text=f"Option {i}", is_correct=i in right, position=i) for i in range(4)]
    Choice.objects.bulk_create(choices)
    blueprint = Blueprint.objects.create(slug="exam-day", name="Exam day", question_count=questions,
                                         time_limit_minutes=minutes, pass_percent=70)
    for domain in ("icd10cm", "em", "hcpcs"):
        BlueprintDomain.objects.create(blueprint=blueprint, domain=domain, weight=1)
    password = make_password(PASSWORD)  # the server checks it at every sign-in (MD5 in this run's settings)
    User.objects.bulk_create([User(username=f"exam-day-{n}", role="student", password=password) for n in range(count)],
                             batch_size=1000)
    students = list(User.objects.filter(username__startswith="exam-day-").order_by("pk").values_list("pk", "username"))
    return blueprint, students


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_processes(args, port: int, tmp: Path) -> list[subprocess.Popen]:
    """gunicorn, the Celery workers and beat, each in its own process group; returns them all."""
    env = dict(os.environ)
    log = open(tmp / "processes.log", "ab")  # noqa: SIM115 - closed with the run's folder
    processes = [subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "coding_lms.wsgi:application",
         "-b", f"127.0.0.1:{port}", "-w", str(args.web_workers), "--threads", str(args.web_threads),
         "--backlog", "2048", "--log-level", "warning", "--timeout", "60",
         "--access-logfile", str(tmp / "access.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )]
    nodes = [f"{QUEUE}-{k}@load" for k in range(args.celery_workers)]
    for node in nodes:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coding_lms", "worker", "--pool=prefork",
             f"--concurrency={args.worker_concurrency}", "-Q", QUEUE, "-n", node, "--loglevel=WARNING",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
        ))
    if not args.no_beat:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coding_lms", "beat", "--loglevel=WARNING",
             f"--schedule={tmp / 'beat-schedule'}", f"--pidfile={tmp / 'beat.pid'}"],
            cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
        ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        if processes[0].poll() is not None:
            raise SetupFailed("gunicorn exited during start-up (see processes.log)")
        time.sleep(0.2)
    else:
        raise SetupFailed("the server did not answer /health/ within 60 s")
    from coding_lms.celery import app

    waiting = set(nodes)
    while waiting and time.monotonic() < deadline:
        for reply in app.control.ping(destination=list(waiting), timeout=0.5) or []:
            waiting -= set(reply)
        if any(p.poll() is not None for p in processes):
            raise SetupFailed("a Celery process exited during start-up")
    if waiting:
        raise SetupFailed(f"Celery workers {sorted(waiting)} did not answer within 60 s")
    return processes


def stop(process: subprocess.Popen) -> None:
    """Stop a process group this script started (gunicorn and its workers, a Celery worker and its children, beat)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Browser:
    """One student's cookies over plain http.client (a new connection per request)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, payload=None,
                timeout: float = 60) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif payload is not None:
            body = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()


def normalised(kind: str, response):
    """The answer as the server stores it (what the client expects to find in the database)."""
    if response in (None, "", []):
        return None
    if kind == "single":
        return {"choice": int(response)}
    if kind == "multiple":
        return {"choices": sorted({int(v) for v in response})}
    return {"text": str(response).strip().upper()}


def plan_for(rng: random.Random, items: list[dict], start: float, end: float) -> list[tuple[float, str, dict, object]]:
    """One student's actions in order: answer every item, change ~30 %, clear ~8 %, flag ~15 % (unflag a third)."""

    def answer(item):
        if item["kind"] == "code":
            return rng.choice(CODE_ANSWERS)
        ids = [c["id"] for c in item["choices"]]
        if item["kind"] == "multiple":
            return rng.sample(ids, rng.randint(1, len(ids)))
        return rng.choice(ids)

    steps: list[tuple[str, dict, object]] = []
    for item in items:
        steps.append(("save", item, answer(item)))
        if rng.random() < 0.15:
            steps.append(("flag", item, True))
    for item in rng.sample(items, max(1, round(0.30 * len(items)))):
        steps.append(("save", item, answer(item)))
    for item in rng.sample(items, max(1, round(0.08 * len(items)))):
        steps.append(("save", item, None))
    for item in rng.sample(items, max(1, round(0.05 * len(items)))):
        steps.append(("flag", item, False))
    gap = (end - start) / (len(steps) + 1)
    return [(start + gap * (n + 1) + rng.uniform(-0.3, 0.3) * gap, kind, item, value)
            for n, (kind, item, value) in enumerate(steps)]


def sit_exam(browser: Browser, blueprint_id: int, starts_at: float, never_submits: bool, seed: int,
             last_minute: float) -> dict:
    """One student, one tab: start, answer (sequentially, never after the deadline), submit or walk away."""
    rng = random.Random(seed)
    requests: list[tuple[str, int, float, float, bool]] = []  # (kind, status, latency s, sent at, before deadline)
    record = {"attempt": None, "deadline": None, "acked": {}, "flags": {}, "submitted": None, "skipped": 0,
              "requests": requests, "refused_before_deadline": []}

    def call(kind: str, method: str, path: str, payload=None, deadline: float | None = None):
        sent = time.time()
        try:
            status, body = browser.request(method, path, payload=payload)
        except OSError:
            status, body = 0, b""
        requests.append((kind, status, time.time() - sent, sent, deadline is None or sent <= deadline))
        return status, body

    time.sleep(max(0.0, starts_at - time.time()))
    status, body = call("start", "POST", f"/api/v1/exams/blueprints/{blueprint_id}/attempts/", payload={})
    if status != 201:
        return record
    state = json.loads(body)
    server_now = datetime.datetime.fromisoformat(state["server_now"]).timestamp()
    deadline = time.time() + datetime.datetime.fromisoformat(state["deadline"]).timestamp() - server_now
    record.update(attempt=state["id"], deadline=deadline)
    items = state["items"]
    revisions = {item["position"]: item["revision"] for item in items}
    submit_at = None if never_submits else rng.uniform(deadline - last_minute, deadline - 2.0)
    end = (deadline - 1.0) if submit_at is None else submit_at - 0.5
    base = f"/api/v1/exams/attempts/{state['id']}"
    for at, kind, item, value in plan_for(rng, items, time.time(), end):
        time.sleep(max(0.0, at - time.time()))
        if time.time() >= deadline:
            record["skipped"] += 1  # a browser's timer stops offering saves at the deadline
            continue
        position = item["position"]
        if kind == "save":
            status, body = call("save", "PUT", f"{base}/items/{position}/", deadline=deadline, payload={
                "question_id": item["question_id"], "response": value, "revision": revisions[position]})
            if 200 <= status < 300:
                revisions[position] = json.loads(body)["revision"]
                record["acked"][position] = normalised(item["kind"], value)
            elif requests[-1][4]:
                record["refused_before_deadline"].append((position, status, body[:200].decode("utf-8", "replace")))
        else:
            status, body = call("flag", "POST", f"{base}/items/{position}/flag/", deadline=deadline,
                                payload={"flagged": value})
            if 200 <= status < 300:
                record["flags"][position] = value
    if submit_at is not None:
        time.sleep(max(0.0, submit_at - time.time()))
        status, body = call("submit", "POST", f"{base}/submit/", payload={})
        record["submitted"] = status
    return record


# What the client processes (forked from this one) need: set before the fork, inherited by it.
_CLIENT: dict = {}


def _client_share(indices: list[int]) -> list[dict]:
    """In a client process: one thread per student of this share; their records when all are done."""
    threading.stack_size(512 * 1024)
    records: dict[int, dict] = {}

    def run(index: int) -> None:
        try:
            records[index] = sit_exam(
                _CLIENT["browsers"][index], _CLIENT["blueprint_id"], _CLIENT["starts_at"][index],
                index in _CLIENT["never_submit"], seed=index, last_minute=_CLIENT["last_minute"])
        except Exception as exc:  # noqa: BLE001 - one student's client error is reported, not fatal to the others
            records[index] = {"error": repr(exc)}

    cpu = time.process_time()
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in indices]
    for thread in threads:
        thread.start()
    stop_at = time.time() + _CLIENT["bound"]
    for thread in threads:
        thread.join(timeout=max(0.1, stop_at - time.time()))
    shares = [{"index": i, **records.get(i, {"error": "did not finish in time"})} for i in indices]
    shares[0]["client_cpu"] = time.process_time() - cpu
    return shares


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's workers, a Celery worker's pool), bounded in depth."""
    found, level = [pid], [pid]
    for _ in range(4):
        children = []
        for parent in level:
            try:
                children += [int(c) for c in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
            except OSError:
                pass
        found += children
        level = children
    return found


class CpuSampler(threading.Thread):
    """CPU used by each group of processes (web, Celery, PostgreSQL backends) while the exam runs."""

    def __init__(self, groups: dict[str, object]) -> None:
        super().__init__(daemon=True)
        self.groups = groups  # name -> a callable returning the group's pids now
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                cpu = process_cpu_seconds(pid)
                if cpu is not None:
                    self.first.setdefault((name, pid), cpu)
                    self.last[(name, pid)] = cpu

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.sample()

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.join()
        self.sample()
        used = dict.fromkeys(self.groups, 0.0)
        for (name, pid), cpu in self.last.items():
            used[name] += cpu - self.first[(name, pid)]
        return used


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    return (f"p50 {quantile(ordered, 0.50):.0f} ms, p95 {quantile(ordered, 0.95):.0f} ms, "
            f"p99 {quantile(ordered, 0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms (n={len(ordered)})")


def quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted seconds, in milliseconds."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))] * 1000


def server_save_times(path: Path) -> list[float]:
    """The server's own time (gunicorn access log, request read to response written) for each answer save."""
    times = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return times
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "PUT" and "/items/" in parts[1]:
            times.append(int(parts[3]) / 1e6)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=int(os.environ.get("EXAM_DAY_STUDENTS", "1000")),
                        help="default 1000, or EXAM_DAY_STUDENTS (how `make bench` runs it smaller)")
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--bank", type=int, help="questions in the bank (default: three times --questions)")
    parser.add_argument("--exam-minutes", type=int, default=2)
    parser.add_argument("--start-spread", type=float, default=15.0, help="students start within this many seconds")
    parser.add_argument("--last-minute", type=float, default=60.0, help="submitters submit within this many seconds of the deadline")
    parser.add_argument("--never-submit", type=float, default=0.02, help="share of students who never submit")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--celery-workers", type=int, default=1)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--no-beat", action="store_true", help="no Celery beat (the periodic sweeps do not run)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--login-threads", type=int, default=16)
    parser.add_argument("--save-p99-ms", type=float, default=300.0)
    parser.add_argument("--score-within", type=float, default=60.0, help="seconds after its deadline by which each attempt is scored")
    parser.add_argument("--keep-logs", action="store_true", help="keep the run's folder (server, worker and access logs)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="exam-day-load-"))
    database_url, redis_url = configure(tmp)
    processes: list[subprocess.Popen] = []
    try:
        postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        postgres_admin(database_url, f'CREATE DATABASE "{DB_NAME}"')
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL to run on: say so and stop
        print(f"exam day load needs PostgreSQL (DATABASE_URL, default {database_url.rsplit('/', 1)[0]}): {exc}",
              file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, Sum

    from certification.models import AttemptItem, AttemptScore, AttemptStatus, ExamAttempt, ItemStat
    from certification.services.scoring import items_reached
    from coding_lms.celery import app

    try:
        call_command("migrate", verbosity=0)
        blueprint, students = setup_data(args.students, args.questions, args.exam_minutes, args.bank)
        wait_until_quiet("the sign-ins")
        port = free_port()
        processes = start_processes(args, port, tmp)
        browsers = [Browser(port) for _ in students]

        def log_in(index: int) -> tuple[float, bool, list[int]]:
            browser, (_, username) = browsers[index], students[index]
            started = time.perf_counter()
            first, _ = browser.request("GET", "/accounts/login/")
            status, _ = browser.request("POST", "/accounts/login/", form={
                "username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")})
            return time.perf_counter() - started, status == 302 and "sessionid" in browser.cookies, [first, status]

        uptime_before = Path("/proc/loadavg").read_text().split()[:3]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.login_threads) as pool:
            logins = list(pool.map(log_in, range(len(students))))
        login_seconds = time.perf_counter() - started
        login_statuses = Counter(s for _, _, statuses in logins for s in statuses)
        if not all(ok for _, ok, _ in logins):
            raise SetupFailed(f"{sum(not ok for _, ok, _ in logins)} students could not sign in ({dict(login_statuses)})")

        rng = random.Random(11)
        never = set(rng.sample(range(len(students)), round(args.never_submit * len(students))))
        begin = time.time() + 2.0
        exam_seconds = args.exam_minutes * 60
        _CLIENT.update(browsers=browsers, blueprint_id=blueprint.pk, never_submit=never, last_minute=args.last_minute,
                       starts_at=[begin + rng.uniform(0, args.start_spread) for _ in students],
                       bound=args.start_spread + exam_seconds + 120)
        shares = [list(range(len(students)))[n::args.client_processes] for n in range(args.client_processes)]
        connection.close()  # the client processes are forked: none may share this connection
        load_before = os.getloadavg()
        web, workers = processes[0], processes[1:1 + args.celery_workers]
        sampler = CpuSampler({
            "web": lambda: process_tree(web.pid),
            "celery": lambda: [pid for worker in workers for pid in process_tree(worker.pid)],
            "postgres": lambda: database_backends(DB_NAME),
        })
        sampler.sample()
        sampler.start()
        with multiprocessing.get_context("fork").Pool(args.client_processes) as pool:
            records = [r for share in pool.map(_client_share, shares) for r in share]
        exam_over = time.time()

        # Wait (bounded) for every attempt to be scored: the last deadline plus the promise plus a margin.
        attempts = ExamAttempt.objects.filter(blueprint=blueprint)
        last_deadline = max((r["deadline"] for r in records if r.get("deadline")), default=exam_over)
        wait_until = max(last_deadline + args.score_within + 30, exam_over + 5)
        while time.time() < wait_until:
            if attempts.count() and not attempts.exclude(status=AttemptStatus.SCORED).exists():
                break
            time.sleep(0.5)
        scoring_over = time.time()
        time.sleep(2.0)  # a duplicate delivery (a second scoring) would land now
        cpu = sampler.stop()
        cpu["clients"] = sum(r.get("client_cpu", 0.0) for r in records)
        load_after = os.getloadavg()
        uptime_after = Path("/proc/loadavg").read_text().split()[:3]

        # --- What the database says (one snapshot: workers still scoring would skew the comparisons) ---
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            rows = {a["pk"]: a for a in attempts.values("pk", "status", "close_reason", "deadline", "submitted_at", "scored_at")}
            final = {(i["attempt_id"], i["position"]): i for i in
                     AttemptItem.objects.filter(attempt__blueprint=blueprint).values("attempt_id", "position", "response", "flagged")}
            score_rows = AttemptScore.objects.filter(attempt__blueprint=blueprint).count()
            scores_per_attempt = Counter(AttemptScore.objects.filter(attempt__blueprint=blueprint).values_list("attempt_id", flat=True))
            # Item statistics count each scored attempt's reached items once (the scoring rule's own helper says which).
            scored_by_attempt: dict[int, list] = defaultdict(list)
            for item in AttemptItem.objects.filter(attempt__blueprint=blueprint, attempt__status=AttemptStatus.SCORED):
                scored_by_attempt[item.attempt_id].append(item)
            scored_items = sum(len(items_reached(items)) for items in scored_by_attempt.values())
            stat_count = ItemStat.objects.filter(cohort__isnull=True, question__slug__startswith="load-q-").aggregate(n=Sum("n"))["n"] or 0
            per_student_attempts = attempts.values("student").annotate(n=Count("id")).filter(n__gt=1).count()

        # --- What the clients saw ---------------------------------------------------------------------
        errors = [r for r in records if "error" in r]
        by_kind: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter] = defaultdict(Counter)
        for record in records:
            for kind, status, latency, _, _ in record.get("requests", []):
                by_kind[kind].append(latency)
                statuses[kind][status] += 1
        server_errors = sum(n for c in statuses.values() for s, n in c.items() if s >= 500 or s == 0)
        server_errors += sum(n for s, n in login_statuses.items() if s >= 500)
        lost, wrong_flags, refused = [], 0, []
        for record in records:
            attempt_id = record.get("attempt")
            if attempt_id is None:
                continue
            refused += [(attempt_id, *r) for r in record["refused_before_deadline"]]
            for position, expected in record["acked"].items():
                got = final.get((attempt_id, position), {}).get("response")
                if got != expected:
                    lost.append((attempt_id, position, expected, got))
            wrong_flags += sum(1 for p, f in record["flags"].items() if final.get((attempt_id, p), {}).get("flagged") != f)
        started_ok = [r for r in records if r.get("attempt")]
        submitted_ok = [r for r in started_ok if r.get("submitted") and 200 <= r["submitted"] < 300]
        unsubmitted = [r for r in started_ok if r.get("submitted") is None]
        late_by = {pk: (row["scored_at"] - row["deadline"]).total_seconds() for pk, row in rows.items() if row["scored_at"]}
        unscored = [pk for pk, row in rows.items() if row["status"] != AttemptStatus.SCORED]
        submitted_ids = {r["attempt"] for r in submitted_ok}
        timed_out_ids = {r["attempt"] for r in unsubmitted}
        worst = max(late_by.values(), default=float("nan"))
        worst_submitted = max((late_by[pk] for pk in submitted_ids if pk in late_by), default=float("nan"))
        worst_unsubmitted = max((late_by[pk] for pk in timed_out_ids if pk in late_by), default=float("nan"))
        reasons = Counter(row["close_reason"] for row in rows.values())
        saves = sorted(by_kind["save"])
        server_saves = sorted(server_save_times(tmp / "access.log"))
        save_p99 = quantile(saves, 0.99)

        print(f"exam day: {len(students)} students, one {args.exam_minutes}-minute exam of {args.questions} questions; "
              f"gunicorn {args.web_workers} workers x {args.web_threads} threads, {args.celery_workers} Celery worker(s) "
              f"(prefork {args.worker_concurrency}){'' if args.no_beat else ' + beat'}, PostgreSQL + Redis; "
              f"{os.cpu_count()} CPUs")
        print(f"  load average (1/5/15 min): before sign-in {' / '.join(uptime_before)}, before the exam "
              f"{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, "
              f"after scoring {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}")
        print(f"  sign-in through the login form ({args.login_threads} at a time): {login_seconds:.1f} s, "
              f"{percentiles([t for t, _, _ in logins])}")
        for kind in ("start", "save", "flag", "submit"):
            print(f"  {kind:6s} {percentiles(by_kind[kind])}; statuses {dict(sorted(statuses[kind].items()))}")
        print(f"  save, server's own time (access log): {percentiles(server_saves)}")
        print(f"  attempts: {len(started_ok)} started, {len(submitted_ok)} submitted, {len(unsubmitted)} never submitted; "
              f"closed as {dict(reasons)}; client errors {len(errors)}; actions skipped at the deadline "
              f"{sum(r.get('skipped', 0) for r in started_ok)}")
        print(f"  answers: {sum(len(r.get('acked', {})) for r in started_ok)} items with an acknowledged answer, "
              f"{len(lost)} not final in the database, {len(refused)} saves sent before the deadline refused, "
              f"{wrong_flags} flags not as last acknowledged")
        print(f"  scoring: {score_rows} scores for {len(rows)} attempts, {len(unscored)} unscored, "
              f"{sum(1 for n in scores_per_attempt.values() if n > 1)} scored twice; item statistics count "
              f"{stat_count} of {scored_items} reached items of scored attempts")
        print(f"  last score after the deadline: {worst:.1f} s (submitted attempts {worst_submitted:.1f} s, "
              f"never submitted {worst_unsubmitted:.1f} s)")
        wall = scoring_over - begin
        requests_total = sum(sum(c.values()) for c in statuses.values())
        print(f"  CPU from the first start to the last score ({wall:.0f} s, {requests_total} API requests): "
              + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in cpu.items())
              + f" = {sum(cpu.values()):.0f} s, {sum(cpu.values()) / wall:.2f} cores on average; "
              f"web + PostgreSQL {1000 * (cpu['web'] + cpu['postgres']) / max(1, requests_total):.1f} ms per request")
        for attempt_id, position, expected, got in lost[:5]:
            print(f"    lost: attempt {attempt_id} item {position}: acknowledged {expected}, database {got}")
        for attempt_id, position, status, body in refused[:5]:
            print(f"    refused before the deadline: attempt {attempt_id} item {position}: {status} {body}")
        for record in errors[:5]:
            print(f"    client error: student {record['index']}: {record['error']}")

        checks = {
            "zero 5xx": server_errors == 0,
            "every student started and every submit succeeded": not errors and len(started_ok) == len(students)
            and len(submitted_ok) + len(unsubmitted) == len(started_ok),
            "no lost answers": not lost and not refused and wrong_flags == 0,
            "every attempt scored exactly once": (not unscored and score_rows == len(rows) == len(students)
                                                  and max(scores_per_attempt.values(), default=0) == 1
                                                  and stat_count == scored_items and per_student_attempts == 0),
            f"answer-save p99 <= {args.save_p99_ms:g} ms (measured {save_p99:.0f} ms)": bool(saves) and save_p99 <= args.save_p99_ms,
            f"every attempt scored within {args.score_within:g} s of its deadline": not unscored and worst <= args.score_within,
        }
        for name, held in checks.items():
            print(f"  {'OK     ' if held else 'NOT MET'} {name}")
        return 0 if all(checks.values()) else 1
    except SetupFailed as exc:
        print(f"exam day load could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        for process in processes:
            stop(process)
        try:
            with app.connection_for_write() as conn:
                client = conn.default_channel.client
                client.delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")
                # Messages a stopped worker still held (deadline tasks not yet due): only this run's, by queue.
                for tag, raw in list(client.hscan_iter("unacked", count=1000))[:100000]:
                    try:
                        ours = json.loads(raw)[-1] == QUEUE
                    except (ValueError, IndexError, TypeError):
                        ours = False
                    if ours:
                        client.hdel("unacked", tag)
                        client.zrem("unacked_index", tag)
                for _ in range(100):  # bounded: the run's cache keys (sessions, markers) under its own prefix
                    keys = list(client.scan_iter(match=f"*{CACHE_PREFIX}*", count=1000))[:5000]
                    if not keys:
                        break
                    client.delete(*keys)
        except Exception as exc:  # noqa: BLE001 - clean-up is best effort; say what was left
            print(f"(could not clean Redis: {exc!r})", file=sys.stderr)
        connection.close()
        postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if args.keep_logs:
            print(f"  (logs kept in {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

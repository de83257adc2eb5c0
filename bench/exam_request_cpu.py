"""CPU per exam request, by kind, measured in one process through the real WSGI stack.

Run: .venv/bin/python bench/exam_request_cpu.py [--students 100] [--questions 12] [--bank 36] [--profile save]
        [--profile-out save.prof]

The exam-day load test (bench/exam_day_load.py) measures latency under load on a shared machine, where
the figures move with the neighbours. This script measures what each request costs, and nothing else:
it calls the platform's WSGI application (every middleware, the settings exam_day_load.py runs with:
PostgreSQL, Redis for the cache, the sessions' cache and the broker, the MD5 hasher) one request at a
time, and reports the process's own CPU per request by kind (login page, login POST, exam start, answer
save, flag, submit) plus the CPU the PostgreSQL backend used for the same requests. A CPU second is a
CPU second whatever else runs on the machine (a busy sibling hyper-thread still slows each one down,
so compare runs at similar load; the load average is printed).

--profile KIND runs the requests of that kind under cProfile and prints the top functions by
cumulative and by own time (--profile-out writes the raw stats for snakeviz or pstats).

The database is its own (`codewise_exam_request_cpu` on DATABASE_URL's server, dropped afterwards);
Redis is EXAM_DAY_REDIS_URL (default redis://127.0.0.1:6379/12) with a private queue and key prefix,
both removed at the end. The deadline tasks an exam start queues are published to that queue and
never run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import exam_day_load as load  # noqa: E402  (bench/ is this script's first path entry)
from _machine import database_backends, process_cpu_seconds  # noqa: E402

DB_NAME = "codewise_exam_request_cpu"
QUEUE = f"exam-request-cpu-{os.getpid()}"
PREFIX = f"exam-request-cpu-{os.getpid()}"
KINDS = ("login page", "login post", "start", "save", "flag", "submit")


def configure(tmp: Path) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    database_url = base.rsplit("/", 1)[0] + "/" + DB_NAME
    (tmp / "drop").mkdir()
    (tmp / "exam_request_cpu_settings.py").write_text(
        load.BENCH_SETTINGS.format(queue=QUEUE, prefix=PREFIX, drop=str(tmp / "drop")))
    sys.path.insert(0, str(tmp))
    os.environ.update({
        "DATABASE_URL": database_url, "REDIS_URL": os.environ.get("EXAM_DAY_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "CELERY_TASK_ALWAYS_EAGER": "false", "DJANGO_SETTINGS_MODULE": "exam_request_cpu_settings",
        "LOG_LEVEL": "WARNING", "DEBUG": "false", "VAR_DIR": str(tmp / "var"),
    })
    return database_url


class WsgiBrowser:
    """One student's cookies, calling the WSGI application directly (no socket, no server)."""

    def __init__(self, app) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, payload=None) -> tuple[int, bytes]:
        body = b""
        content_type = ""
        if form is not None:
            body, content_type = urllib.parse.urlencode(form, doseq=True).encode(), "application/x-www-form-urlencoded"
        elif payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type,
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method != "GET":
            environ["HTTP_X_CSRFTOKEN"] = self.cookies.get("csrftoken", "")
        captured: dict = {}

        def start_response(status, headers, exc_info=None):
            captured["status"], captured["headers"] = int(status.split()[0]), headers

        result = self.app(environ, start_response)
        try:
            text = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for header, value in captured["headers"]:
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return captured["status"], text


def backend_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each live PostgreSQL backend (a backend that closed is left out)."""
    used = {pid: process_cpu_seconds(pid) for pid in pids}
    return {pid: cpu for pid, cpu in used.items() if cpu is not None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--bank", type=int, help="questions in the bank (default: three times --questions)")
    parser.add_argument("--profile", choices=KINDS, help="run this kind of request under cProfile")
    parser.add_argument("--profile-out", help="write the raw cProfile stats here")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="exam-request-cpu-"))
    database_url = configure(tmp)
    try:
        load.postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        load.postgres_admin(database_url, f'CREATE DATABASE "{DB_NAME}"')
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: say so and stop
        print(f"exam request CPU needs PostgreSQL (DATABASE_URL): {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from coding_lms.celery import app as celery_app

    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time, not waits
    try:
        call_command("migrate", verbosity=0)
        blueprint, students = load.setup_data(args.students, args.questions, 120, args.bank)
        application = get_wsgi_application()
        cpu: dict[str, float] = defaultdict(float)
        pg: dict[str, float] = defaultdict(float)
        count: dict[str, int] = defaultdict(int)
        statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

        def timed(kind: str, browser: WsgiBrowser, *request_args, **request_kwargs) -> tuple[int, bytes]:
            if profiler is not None and kind == args.profile:
                profiler.enable()
            started = time.process_time()
            status, body = browser.request(*request_args, **request_kwargs)
            cpu[kind] += time.process_time() - started
            if profiler is not None and kind == args.profile:
                profiler.disable()
            count[kind] += 1
            statuses[kind][status] += 1
            return status, body

        def phase(kind: str, step) -> list:
            """Run one kind of request for every student; PostgreSQL's CPU for the phase is read around it."""
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # make sure the connection (and its backend) exists
            before = backend_cpu(database_backends(DB_NAME))
            results = [step(n) for n in range(len(students))]
            after = backend_cpu(database_backends(DB_NAME))
            # A backend opened during the phase counts from zero; one closed during it is lost (CONN_MAX_AGE),
            # so a phase longer than a minute under-counts slightly.
            pg[kind] += sum(cpu_now - before.get(pid, 0.0) for pid, cpu_now in after.items())
            return results

        browsers = [WsgiBrowser(application) for _ in students]
        # Warm-up: one student through every kind (imports, URL resolver, template caches), not counted.
        warm = WsgiBrowser(application)
        from accounts.models import User

        User.objects.create_user(username="exam-cpu-warm", password=load.PASSWORD, role="student")
        warm.request("GET", "/accounts/login/")
        warm.request("POST", "/accounts/login/", form={"username": "exam-cpu-warm", "password": load.PASSWORD,
                                                        "csrfmiddlewaretoken": warm.cookies.get("csrftoken", "")})
        status, body = warm.request("POST", f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/", payload={})
        if status != 201:
            print(f"warm-up start failed: {status} {body[:300]!r}", file=sys.stderr)
            return 2
        state = json.loads(body)
        for item in state["items"][:3]:
            warm.request("PUT", f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/",
                         payload={"question_id": item["question_id"], "response": None, "revision": item["revision"]})
            warm.request("POST", f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/flag/", payload={"flagged": True})
        warm.request("POST", f"/api/v1/exams/attempts/{state['id']}/submit/", payload={})

        load_before = os.getloadavg()
        phase("login page", lambda n: timed("login page", browsers[n], "GET", "/accounts/login/"))
        phase("login post", lambda n: timed("login post", browsers[n], "POST", "/accounts/login/", form={
            "username": students[n][1], "password": load.PASSWORD,
            "csrfmiddlewaretoken": browsers[n].cookies.get("csrftoken", "")}))
        states = phase("start", lambda n: json.loads(timed(
            "start", browsers[n], "POST", f"/api/v1/exams/blueprints/{blueprint.pk}/attempts/", payload={})[1]))
        if any("id" not in s for s in states):
            print(f"an exam start failed: {next(s for s in states if 'id' not in s)}", file=sys.stderr)
            return 1

        def answer(item, rng_value: int):
            if item["kind"] == "code":
                return load.CODE_ANSWERS[rng_value % len(load.CODE_ANSWERS)]
            ids = [c["id"] for c in item["choices"]]
            return ids[: 1 + rng_value % len(ids)] if item["kind"] == "multiple" else ids[rng_value % len(ids)]

        def save_all(n: int) -> None:
            state = states[n]
            for item in state["items"]:
                timed("save", browsers[n], "PUT", f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/",
                      payload={"question_id": item["question_id"], "response": answer(item, n + item["position"]),
                               "revision": item["revision"]})

        def flag_some(n: int) -> None:
            state = states[n]
            for item in state["items"][:3]:
                timed("flag", browsers[n], "POST", f"/api/v1/exams/attempts/{state['id']}/items/{item['position']}/flag/",
                      payload={"flagged": True})

        phase("save", save_all)
        phase("flag", flag_some)
        phase("submit", lambda n: timed("submit", browsers[n], "POST", f"/api/v1/exams/attempts/{states[n]['id']}/submit/", payload={}))
        load_after = os.getloadavg()

        print(f"exam request CPU: {len(students)} students, {args.questions} questions from a bank of "
              f"{args.bank or 3 * args.questions}, one request at a time through "
              f"the WSGI application (PostgreSQL + Redis, bench settings); load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
        print(f"  {'kind':11s} {'requests':>8s} {'web CPU/request':>16s} {'PostgreSQL CPU/request':>23s}  statuses")
        for kind in KINDS:
            n = max(1, count[kind])
            print(f"  {kind:11s} {count[kind]:8d} {1000 * cpu[kind] / n:13.2f} ms {1000 * pg[kind] / n:20.2f} ms  "
                  f"{dict(statuses[kind])}")
        # The exam-day mix per student: 2 login requests, 1 start, ~17 saves, ~2 flags, 0.98 submits.
        mix = {"login page": 1, "login post": 1, "start": 1, "save": 17, "flag": 2, "submit": 0.98}
        total = sum(w * cpu[k] / max(1, count[k]) for k, w in mix.items())
        total_pg = sum(w * pg[k] / max(1, count[k]) for k, w in mix.items())
        api = sum(w for k, w in mix.items() if not k.startswith("login"))
        print(f"  exam-day mix per student (login page + post, start, 17 saves, 2 flags, submit): web {1000 * total:.1f} ms, "
              f"PostgreSQL {1000 * total_pg:.1f} ms; per exam API request (logins included) "
              f"{1000 * total / api:.2f} + {1000 * total_pg / api:.2f} ms")
        bad = {k: dict(v) for k, v in statuses.items() if any(s >= 400 for s in v)}
        if bad:
            print(f"  unexpected statuses: {bad}", file=sys.stderr)
        if profiler is not None:
            if args.profile_out:
                profiler.dump_stats(args.profile_out)
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
                text = re.sub(r"/[^ ]*/site-packages/", "", out.getvalue()).replace(str(ROOT) + "/", "")
                print(f"\n--- {args.profile}: top {args.top} by {order} ---")
                print(text.split("\n\n", 2)[-1][:6000])
        return 1 if bad else 0
    finally:
        try:
            with celery_app.connection_for_write() as conn:
                client = conn.default_channel.client
                client.delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")
                for _ in range(20):
                    keys = list(client.scan_iter(match=f"*{PREFIX}*", count=1000))[:5000]
                    if not keys:
                        break
                    client.delete(*keys)
        except Exception as exc:  # noqa: BLE001 - clean-up is best effort
            print(f"(could not clean Redis: {exc!r})", file=sys.stderr)
        connection.close()
        load.postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

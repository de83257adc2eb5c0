"""Code search benchmark: latency through HTTP, first search, worker memory, and top-1 / top-5 quality.

    .venv/bin/python bench/search_bench.py                       # SQLite (own database under var/)
    .venv/bin/python bench/search_bench.py --postgres postgres://postgres@127.0.0.1:5432/codewise_lookup_bench
                                                                 # SQLite, then PostgreSQL
    DATABASE_URL=postgres://... .venv/bin/python bench/search_bench.py   # PostgreSQL only
    options: --rounds 3  --skip-cold  --persistent-sqlite

For each database: migrate, import the full ICD-10-CM FY2026 (and whatever HCPCS
the demo code sets ship) through the catalog importer, then:

1. cold: delete the release's index snapshot, start gunicorn (one worker, gthread,
   so HTTP keep-alive holds), and time the first search (the worker builds the
   index, writes the snapshot and maps it) and the worker's RSS growth;
2. warm: start a fresh gunicorn (the snapshot now exists, as it does after an
   import or ``load_demo``), time its first search and RSS growth, then send the
   queries of bench/data/search_quality.tsv ``--rounds`` times over one keep-alive
   connection. The first request of each process is reported apart, never in the
   percentiles.

Per request: view time (the view's Server-Timing header), server time (gunicorn's
own request time, %(D)s: the whole Django stack, middleware and sessions
included) and the client round trip. The same endpoint with an empty query shows
the platform's cost alone. ``--persistent-sqlite`` adds a SQLite run with
persistent database connections (CONN_MAX_AGE=60), which PostgreSQL already uses.
The load average is printed with the figures: rerun on a quiet machine if it
is above the core count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _machine import wait_until_quiet  # bench/ is this script's first path entry

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / "bench" / "data" / "search_quality.tsv"
TARGETS = {"p95": 5.0, "p99": 20.0, "top5": 0.90}
FLOOR_REQUESTS = 100
# Persistent database connections in the worker (what --persistent-sqlite measures).
PERSISTENT_DB_HOOK = '''
def post_worker_init(worker):
    from django.db import connections
    connections["default"].settings_dict["CONN_MAX_AGE"] = 60
    connections["default"].settings_dict["CONN_HEALTH_CHECKS"] = True
'''


def quality_set() -> list[tuple[str, str, str]]:
    rows = []
    for line in QUALITY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, query, expected = line.split("\t")
            rows.append((category, query, expected))
    return rows


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB; PSS splits shared pages (a mapped snapshot) between the processes mapping them."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def prepare(env: dict) -> str:
    """Migrate, load the code sets, and return a session cookie for a bench user (in a child process)."""
    script = r"""
import sys
sys.path.insert(0, "bench")
from search_data import setup_django, load_bench_release
setup_django()
from django.core.management import call_command
call_command("migrate", verbosity=0)
release = load_bench_release()
from django.test import Client
from accounts.models import User
user, _ = User.objects.get_or_create(username="search-bench", defaults={"role": "student", "display_name": "Search bench"})
client = Client()
client.force_login(user)
from codesets.models import CodeSetRelease
hcpcs = CodeSetRelease.objects.current().filter(system="hcpcs").first()
print("RELEASE", release, release.codes.count(), file=sys.stderr)
print("HCPCS", hcpcs, hcpcs.codes.count() if hcpcs else 0, file=sys.stderr)
print(client.cookies["sessionid"].value)
"""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit("preparing the database failed")
    for line in result.stderr.splitlines():
        if line.startswith("RELEASE"):
            print("  release: " + line.split(" ", 1)[1] + " rows")
        elif line.startswith("HCPCS"):
            print("  HCPCS: " + line.split(" ", 1)[1] + " rows")
    print(f"  database ready in {time.monotonic() - started:.1f} s")
    return result.stdout.strip().splitlines()[-1]


class Server:
    """gunicorn with one gthread worker (keep-alive), an access log of request ids and times (µs)."""

    def __init__(self, env: dict, session: str, *, persistent_db: bool) -> None:
        self.env = env
        self.session = session
        self.persistent_db = persistent_db
        self.workdir = Path(tempfile.mkdtemp(prefix="search-bench-"))
        self.access_log = self.workdir / "access.log"
        self.sequence = 0

    def __enter__(self) -> Server:
        port = free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"), "coding_lms.wsgi:application", "-b", f"127.0.0.1:{port}",
            "-w", "1", "-k", "gthread", "--threads", "1", "--keep-alive", "30", "--timeout", "120",
            "--access-logfile", str(self.access_log), "--access-logformat", "%({x-bench-id}i)s %(s)s %(D)s",
        ]
        if self.persistent_db:
            config = self.workdir / "gunicorn_conf.py"
            config.write_text(PERSISTENT_DB_HOOK)
            command += ["-c", str(config)]
        self.server_log = self.workdir / "server.log"
        with self.server_log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
        self.worker = int(subprocess.check_output(["pgrep", "-P", str(self.process.pid)]).split()[0])
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connections_opened = 0
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:
            tail = self.server_log.read_text(errors="replace").strip().splitlines()[-30:]
            print("  gunicorn's log:\n    " + "\n    ".join(tail), file=sys.stderr)
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def get(self, query: str, limit: int = 10, system: str = "icd10cm") -> tuple[int, dict, float, float]:
        """(request id, JSON, view ms, client ms)."""
        self.sequence += 1
        if self.connection.sock is None:
            self.connections_opened += 1
        headers = {"Cookie": f"sessionid={self.session}", "Accept": "application/json", "Connection": "keep-alive",
                   "X-Bench-Id": str(self.sequence)}
        started = time.perf_counter()
        self.connection.request(
            "GET", "/api/v1/codes/search/?" + urlencode({"q": query, "system": system, "limit": limit}), headers=headers
        )
        response = self.connection.getresponse()
        body = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{query!r}: HTTP {response.status} {body[:200]!r}")
        timing = response.getheader("Server-Timing", "")
        view_ms = float(timing.split("view;dur=")[1].split(",")[0]) if "view;dur=" in timing else float("nan")
        return self.sequence, json.loads(body), view_ms, client_ms

    def server_times(self) -> dict[int, float]:
        """Request id -> gunicorn's request time in ms (read after the requests are done)."""
        deadline = time.monotonic() + 5
        times: dict[int, float] = {}
        while time.monotonic() < deadline:
            times = {}
            for line in self.access_log.read_text().splitlines():
                request_id, status, micros = line.split()
                if request_id.isdigit():
                    times[int(request_id)] = int(micros) / 1000
            if len(times) >= self.sequence:
                break
            time.sleep(0.1)
        return times

    def first_search(self) -> tuple[float, float, float]:
        """Client ms of the process's first search, and its RSS and PSS growth in MiB.

        An empty query first loads the view, DRF and the release (not the index), so the
        growth measured is the index's (the baseline is kept in ``self.before``).
        """
        self.get("")
        rss_before, pss_before = self.before = memory_kib(self.worker)
        _, _, _, client_ms = self.get("diabetes")
        rss_after, pss_after = memory_kib(self.worker)
        return client_ms, (rss_after - rss_before) / 1024, (pss_after - pss_before) / 1024


def line(label: str, values: list[float]) -> str:
    return (f"  {label:34} p50 {percentile(values, 50):6.2f}  p95 {percentile(values, 95):6.2f}  "
            f"p99 {percentile(values, 99):6.2f}  max {max(values):7.2f} ms")


def run_one(label: str, env: dict, *, rounds: int, cold: bool, persistent_db: bool) -> dict:
    print(f"\n== {label} ==  (load average {load_average()})")
    session = prepare(env)
    figures: dict = {"label": label}
    if cold:
        shutil.rmtree(Path(env["VAR_DIR"]) / "search-index", ignore_errors=True)
        with Server(env, session, persistent_db=persistent_db) as server:
            first, rss, pss = server.first_search()
        print(f"  first search, no snapshot (build, write, map): {first:8.0f} ms; worker RSS +{rss:.1f} MiB "
              f"(PSS +{pss:.1f})")
        figures.update(cold_first_ms=first, cold_rss_mib=rss)
    rows = quality_set()
    with Server(env, session, persistent_db=persistent_db) as server:
        first, rss, pss = server.first_search()
        print(f"  first search, snapshot present (map):          {first:8.1f} ms; worker RSS +{rss:.1f} MiB "
              f"(PSS +{pss:.1f})")
        figures.update(warm_first_ms=first, warm_rss_mib=rss)
        # The HCPCS lines search the HCPCS release: load its (small) index before timing, as the
        # ICD-10-CM one was, so no process's first search of a release is among the timed requests.
        server.get("crutches", system="hcpcs")
        wait_until_quiet("the timed requests")
        # A long wait outlasts the server's keep-alive (30 s): reconnect before timing, never mid-set.
        server.connection.close()
        server.get("diabetes")
        measured: list[tuple[int, float, float]] = []
        queries_by_id: dict[int, str] = {}
        top1 = top5 = 0
        misses = []
        for round_number in range(rounds):
            for category, query, expected in rows:
                # HCPCS lines (supplies, drugs) search the HCPCS release; every other line ICD-10-CM.
                request_id, data, view_ms, client_ms = server.get(query, system="hcpcs" if category == "hcpcs" else "icd10cm")
                measured.append((request_id, view_ms, client_ms))
                queries_by_id[request_id] = query
                if round_number == 0:
                    codes = [hit["code"] for hit in data["results"]]
                    top1 += codes[:1] == [expected]
                    top5 += expected in codes[:5]
                    if expected not in codes[:5]:
                        misses.append(f"{category}: {query!r} -> want {expected}, got {codes[:5]}")
        # The same endpoint with an empty query: no search, only what every API request costs
        # (session and user look-up, middleware, DRF), to separate platform overhead from search.
        floor = [server.get("") for _ in range(FLOOR_REQUESTS)]
        connections = server.connections_opened
        rss_end, pss_end = memory_kib(server.worker)
        times = server.server_times()
    missing = [request_id for request_id, _, _ in measured if request_id not in times]
    if missing:
        raise SystemExit(f"{len(missing)} requests missing from gunicorn's access log")
    view = [view_ms for _, view_ms, _ in measured]
    server_ms = [times[request_id] for request_id, _, _ in measured]
    client = [client_ms for _, _, client_ms in measured]
    n = len(rows)
    print(f"  {len(measured)} requests ({n} queries x {rounds} rounds), first request of the process excluded, "
          f"{connections} TCP connection(s)")
    print(line("view time (Server-Timing)", view))
    print(line("server time (gunicorn %(D)s)", server_ms))
    print(line("client round trip", client))
    print(line("empty query: server time", [times[request_id] for request_id, *_ in floor]))
    slowest = sorted(measured, key=lambda item: -times[item[0]])[:3]
    print("  slowest (server / view ms): " + ", ".join(
        f"{queries_by_id[request_id]!r} {times[request_id]:.1f} / {view_ms:.1f}" for request_id, view_ms, _ in slowest))
    print(f"  worker RSS after all requests: +{(rss_end - server.before[0]) / 1024:.1f} MiB over the process "
          f"before its first search (PSS +{(pss_end - server.before[1]) / 1024:.1f})")
    figures["end_rss_mib"] = (rss_end - server.before[0]) / 1024
    print(f"  quality: top-1 {top1}/{n} = {top1 / n:.1%}, top-5 {top5}/{n} = {top5 / n:.1%}")
    for miss in misses:
        print("    miss " + miss)
    for name, values in (("view", view), ("server", server_ms), ("client", client)):
        for pct in (50, 95, 99):
            figures[f"{name}_p{pct}"] = percentile(values, pct)
    figures.update(top1=top1 / n, top5=top5 / n)
    ok = figures["server_p95"] <= TARGETS["p95"] and figures["server_p99"] <= TARGETS["p99"] and figures["top5"] >= TARGETS["top5"]
    print(f"  targets (server p95 <= 5 ms, p99 <= 20 ms, top-5 >= 90%): {'met' if ok else 'NOT met'}"
          f"  (load average now {load_average()})")
    figures["ok"] = ok
    return figures


def ensure_postgres_database(url: str) -> None:
    import psycopg2
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                             password=parsed.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (the database is created if missing)")
    parser.add_argument("--rounds", type=int, default=3, help="times the quality set is sent (default 3)")
    parser.add_argument("--skip-cold", action="store_true", help="do not time a first search without a snapshot")
    parser.add_argument("--persistent-sqlite", action="store_true",
                        help="also run SQLite with persistent database connections (CONN_MAX_AGE=60)")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VAR_DIR")}
    # As production serves: DEBUG off (no query log, no static-file rescans).
    base.update(DJANGO_SETTINGS_MODULE="coding_lms.settings", LOG_LEVEL="WARNING", AXES_ENABLED="false", DEBUG="false")
    runs = []
    postgres_url = os.environ.get("DATABASE_URL") or args.postgres
    if not os.environ.get("DATABASE_URL"):
        var_dir = ROOT / "var" / "search-bench-sqlite"
        var_dir.mkdir(parents=True, exist_ok=True)
        runs.append(("SQLite", {**base, "VAR_DIR": str(var_dir)}, False))
        if args.persistent_sqlite:
            runs.append(("SQLite, persistent DB connections", {**base, "VAR_DIR": str(var_dir)}, True))
    if postgres_url:
        ensure_postgres_database(postgres_url)
        var_dir = ROOT / "var" / "search-bench-postgres"
        var_dir.mkdir(parents=True, exist_ok=True)
        runs.append(("PostgreSQL", {**base, "DATABASE_URL": postgres_url, "VAR_DIR": str(var_dir)}, False))
    results = [run_one(label, env, rounds=args.rounds, cold=not (args.skip_cold or persistent), persistent_db=persistent)
               for label, env, persistent in runs]
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

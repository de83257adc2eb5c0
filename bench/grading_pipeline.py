"""End-to-end scoring throughput: submit -> Redis -> one Celery worker -> PostgreSQL, rollups included.

Run: .venv/bin/python bench/grading_pipeline.py [--submissions 3000] [--students N] [--submit-processes 2] [--inpatient]
Needs PostgreSQL and Redis (defaults: postgres://postgres@127.0.0.1:5432/codewise_bench_cases and
redis://127.0.0.1:6379/12, on a private queue; override with BENCH_DATABASE_URL / BENCH_REDIS_URL). The script creates and
migrates its own database, starts its own worker (one process, acks_late) on a private queue, submits
through the same service the web view uses, and stops the clock only when every submission is scored
AND every student's readiness rollup has been recomputed after their last score (the rollups that
scoring triggers run on the same worker). It then checks that no submission was lost or scored twice.

--students N spreads the submissions over N students (each codes several different cases, the way a
class works through a case set); the default is one student per submission, the worst case for
rollups (nothing to coalesce). --rollups-aside sends rollups to a side queue that is purged instead,
to measure the scoring path alone. --backlog submits everything before the worker starts (a deadline
burst) and times the queue draining, with the worker alone on the machine. --inpatient makes the cases
inpatient stays (POA on every diagnosis, an ICD-10-PCS line, the patient's age and sex), so every scoring also
groups the key's and the student's claims to MS-DRGs and reviews the payment difference.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _machine import database_backends, process_cpu_seconds, wait_until_quiet  # noqa: E402  (bench/ is this script's first path entry)
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/codewise_bench_cases")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")  # 13 to 15 belong to test runs
QUEUE = f"bench-cases-{os.getpid()}"

os.environ.update({
    "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "false",
    "DJANGO_SETTINGS_MODULE": "coding_lms.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",  # as a production worker runs
})


def ensure_database() -> None:
    import psycopg2

    base, name = DATABASE_URL.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


INPATIENT_KEY = [
    {"role": "principal", "code": "I21.4", "poa": "Y"}, {"role": "secondary", "code": "E11.65", "poa": "Y"},
    {"role": "secondary", "code": "I10", "poa": "Y"}, {"role": "secondary", "code": "E78.5", "poa": "Y"},
    {"role": "secondary", "code": "Z79.4", "optional": True}, {"role": "secondary", "code": "N18.30", "poa": "Y"},
    {"role": "procedure", "system": "icd10pcs", "code": "027034Z"},
]
OUTPATIENT_KEY = [
    {"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.65"},
    {"role": "secondary", "code": "I10"}, {"role": "secondary", "code": "E78.5"},
    {"role": "secondary", "code": "Z79.4", "optional": True}, {"role": "secondary", "code": "N18.30"},
    {"role": "em", "system": "cpt", "code": "99223", "modifiers": ["25"]},
    {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
]
INPATIENT_ANSWERS = [
    [{"role": "principal", "code": "I21.4", "poa": "Y"}, {"role": "secondary", "code": "E11.65", "poa": "Y"},
     {"role": "secondary", "code": "I10", "poa": "Y"}, {"role": "secondary", "code": "E78.5", "poa": "Y"},
     {"role": "secondary", "code": "N18.30", "poa": "Y"}, {"role": "procedure", "system": "icd10pcs", "code": "027034Z"}],
    [{"role": "principal", "code": "I21.9", "poa": "Y"}, {"role": "secondary", "code": "E11.9", "poa": "N"},
     {"role": "secondary", "code": "I10", "poa": "Y"}, {"role": "procedure", "system": "icd10pcs", "code": "02703DZ"}],
]


def setup_data(count: int, cases: int, *, inpatient: bool = False):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from codesets.models import Code, CodeSetRelease
    from exercises.models import Case, CaseDocument, Submission
    from exercises.services import answer_key_publish

    from certification.models import MasteryEvidence

    # Each run starts from the same state: no submissions, no evidence left from earlier runs.
    Submission.objects.filter(case__slug__startswith="bench-case").delete()
    MasteryEvidence.objects.filter(student__username__startswith="bench-student-").delete()
    release, _ = CodeSetRelease.objects.get_or_create(
        system="icd10cm", label="BENCH", defaults={"effective_from": datetime.date(2025, 10, 1), "status": "ready"})
    for code, billable in [("I21", False), ("I214", True), ("I219", True), ("E11", False), ("E1165", True),
                           ("E119", True), ("I10", True), ("E785", True), ("Z794", True), ("N1830", True)]:
        Code.objects.get_or_create(release=release, code=code, defaults={
            "display_code": code if len(code) == 3 else f"{code[:3]}.{code[3:]}", "long_title": code, "billable": billable})
    extra = {}
    if inpatient:  # a facility claim: POA on every diagnosis, an ICD-10-PCS procedure, grouped to an MS-DRG
        pcs, _ = CodeSetRelease.objects.get_or_create(
            system="icd10pcs", label="BENCH", defaults={"effective_from": datetime.date(2025, 10, 1), "status": "ready"})
        for code in ("027034Z", "02703DZ"):
            Code.objects.update_or_create(release=pcs, code=code, defaults={
                "display_code": code, "long_title": code, "billable": True})
        extra = {"setting": "inpatient", "patient_age": 64, "patient_sex": "M", "icd10pcs_release": pcs,
                 "exam_domain": "inpatient-coding"}
    bench_cases = []
    for number in range(cases):
        slug = f"bench-case-inpatient-{number}" if inpatient else ("bench-case" if number == 0 else f"bench-case-{number}")
        case, _ = Case.objects.get_or_create(slug=slug, defaults={
            "title": f"Bench case {number}", "is_published": True, "review_status": "verified", "icd10cm_release": release,
            "exam_domain": "icd10cm", **extra})
        if not case.documents.exists():
            CaseDocument.objects.create(case=case, title="Note", body="Synthetic.")
        if not case.answer_keys.exists():
            answer_key_publish(actor=None, case=case, lines=INPATIENT_KEY if inpatient else OUTPATIENT_KEY)
        bench_cases.append(case)
    existing = User.objects.filter(username__startswith="bench-student-").count()
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"bench-student-{n}", role="student", password=password) for n in range(existing, count)],
        batch_size=1000)
    students = list(User.objects.filter(username__startswith="bench-student-").order_by("pk")[:count])
    # Earlier runs' deleted rows leave dead index entries and stale statistics that a live database's
    # autovacuum would have cleaned up; without this the planner picks plans no production database would.
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("exercises_submission", "exercises_submissionscore", "certification_masteryevidence",
                      "certification_studentdomainrollup", "certification_readiness", "certification_readinesssnapshot"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    # Markers of rollups queued by an earlier, interrupted run would hold back this run's refreshes.
    from django.core.cache import cache

    from certification.services import rollup_pending_key

    cache.delete_many([rollup_pending_key(student.pk) for student in students])
    return bench_cases, students


def _cpu(pid: int) -> float:
    return process_cpu_seconds(pid) or 0.0  # a process that is gone adds nothing


def worker_pids(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *map(int, children)]


def rollups_pending(student_ids: list[int]) -> int:
    """Students whose readiness rollup is still queued, or older than their latest evidence."""
    from django.core.cache import cache
    from django.db.models import F, Max, OuterRef, Q, Subquery

    from accounts.models import User
    from certification.models import MasteryEvidence, StudentDomainRollup
    from certification.services import rollup_pending_key

    queued = len(cache.get_many([rollup_pending_key(pk) for pk in student_ids]))
    if queued:
        return queued  # the database check below is heavier: only run it once nothing is queued
    latest = MasteryEvidence.objects.filter(student=OuterRef("pk")).order_by().values("student").annotate(m=Max("occurred_at")).values("m")
    rolled = StudentDomainRollup.objects.filter(student=OuterRef("pk")).order_by().values("student").annotate(m=Max("updated_at")).values("m")
    stale = (User.objects.filter(pk__in=student_ids).annotate(e=Subquery(latest), r=Subquery(rolled))
             .filter(Q(r__isnull=True) | Q(r__lt=F("e"))).count())
    return queued + stale


# What the submitting processes (forked from this one) need: set before the fork, inherited by it.
_SUBMIT: dict = {}


def _submit_share(indices: list[int]) -> tuple[list[int], float]:
    """In a submitting process: submit these through the web view's service with a few threads; (ids, CPU s)."""
    from django.db import close_old_connections

    from exercises.services import submission_submit

    students, cases, variants = _SUBMIT["students"], _SUBMIT["cases"], _SUBMIT["variants"]

    def submit(index: int) -> int:
        try:
            # Round robin: every student's cases are spread over the whole run.
            student, case = students[index % len(students)], cases[index // len(students)]
            submission, _ = submission_submit(student=student, case=case, lines=variants[index % 2])
            return submission.pk
        finally:
            close_old_connections()

    cpu = time.process_time()
    with ThreadPoolExecutor(_SUBMIT["threads"]) as pool:
        ids = list(pool.map(submit, indices))
    return ids, time.process_time() - cpu


class BackendSampler(threading.Thread):
    """Samples the CPU of every PostgreSQL backend of the benchmark database, short-lived ones included."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        for pid in database_backends(DATABASE_URL.rsplit("/", 1)[1]):
            cpu = _cpu(pid)
            self.before.setdefault(pid, cpu)
            self.last[pid] = max(cpu, self.last.get(pid, 0.0))

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.sample()

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.sample()
        return sum(self.last[pid] - self.before[pid] for pid in self.last)


def start_worker(concurrency: int, prefetch: int, db_reuse_max: int, rollups: bool, pool: str,
                 side_queue: str | None = None) -> subprocess.Popen:
    """One `celery worker` (its pool children belong to it) consuming the private queue."""
    from coding_lms.celery import app

    env = {**os.environ, "BENCH_QUEUE": QUEUE, "BENCH_SIDE_QUEUE": side_queue or ""}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "grading_worker.py"), str(db_reuse_max), "1" if rollups else "0", f"--pool={pool}", f"--concurrency={concurrency}", f"--prefetch-multiplier={prefetch}",
         "-Q", QUEUE, "-n", f"{QUEUE}@bench", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{QUEUE}@bench"], timeout=0.5):
            return process
        if process.poll() is not None:
            raise SystemExit("worker exited: " + process.stderr.read().decode()[-2000:])
    raise SystemExit("worker did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=2, help="threads per submitting process")
    parser.add_argument("--submit-processes", type=int, default=2,
                        help="submitting processes (a web tier has several; one process is capped by its GIL)")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes (or threads) of the one worker")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument("--prefetch", type=int, default=4, help="worker prefetch multiplier (settings use 1)")
    parser.add_argument("--db-reuse-max", type=int, default=0,
                        help="CELERY_DB_REUSE_MAX for the worker (0: as configured; Celery then reconnects per task)")
    parser.add_argument("--students", type=int, default=0,
                        help="distinct students (default: one per submission); each codes different cases")
    parser.add_argument("--rollups-aside", action="store_true",
                        help="send readiness rollups to a side queue that is purged (scoring path alone)")
    parser.add_argument("--no-rollup-publish", action="store_true",
                        help="the worker writes mastery evidence but does not publish readiness-rollup tasks")
    parser.add_argument("--inpatient", action="store_true",
                        help="inpatient cases: POA, an ICD-10-PCS line and the MS-DRG review in every scoring")
    parser.add_argument("--backlog", action="store_true",
                        help="submit everything first with no worker running (a deadline burst), then start the "
                             "worker and time how fast it drains the queue: the worker has both cores to itself")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from coding_lms.celery import app
    from exercises.models import Submission, SubmissionScore, SubmissionStatus
    from exercises.services import submission_submit

    call_command("migrate", verbosity=0)
    students_n = args.students or args.submissions
    cases_n = -(-args.submissions // students_n)
    cases, students = setup_data(students_n, cases_n, inpatient=args.inpatient)
    # The set-up deleted an earlier run's rows: let PostgreSQL write that out before the clock starts.
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    wait_until_quiet("the clock starts")
    # Scoring and the readiness rollups it triggers both go to our worker, unless --rollups-aside.
    side_queue = QUEUE + "-rollups"
    app.conf.task_routes = (
        {"exercises.*": {"queue": QUEUE}, "*": {"queue": side_queue}} if args.rollups_aside
        else {"*": {"queue": QUEUE}}
    )
    app.conf.task_default_queue = QUEUE
    def launch_worker() -> subprocess.Popen:
        return start_worker(args.concurrency, args.prefetch, args.db_reuse_max, not args.no_rollup_publish, args.pool,
                            side_queue if args.rollups_aside else None)

    worker = None if args.backlog else launch_worker()
    variants = INPATIENT_ANSWERS if args.inpatient else [
        [{"role": "principal", "code": "I21.4"}, {"role": "secondary", "code": "E11.65"}, {"role": "secondary", "code": "I10"},
         {"role": "secondary", "code": "E78.5"}, {"role": "secondary", "code": "N18.30"},
         {"role": "em", "system": "cpt", "code": "99223", "modifiers": ["25"]},
         {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]}],
        [{"role": "principal", "code": "I21.9"}, {"role": "secondary", "code": "E11.9"}, {"role": "secondary", "code": "I10"},
         {"role": "secondary", "code": "Z79.4"}, {"role": "em", "system": "cpt", "code": "99223"},
         {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]}],
    ]

    _SUBMIT.update(students=students, cases=cases, variants=variants, threads=args.threads)
    shares = [list(range(args.submissions))[n::args.submit_processes] for n in range(args.submit_processes)]
    connection.close()  # the submitting processes are forked: none may share this connection
    load_before = os.getloadavg()[0]
    try:
        if worker is not None:
            cpu_before = {pid: _cpu(pid) for pid in worker_pids(worker.pid)}
            sampler = BackendSampler()
            sampler.sample()
            sampler.start()
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(args.submit_processes) as pool:
            results = pool.map(_submit_share, shares)
        ids = [pk for share_ids, _ in results for pk in share_ids]
        submitted = time.perf_counter()
        submit_cpu = sum(cpu for _, cpu in results)
        if worker is None:
            # Backlog: the queue is full before the worker starts; the clock runs from its first ping.
            submit_seconds = submitted - started
            connection.close()
            worker = launch_worker()
            cpu_before = {pid: _cpu(pid) for pid in worker_pids(worker.pid)}
            sampler = BackendSampler()
            sampler.sample()
            sampler.start()
            submit_cpu, started = 0.0, time.perf_counter()
            submitted = started - submit_seconds  # keeps the submit-phase line below truthful
        deadline = time.perf_counter() + 300
        scored, scored_at, waiting = 0, None, len(students)
        student_ids = [student.pk for student in students]
        ours = Submission.objects.filter(pk__gte=min(ids), pk__lte=max(ids), case__in=cases)  # a range scan, not a list
        while time.perf_counter() < deadline:
            if scored < len(ids):
                scored = ours.filter(status=SubmissionStatus.SCORED).count()
                if scored == len(ids):
                    scored_at = time.perf_counter()
            if scored == len(ids):
                waiting = 0 if args.rollups_aside or args.no_rollup_publish else rollups_pending(student_ids)
                if waiting == 0:
                    break
            time.sleep(0.2)  # polling is kept light: it runs on the same two cores
        finished = time.perf_counter()
        main_cpu = _cpu(worker.pid) - cpu_before.get(worker.pid, 0.0)
        worker_cpu = sum(_cpu(pid) - cpu_before.get(pid, 0.0) for pid in worker_pids(worker.pid))
        db_cpu = sampler.stop()
        time.sleep(1.0)  # let any duplicate delivery land before counting
        scores = SubmissionScore.objects.filter(submission_id__in=ids)
        score_rows = scores.count()
        doubles = scores.values("submission_id").annotate(n=Count("id")).filter(n__gt=1).count()
        lost = len(ids) - scored
        elapsed = finished - started
        rollups = ("set aside (purged)" if args.rollups_aside else "not published" if args.no_rollup_publish
                   else "included: the clock stops when every student's rollup is fresh")
        print(f"pipeline: {len(ids)} submissions by {students_n} students ({cases_n} case(s) each) through Redis + 1 Celery "
              f"worker ({args.pool} pool of {args.concurrency}, prefetch {args.prefetch}, db reuse "
              f"{args.db_reuse_max or 'as configured'}, acks_late) on PostgreSQL; rollups {rollups}")
        print(f"  machine load average (1 min) before the run {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
        submit_phase = submitted - started if not args.backlog else started - submitted
        print(f"  submit phase: {submit_phase:.2f} s ({len(ids) / submit_phase:,.0f}/s from "
              f"{args.submit_processes} processes x {args.threads} threads)"
              + ("; done before the worker started, the clock below starts with the worker" if args.backlog else ""))
        if scored_at is not None:
            print(f"  all scored:   {scored_at - started:.2f} s = {len(ids) / (scored_at - started):,.0f} submissions/s")
        print(f"  end to end:   {elapsed:.2f} s from first submit to last score and last rollup = "
              f"{len(ids) / elapsed:,.0f} submissions/s sustained")
        print(f"  scored {scored}/{len(ids)}, score rows {score_rows}, lost {lost}, scored twice {doubles}, "
              f"students with a stale or queued rollup {waiting}")
        total_cpu = submit_cpu + worker_cpu + db_cpu
        n = len(ids)
        if args.backlog:
            print("  (submitting CPU not counted: it happened before the clock started)")
        print(f"  CPU per submission: submitting {1000 * submit_cpu / n:.2f} ms, worker {1000 * worker_cpu / n:.2f} ms "
              f"(consumer {1000 * main_cpu / n:.2f}, pool {1000 * (worker_cpu - main_cpu) / n:.2f}), "
              f"PostgreSQL backends {1000 * db_cpu / n:.2f} ms (Redis not counted) = {1000 * total_cpu / n:.2f} ms")
        print(f"  => capacity of 2 dedicated cores at that cost: about {2 * n / total_cpu:,.0f} submissions/s "
              f"(wall-clock figures above depend on what else the machine runs)")
        # Targets: 300 chart-case submissions/s end to end; inpatient ones (with the MS-DRG review) 100/s.
        target = 100 if args.inpatient else 300
        ok = lost == 0 and doubles == 0 and score_rows == len(ids) and waiting == 0 and len(ids) / elapsed >= target
        print(f"target >= {target}/s, none lost, none twice:", "OK" if ok else "NOT MET")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        with app.connection_for_write() as conn:
            for name in (QUEUE, QUEUE + "-rollups"):
                try:
                    purged = conn.default_channel.queue_purge(name)
                    if name.endswith("-rollups") and purged:
                        print(f"  ({purged} readiness-rollup messages for the certification app were set aside and purged)")
                    conn.default_channel.queue_delete(name)
                    conn.default_channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
                except Exception:  # noqa: BLE001 - the queue may not exist
                    pass
        connection.close()


if __name__ == "__main__":
    main()

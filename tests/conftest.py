"""Named role fixtures and shared helpers.

Five people cover every access-control question: a student, another student,
the student's instructor, an instructor of a different cohort, and an admin.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import AdminFactory, CohortFactory, InstructorFactory, StudentFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.CODESET_IMPORT_IN_THREAD = False  # imports run inline in tests unless a test asks otherwise
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CODESET_DROP_DIR = tmp_path / "drop"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.AXES_ENABLED = False
    from coding_lms.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    # An in-process cache outlives the rows a test rolled back, and on SQLite the next test may be
    # given the same primary keys: whatever was cached under them (a student's kept readiness state)
    # must not reach it. A shared Redis cache is left alone; PostgreSQL never reuses a key.
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


@pytest.fixture
def student(db):
    return StudentFactory(username="student", display_name="Sam Student")


@pytest.fixture
def other_student(db):
    return StudentFactory(username="other_student", display_name="Olive Other")


@pytest.fixture
def instructor(db):
    return InstructorFactory(username="instructor", display_name="Ivy Instructor")


@pytest.fixture
def other_instructor(db):
    return InstructorFactory(username="other_instructor", display_name="Oscar Outsider")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin_user", display_name="Ada Admin")


@pytest.fixture
def cohort(db, instructor, student):
    """The instructor teaches the student; other_student and other_instructor are outsiders."""
    return CohortFactory(name="Spring cohort", instructors=[instructor], students=[student])


@pytest.fixture
def other_cohort(db, other_instructor, other_student):
    return CohortFactory(name="Other cohort", instructors=[other_instructor], students=[other_student])


def _client_for(user) -> Client:
    import time as _time

    from coding_lms.middleware import SessionIdleRefreshMiddleware

    client = Client()
    client.force_login(user)
    # Mark the session fresh so the first request of a test does not also write it:
    # query-count pins then measure the page, not the session bookkeeping.
    session = client.session
    session[SessionIdleRefreshMiddleware.KEY] = int(_time.time())
    session.save()
    return client


@pytest.fixture
def student_client(student):
    return _client_for(student)


@pytest.fixture
def other_student_client(other_student):
    return _client_for(other_student)


@pytest.fixture
def instructor_client(instructor):
    return _client_for(instructor)


@pytest.fixture
def other_instructor_client(other_instructor):
    return _client_for(other_instructor)


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def login_as():
    return _client_for


# --- Browser tests -----------------------------------------------------------
# Playwright's sync API runs an event loop in this thread; Django's ORM refuses
# to run "inside" an event loop unless told the access is deliberate.
import os  # noqa: E402
import shutil  # noqa: E402

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_browser():
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium at /usr/bin/chromium")
        pytest.skip("Browser tests skipped: Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = console_errors
    yield page
    context.close()


@pytest.fixture
def browser_login():
    """Sign a user in through the real login form."""
    from tests.factories import TEST_PASSWORD

    def _login(page, username: str, password: str = TEST_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login


# --- Real Celery worker -------------------------------------------------------
# Tests marked `worker` talk to a real Redis broker and a real worker process
# that uses the test database. They run where CELERY_WORKER_TESTS=1 (CI's
# PostgreSQL + Redis pass) and skip, saying so, everywhere else.
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CELERY_WORKER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs a real Celery worker and Redis: run with CELERY_WORKER_TESTS=1 (done by .ci/run)")
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Start `celery worker` as a separate process against the test database and Redis."""
    from django.db import connection

    from coding_lms.celery import app

    redis_url = os.environ.get("REDIS_URL")
    database_url = os.environ.get("DATABASE_URL", "")
    if not redis_url or not database_url.startswith("postgres"):
        pytest.fail("worker tests need REDIS_URL and a PostgreSQL DATABASE_URL")
    test_db = connection.settings_dict["NAME"]
    worker_db_url = database_url.rsplit("/", 1)[0] + "/" + test_db
    env = {**os.environ, "DATABASE_URL": worker_db_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    node = f"test-{os.getpid()}-{time.monotonic_ns()}@codewise"
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coding_lms", "worker", "--pool=prefork", "--concurrency=2",
         "-Q", queue, "-n", node, "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=REPO_ROOT, env=env,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"*": {"queue": queue}}
    _forget_cached_router(app)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[node], timeout=0.5):
                break
            if process.poll() is not None:
                pytest.fail("the Celery worker exited during start-up")
        else:
            pytest.fail("the Celery worker did not answer a ping within 30 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        _forget_scoring_marker()
        app.conf.task_always_eager = True
        app.conf.task_routes = None
        app.conf.task_default_queue = "default"
        _forget_cached_router(app)


def _forget_scoring_marker() -> None:
    """A scoring run queued but never run (its queue goes with the worker) must not hold back a later test's submits."""
    from django.core.cache import cache

    from exercises.services.submissions import scoring_queued_key

    cache.delete(scoring_queued_key())


def _forget_cached_router(app) -> None:
    """Celery caches its routing table; rebuild it after task_routes changes."""
    app.amqp._rtable = None
    app.amqp.__dict__.pop("router", None)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until predicate() is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


# --- No silent skips in CI -----------------------------------------------------
_SKIPPED: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # Under xdist the controller sees every worker's reports, so this counts all skips.
    if os.environ.get("FAIL_ON_SKIP") == "1" and _SKIPPED and not hasattr(session.config, "workerinput"):
        print(f"\nFAIL_ON_SKIP=1: {len(_SKIPPED)} test(s) were skipped:")
        for nodeid in _SKIPPED[:50]:
            print(f"  {nodeid}")
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if any("browser" in nodeid or "e2e" in nodeid for nodeid in _SKIPPED):
        terminalreporter.write_line(
            "NOTE: browser tests were skipped because Chromium is not installed (apt-get install chromium).",
            yellow=True,
        )

"""Settings read the environment through typed helpers that fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from coding_lms.settings.env import database_from_url, env_bool, env_int, env_list

REPO = Path(__file__).resolve().parents[2]


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("WORKERS", "three")
    with pytest.raises(ImproperlyConfigured, match="WORKERS"):
        env_int("WORKERS", 1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.org, b.example.org ,")
    assert env_list("HOSTS") == ["a.example.org", "b.example.org"]


def test_database_url_postgres_and_sqlite():
    pg = database_from_url("postgres://user:p%40ss@db.internal:6543/lms")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == ("lms", "user", "p@ss", "db.internal", "6543")
    sqlite = database_from_url("sqlite:////tmp/x.sqlite3")
    assert sqlite["NAME"] == "/tmp/x.sqlite3"
    # A URL-configured SQLite file gets the same concurrency settings as the embedded default.
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    with pytest.raises(ImproperlyConfigured, match="scheme"):
        database_from_url("mysql://db/lms")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "lms.example.org"}, "SECRET_KEY must be set"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "k3y-" + "q8Zr!vT2" * 8}, "ALLOWED_HOSTS must be set"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "k3y-" + "q8Zr!vT2" * 8, "ALLOWED_HOSTS": "*"}, "not '*'"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, message):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deploy_checklist():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", SECRET_KEY="k3y-" + "q8Zr!vT2" * 8, ALLOWED_HOSTS="lms.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_mode_says_celery_runs_eagerly():
    result = _manage("check")
    assert result.returncode == 0
    assert "Celery tasks run eagerly" in result.stderr


def test_docker_compose_commands_point_at_real_modules():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "db", "redis"):
        assert "healthcheck" in services[name] or name == "beat"
    assert "gunicorn coding_lms.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A coding_lms worker")
    assert services["beat"]["command"].startswith("celery -A coding_lms beat")
    assert "noeviction" in services["redis"]["command"]
    # The modules those commands name really exist and import.
    import coding_lms.celery
    import coding_lms.wsgi

    assert coding_lms.wsgi.application is not None
    assert coding_lms.celery.app.main == "coding_lms"
    example = (REPO / ".env.example").read_text()
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "POSTGRES_PASSWORD"):
        assert f"{variable}=" in example


def test_beat_schedule_names_registered_tasks():
    from django.conf import settings

    from coding_lms.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, f"{entry['task']} is scheduled but not registered"


def test_visibility_timeout_outlasts_the_task_time_limit():
    from django.conf import settings

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT

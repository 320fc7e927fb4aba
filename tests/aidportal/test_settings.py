import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_database_connections_persist():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="a.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_when_the_variable_is_unset():
    """A deployment that forgets DJANGO_DEBUG gets production settings (and
    then needs a secret), not the debug pages."""
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="a.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    code = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    shown = run_manage(
        "shell",
        "-c",
        code,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="a.example",
    )
    assert shown.returncode == 0, shown.stderr
    assert "DEBUG False" in shown.stdout


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_debug_is_on_only_when_asked(value):
    code = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    shown = run_manage("shell", "-c", code, DJANGO_DEBUG=value)
    assert shown.returncode == 0, shown.stderr
    assert "DEBUG True" in shown.stdout


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="aid.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.django_db
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a PostgreSQL connection option",
)
def test_postgresql_queries_start_no_parallel_workers():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"

"""Settings come from the environment; each case runs in a fresh Python process.

Settings are computed once at import, so the only honest way to try another
environment is a subprocess with that environment.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Every variable transition/settings.py reads: removed from the inherited environment
# so that each case sees exactly what it sets, whatever `make test` exported.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "BASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "TIME_ZONE",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "HTTPS",
    "SECURE_HSTS_SECONDS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW_MINUTES",
    "TRUSTED_PROXY_COUNT",
    "SESSION_IDLE_TIMEOUT_HOURS",
    "SESSION_MAX_AGE_HOURS",
    "CSP_REPORT_URI",
    "CSP_REPORT_ONLY",
    "LOG_LEVEL",
    "VAR_DIR",
    "WORKER_HEARTBEAT_STALE_AFTER",
    "HEALTHZ_INTERNAL_NETWORKS",
    "REMINDERS_HOUR",
    "REMINDERS_DUE_SOON_DAYS",
    "REMINDERS_ESCALATE_AFTER_DAYS",
    "REMINDERS_MAX_ATTEMPTS",
    "REMINDERS_BATCH_SIZE",
    "RUNBOOKS_WALKTHROUGH_DAYS",
    "MONITORING_VERIFICATION_DAYS",
    "MONITORING_HEARTBEAT_MINUTES",
    "MONITORING_REMIND_DAYS",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_TOKEN_ENDPOINT",
    "OIDC_USERINFO_ENDPOINT",
    "OIDC_JWKS_URI",
    "OIDC_SCOPES",
    "OIDC_EMAIL_CLAIM",
    "OIDC_GROUPS_CLAIM",
    "OIDC_STAFF_GROUP",
    "OIDC_DELIVERY_LEADS_GROUP",
    "OIDC_PROVIDER_NAME",
    "LOCAL_LOGIN",
)

PRINT_SECRET_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def run_with_env(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "transition.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_checks_pass_with_a_production_environment(tmp_path: Path) -> None:
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.com",
        VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = run_with_env(["manage.py", "check"], DEBUG="0", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_debug_without_a_secret_key_generates_one_into_var_dir_and_keeps_it(
    tmp_path: Path,
) -> None:
    first = run_with_env(["-c", PRINT_SECRET_KEY], DEBUG="1", VAR_DIR=str(tmp_path))
    second = run_with_env(["-c", PRINT_SECRET_KEY], DEBUG="1", VAR_DIR=str(tmp_path))

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert first.stdout.strip() == key
    assert second.stdout.strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_an_unreadable_boolean_is_refused_with_its_name(tmp_path: Path) -> None:
    result = run_with_env(["manage.py", "check"], DEBUG="maybe", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_every_variable_the_settings_read_is_documented() -> None:
    source = (settings.BASE_DIR / "transition" / "settings.py").read_text()
    read = set(re.findall(r"""(?:env_\w+|os\.environ\.get)\(\s*["']([A-Z0-9_]+)["']""", source))
    env_example = (settings.BASE_DIR / ".env.example").read_text()
    readme = (settings.BASE_DIR / "README.md").read_text()

    assert read >= {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
    assert not {name for name in read if f"# {name}=" not in env_example}, ".env.example"
    assert not {name for name in read if f"| `{name}` |" not in readme}, "README.md"
    assert read == set(SETTINGS_VARIABLES), "SETTINGS_VARIABLES in this file"


def test_manage_py_falls_back_to_development_mode_only_without_key_and_debug(
    tmp_path: Path,
) -> None:
    result = run_with_env(["manage.py", "check"], VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def test_the_web_server_never_falls_back_to_development_mode(tmp_path: Path) -> None:
    result = run_with_env(["-c", "import transition.wsgi"], VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_checks_without_warnings():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
        ALLOWED_HOSTS="kindred.example.org",
        SITE_URL="https://kindred.example.org",
        EMAIL_URL="smtp://kindred:secret@smtp.example.org:587/?tls=True",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

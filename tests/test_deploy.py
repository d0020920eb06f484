import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _deploy_check(*, without=(), **overrides):
    """`manage.py check --deploy` as the release step runs it, with production settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in without
        and k
        not in {
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "PAYMENT_PROVIDER",
            "PAYMENT_SANDBOX_ALLOWED",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
            "ALLOWED_HOSTS": "kindred.example.org",
            "SITE_URL": "https://kindred.example.org",
            "EMAIL_URL": "smtp://kindred:secret@smtp.example.org:587/?tls=True",
            **overrides,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks_without_warnings():
    result = _deploy_check(PAYMENT_PROVIDER="yookassa", YOOKASSA_SHOP_ID="123456", YOOKASSA_SECRET_KEY="live_x")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_release_step_stops_a_deploy_without_a_shared_broker_and_cache_or_https_links():
    result = _deploy_check(
        without={"REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"},
        SITE_URL="http://kindred.example.org",
        PAYMENT_PROVIDER="yookassa",
        YOOKASSA_SHOP_ID="123456",
        YOOKASSA_SECRET_KEY="live_x",
    )

    assert result.returncode != 0
    assert {"kindred.E001", "kindred.E002", "kindred.E003"} <= set(re.findall(r"kindred\.E\d+", result.stderr))


def test_the_release_step_stops_a_production_deploy_that_would_take_gifts_through_the_sandbox():
    refused = _deploy_check()  # PAYMENT_PROVIDER's default is the sandbox
    staging = _deploy_check(PAYMENT_PROVIDER="sandbox", PAYMENT_SANDBOX_ALLOWED="true")

    assert refused.returncode != 0
    assert "fundraising.E001" in refused.stderr + refused.stdout
    assert staging.returncode == 0, staging.stdout + staging.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _entrypoint_commands():
    script = (ROOT / "config/deploy/entrypoint.sh").read_text()
    return set(re.findall(r"^  (\w+)\)$", script, re.MULTILINE))


def test_the_image_and_compose_run_the_entry_script_the_production_smoke_runs():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    dockerfile = (ROOT / "Dockerfile").read_text()
    smoke = (ROOT / "config/deploy/prod-check.sh").read_text()

    kindred = {name: s for name, s in compose["services"].items() if s.get("image") == "kindred:latest"}
    assert {s["command"] for s in kindred.values()} == {"release", "web", "worker", "beat"}
    assert _entrypoint_commands() == {"build", "release", "web", "worker", "beat"}
    assert 'ENTRYPOINT ["config/deploy/entrypoint.sh"]' in dockerfile
    assert "config/deploy/entrypoint.sh build" in dockerfile
    assert {f"config/deploy/entrypoint.sh {c}" for c in _entrypoint_commands()} <= set(
        re.findall(r"config/deploy/entrypoint\.sh \w+", smoke)
    )


def test_the_nginx_template_gets_every_value_it_needs_in_compose_and_in_the_smoke():
    template = (ROOT / "config/deploy/nginx.conf.template").read_text()
    needed = set(re.findall(r"\$\{(KINDRED_\w+)\}", template))
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    smoke = (ROOT / "config/deploy/prod-check.sh").read_text()

    assert needed == set(compose["services"]["nginx"]["environment"])
    assert needed <= set(re.findall(r"(KINDRED_\w+)=", smoke))
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in template
    assert "X-Forwarded-Proto $scheme" in template

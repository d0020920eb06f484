"""Production-shaped behaviour: error pages, static files, settings that write nothing, logs."""

import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

import config.settings as production_settings
from config.logs import OneLineFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "kindred.example.org",
    "SITE_URL": "https://kindred.example.org",
    "EMAIL_URL": "smtp://kindred:secret@smtp.example.org:587/?tls=True",
}


def _env(**overrides):
    keep = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SITE_URL", "PORT"}}
    merged = {**keep, **PRODUCTION, **overrides}
    return {k: v for k, v in merged.items() if v is not None}  # None: leave the variable unset


def _python(code, **env):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(**env), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "We cannot find this page"), ("ru", "Мы не нашли такую страницу")],
)
def test_a_missing_page_answers_404_in_the_sites_look_and_the_visitors_language(client, language, text):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    html = response.content.decode()
    assert response.status_code == 404
    assert text in html
    assert f'<html lang="{language}">' in html
    assert "css/kindred.css" in html


@pytest.mark.parametrize(
    ("view", "args", "status", "english", "russian"),
    [
        (defaults.bad_request, (ValueError(),), 400, "We could not understand", "Мы не смогли разобрать"),
        (defaults.permission_denied, (PermissionDenied(),), 403, "not open to you", "вам недоступна"),
        (defaults.server_error, (), 500, "Something went wrong on our side", "на нашей стороне"),
    ],
)
def test_error_pages_need_no_database_and_speak_both_languages(view, args, status, english, russian):
    # No django_db mark: any query would fail the test.
    request = RequestFactory().get("/")
    for language, text in (("en", english), ("ru", russian)):
        with translation.override(language):
            response = view(request, *args)
        assert response.status_code == status
        assert text in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_a_valid_csrf_token_gets_the_sites_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "a@example.org"}, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()


@pytest.mark.django_db
def test_allauths_rate_limit_answers_with_the_sites_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})

    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})

    assert response.status_code == 429
    assert "too many requests from your network" in response.content.decode()


def test_collectstatic_with_the_production_storage_builds_a_complete_manifest(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert {"css/kindred.css", "vendor/bootstrap/bootstrap.min.css", "vendor/chartjs/chart.umd.min.js"} <= set(manifest)
    assert (tmp_path / manifest["css/kindred.css"]).exists()


def test_settings_write_nothing_at_import_and_follow_the_environment():
    code = (
        "import os, pathlib\n"
        "def refuse(*a, **k): raise AssertionError('settings wrote to the file system')\n"
        "pathlib.Path.mkdir = refuse; os.makedirs = refuse; os.mkdir = refuse\n"
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(s.SITE_URL, s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'], s.LANGUAGE_CODE,"
        " s.ACCOUNT_EMAIL_SUBJECT_PREFIX.strip(), s.TRUSTED_PROXY_COUNT)\n"
    )
    development = _python(code, DEBUG="true", PORT="8101", SITE_URL=None, REDIS_URL=None)
    production = _python(
        code,
        REDIS_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/8",
        CACHE_URL="redis://127.0.0.1:6379/9",
        LANGUAGE_CODE="ru",
        EMAIL_SUBJECT_PREFIX="[Фонд]",
        TRUSTED_PROXY_COUNT="2",
    )

    assert development.split()[:2] == ["http://127.0.0.1:8101", "filesystem://"]
    assert production.split() == [
        "https://kindred.example.org",
        "redis://127.0.0.1:6379/8",
        "redis://127.0.0.1:6379/9",
        "ru",
        "[Фонд]",
        "2",
    ]


@pytest.mark.django_db
def test_each_response_carries_a_request_id_and_log_lines_carry_it_too(client):
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(OneLineFormatter("%(request_id)s %(message)s").format(record))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="edge-1234abcd")
        invented = client.get("/no-such-page/", HTTP_X_REQUEST_ID="bad id\nwith a break")
    finally:
        logger.removeHandler(handler)

    assert response["X-Request-ID"] == "edge-1234abcd"
    assert len(invented["X-Request-ID"]) == 32
    assert records[0].startswith("edge-1234abcd Not Found: /no-such-page/")
    assert all("\n" not in line for line in records)


def test_log_lines_carry_utc_times_whatever_the_organisations_time_zone():
    record = logging.LogRecord("kindred", logging.INFO, __file__, 1, "hello", None, None)
    record.created = 1_764_450_245.5  # 2025-11-29T21:04:05.5Z
    record.msecs = 500

    line = OneLineFormatter("%(asctime)s %(message)s").format(record)

    assert line == "2025-11-29T21:04:05.500Z hello"


@pytest.mark.django_db
def test_a_request_for_another_host_is_refused_without_an_error_in_the_log(client, capsys, settings):
    logging.config.dictConfig(production_settings.LOGGING)  # the production log set-up, to standard error
    try:
        refused = client.get("/", HTTP_HOST="scanner.example.net")
        client.get("/no-such-page/")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    lines = capsys.readouterr().err.splitlines()

    assert refused.status_code == 400
    assert not [line for line in lines if " ERROR " in line]
    assert any("WARNING django.request" in line and "Not Found: /no-such-page/" in line for line in lines)

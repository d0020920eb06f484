"""What a production site must refuse: the sandbox taking gifts, oversized bodies, an IPv6 client
escaping limits by changing address, internal English in API errors, undocumented settings."""

import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.net import client_network
from events.models import Event
from fundraising.checks import payment_provider_check
from fundraising.models import Donation, SandboxPayment
from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, UserFactory
from tests.fundraising.conftest import make_campaign

ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.2"


@pytest.fixture
def campaign(db):
    return make_campaign(CommunityFactory())


def _give(client, campaign, **extra):
    data = {"frequency": "once", "preset": "500.00", "name": "Mia", "email": "mia@example.org"}
    return client.post(reverse("fundraising:give", args=["campaign", campaign.slug]), data, **extra)


@pytest.mark.django_db
def test_without_the_operators_consent_the_sandbox_takes_no_gift_and_its_pages_are_gone(client, campaign, settings):
    settings.PAYMENT_SANDBOX_ALLOWED = True
    _give(client, campaign)
    reference = SandboxPayment.objects.get().reference
    settings.PAYMENT_SANDBOX_ALLOWED = False

    refused = _give(client, campaign, HTTP_ACCEPT_LANGUAGE="ru")
    checkout = client.post(reverse("fundraising:sandbox_checkout", args=[reference]), {"outcome": "succeed"})
    callback = client.post(reverse("fundraising:callback", args=["sandbox"]), b"{}", content_type="application/json")

    assert refused.status_code == 200
    assert "Пожертвования онлайн на этом сайте пока не настроены." in refused.content.decode()
    assert checkout.status_code == 404
    assert callback.status_code == 404
    assert Donation.objects.count() == 1
    assert not Donation.objects.filter(status=Donation.Status.SUCCEEDED).exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"PAYMENT_PROVIDER": "sandbox", "PAYMENT_SANDBOX_ALLOWED": False}, "fundraising.E001"),
        ({"PAYMENT_PROVIDER": "sandbox", "PAYMENT_SANDBOX_ALLOWED": True}, None),
        ({"PAYMENT_PROVIDER": "paypal"}, "fundraising.E002"),
        ({"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_x", "STRIPE_WEBHOOK_SECRET": ""}, "fundraising.E003"),
        ({"PAYMENT_PROVIDER": "yookassa", "YOOKASSA_SHOP_ID": "1", "YOOKASSA_SECRET_KEY": "live_x"}, None),
    ],
)
def test_the_deploy_check_names_a_payment_provider_that_cannot_take_real_gifts(settings, overrides, error):
    for name, value in overrides.items():
        setattr(settings, name, value)

    assert [message.id for message in payment_provider_check()] == ([error] if error else [])


@pytest.mark.django_db
def test_a_body_larger_than_any_form_takes_is_refused_before_it_is_read(client):
    response = client.post(
        reverse("home"),
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(django_settings.REQUEST_MAX_BYTES + 1),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 413
    assert "Файл слишком большой" in response.content.decode()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:203.0.113.5", "203.0.113.5"),  # IPv4-mapped: each IPv4 client counted on its own
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64_network(settings, address, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)

    assert client_network(request) == expected


@pytest.mark.django_db
def test_a_client_changing_its_ipv6_address_within_its_network_meets_the_same_give_limit(client, campaign, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    answers = [
        _give(client, campaign, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"2001:db8:7:7::{n:x}").status_code
        for n in range(1, 12)
    ]
    other_network = _give(client, campaign, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8:7:8::1")

    assert answers == [302] * 10 + [429]
    assert other_network.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("ru", "Не найдено.")])
def test_an_api_404_speaks_the_clients_language_and_names_no_model(language, detail):
    missing_object = APIClient().get("/api/v1/campaigns/no-such-campaign/", HTTP_ACCEPT_LANGUAGE=language)
    missing_url = APIClient().get("/api/v1/no-such-endpoint/", HTTP_ACCEPT_LANGUAGE=language)

    assert (missing_object.status_code, missing_object.json()) == (404, {"detail": detail})
    assert (missing_url.status_code, missing_url.json()) == (404, {"detail": detail})


@pytest.mark.django_db
def test_api_errors_about_the_request_itself_are_in_the_clients_language(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon_read": "1/min"},
    }
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ru")
    client.get("/api/v1/campaigns/")
    throttled = client.get("/api/v1/campaigns/")
    token = Token.objects.create(user=UserFactory()).key
    event = EventFactory(status=Event.Status.PUBLISHED)
    unreadable = APIClient(HTTP_ACCEPT_LANGUAGE="ru", HTTP_AUTHORIZATION=f"Token {token}").post(
        f"/api/v1/events/{event.pk}/register/", data="{not json", content_type="application/json"
    )

    assert throttled.status_code == 429
    assert re.fullmatch(
        r"Слишком много запросов\. Попробуйте снова через \d+ секунд[уы]?\.", throttled.json()["detail"]
    )
    assert throttled["Retry-After"].isdigit()
    assert unreadable.status_code == 400
    assert unreadable.json() == {"detail": "Не удалось прочитать тело запроса: отправьте корректный JSON."}


def test_every_setting_read_from_the_environment_is_documented_in_settings_and_readme():
    source = (ROOT / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', source))
    gunicorn_conf = (ROOT / "config/deploy/gunicorn.conf.py").read_text()
    gunicorn = set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', gunicorn_conf))

    assert read - set(django_settings.ENVIRONMENT) == set()
    assert {name for name in django_settings.ENVIRONMENT if f"`{name}`" not in readme} == set()
    assert {name for name in gunicorn if f"`{name}`" not in readme} == set()


def test_gunicorn_listens_on_loopback_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert runpy.run_path(str(ROOT / "config/deploy/gunicorn.conf.py"))["bind"] == "127.0.0.1:8123"
    assert "GUNICORN_BIND=0.0.0.0:8000" in (ROOT / "Dockerfile").read_text()  # a container's own network

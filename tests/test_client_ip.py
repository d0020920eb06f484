"""One client address for every limit: config.net.client_ip and the consumers that use it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from config.net import client_ip
from members.models import User
from tests.factories import PASSWORD, UserFactory
from tests.members.test_accounts import sign_up

PROXY = "10.0.0.2"  # the nginx in front of the web process


def _request(remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "203.0.113.5", "198.51.100.7"),  # no proxies trusted: the header is a client's word
        (1, PROXY, "203.0.113.5", "203.0.113.5"),
        (1, PROXY, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a spoofed first entry is ignored
        (2, PROXY, "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),  # balancer + nginx
        (2, PROXY, "203.0.113.5", PROXY),  # fewer entries than proxies: never a client-chosen one
        (1, "198.51.100.7", None, "198.51.100.7"),  # straight to the web process (a health check)
        (1, PROXY, "203.0.113.5:51234", "203.0.113.5"),
        (1, PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (1, PROXY, "2001:DB8:0::1", "2001:db8::1"),
        (1, PROXY, "not-an-address", PROXY),
    ],
)
def test_client_ip_believes_only_the_entries_our_proxies_wrote(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(_request(remote, forwarded)) == expected


def _from(address):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


@pytest.mark.django_db
def test_sign_up_limits_count_each_client_behind_the_proxy_separately(client, commit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    client.defaults.update(_from("203.0.113.5"))
    sign_up(client, commit, email="first@example.org")
    client.logout()

    refused = sign_up(client, commit, email="second@example.org")
    client.defaults.update(_from("198.51.100.9"))
    accepted = sign_up(client, commit, email="third@example.org")

    assert refused.status_code == 429
    assert accepted.status_code == 302
    assert set(User.objects.values_list("email", flat=True)) == {"first@example.org", "third@example.org"}


@pytest.mark.django_db
def test_a_lock_out_holds_for_the_attacking_address_only(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="anna@example.org")
    login = reverse("account_login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"login": "anna@example.org", "password": "wrong"}, **_from("6.6.6.6"))

    locked = client.post(login, {"login": "anna@example.org", "password": PASSWORD}, **_from("6.6.6.6"))
    own = client.post(login, {"login": "anna@example.org", "password": PASSWORD}, **_from("203.0.113.5"))

    assert locked.status_code == 429
    assert own.status_code == 302


@pytest.mark.django_db
def test_anonymous_api_reads_are_throttled_per_client_in_the_api_error_format(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon_read": "3/min"},
    }
    api = APIClient()
    url = reverse("api:campaign-list")

    first = [api.get(url, **_from("203.0.113.5")).status_code for _ in range(4)]
    refused = api.get(url, **_from("203.0.113.5"))
    other = api.get(url, **_from("198.51.100.9"))

    assert first == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert set(refused.json()) == {"detail"}
    assert int(refused["Retry-After"]) > 0
    assert other.status_code == 200


@pytest.mark.django_db
def test_api_writes_are_throttled_per_person(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "write": "2/min"},
    }
    api, other = APIClient(), APIClient()
    api.force_authenticate(UserFactory())
    other.force_authenticate(UserFactory())
    url = reverse("api:donation-list")  # an empty gift is refused with 400, after the throttles

    statuses = [api.post(url, {}, format="json").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]
    assert other.post(url, {}, format="json").status_code == 400

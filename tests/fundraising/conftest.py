"""Fundraising fixtures: a community with its people, campaigns, and a fake of the providers' HTTP servers.

The fake sits at the lowest level the SDKs share (requests' transport adapter), so the stripe and
yookassa libraries, and the sandbox's own callback post, run their real code down to the socket.
"""

import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from fundraising.models import Campaign, Fundraiser, Team
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


class FakeProviderHTTP:
    """Routes requests by host: a provider's API answered by handlers, the test server by Django."""

    def __init__(self):
        self.handlers = {}
        self.calls = []

    def on(self, method, url_prefix, handler):
        self.handlers[(method.upper(), url_prefix)] = handler

    def send(self, adapter, request, **kwargs):
        self.calls.append(request)
        parts = urlsplit(request.url)
        if parts.hostname in ("testserver", "localhost", "127.0.0.1"):
            return self._django(request, parts)
        for (method, prefix), handler in self.handlers.items():
            if request.method == method and request.url.startswith(prefix):
                status, body = handler(request)
                return self._response(request, status, body)
        raise AssertionError(f"unexpected HTTP call {request.method} {request.url}")

    def _django(self, request, parts):
        client = Client(HTTP_HOST=parts.netloc)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "content-type")}
        body = request.body or b""
        response = client.generic(
            request.method,
            parts.path,
            data=body,
            content_type=request.headers.get("Content-Type", ""),
            headers=headers,
        )
        return self._response(request, response.status_code, response.content)

    @staticmethod
    def _response(request, status, body):
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response


@pytest.fixture
def provider_http(monkeypatch):
    fake = FakeProviderHTTP()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kw: fake.send(adapter, request, **kw)
    )
    return fake


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").user


@pytest.fixture
def member(community):
    return MembershipFactory(community=community, role="member").user


@pytest.fixture
def outsider(db):
    """A manager of another community."""
    return MembershipFactory(role="manager").user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def make_campaign(community, **kwargs):
    defaults = {
        "title": "Warm winter",
        "slug": f"warm-winter-{Campaign.objects.count() + 1}",
        "goal": Decimal("100000"),
        "currency": "RUB",
        "status": Campaign.Status.ACTIVE,
        "suggested_amounts": ["500.00", "1000.00", "3000.00"],
        "story": "Blankets and heaters for families.",
    }
    return Campaign.objects.create(community=community, **{**defaults, **kwargs})


@pytest.fixture
def campaign(community):
    return make_campaign(community)


@pytest.fixture
def owner(community):
    return MembershipFactory(community=community, role="member").user


@pytest.fixture
def team(campaign, owner):
    return Team.objects.create(campaign=campaign, name="Runners", slug="runners", captain=owner)


@pytest.fixture
def fundraiser(campaign, owner, team):
    return Fundraiser.objects.create(
        campaign=campaign,
        owner=owner,
        team=team,
        title="Nina runs for warmth",
        slug="nina-runs",
        goal=Decimal("10000"),
    )

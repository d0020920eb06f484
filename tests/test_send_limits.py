"""Limits on e-mail to an address someone typed: per client address and per target address, a 429 page."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from communities.models import Invitation
from events.models import Event, Registration
from members.models import OutboundMessage
from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(client, event, email, address):
    return client.post(
        reverse("events:register", kwargs={"pk": event.pk}),
        {"guest_name": "Someone", "guest_email": email},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def events(db):
    community = CommunityFactory()
    return [EventFactory(community=community, status=Event.Status.PUBLISHED, capacity=500) for _ in range(7)]


def test_one_address_gets_at_most_five_guest_registrations_an_hour_from_any_networks(client, events, settings):
    settings.SEND_LIMITS = {**settings.SEND_LIMITS, "registration": ((20, 3600), (5, 3600))}

    answers = [register(client, event, "stranger@example.org", f"203.0.113.{n}") for n, event in enumerate(events)]

    assert [a.status_code for a in answers] == [302] * 5 + [429] * 2
    assert "Too many attempts" in answers[5].text
    assert answers[5]["Retry-After"] == "3600"
    assert Registration.objects.filter(guest_email="stranger@example.org").count() == 5


def test_one_network_gets_at_most_twenty_guest_registrations_an_hour(client, events, settings):
    settings.SEND_LIMITS = {**settings.SEND_LIMITS, "registration": ((20, 3600), (5, 3600))}
    event = events[0]

    answers = [register(client, event, f"guest{n}@example.org", "198.51.100.7") for n in range(21)]
    other_network = register(client, event, "guest-elsewhere@example.org", "198.51.100.8")

    assert [a.status_code for a in answers] == [302] * 20 + [429]
    assert other_network.status_code == 302
    assert Registration.objects.filter(event=event).count() == 21


def test_behind_a_trusted_proxy_the_limit_follows_the_forwarded_client_address(client, events, settings):
    settings.SEND_LIMITS = {**settings.SEND_LIMITS, "registration": ((2, 3600), (50, 3600))}
    settings.TRUSTED_PROXY_COUNT = 1
    event = events[0]

    def via_proxy(n, client_address):
        return client.post(
            reverse("events:register", kwargs={"pk": event.pk}),
            {"guest_name": "Someone", "guest_email": f"p{n}@example.org"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    assert [via_proxy(n, "192.0.2.1").status_code for n in range(3)] == [302, 302, 429]
    assert via_proxy(9, "192.0.2.2").status_code == 302  # another client behind the same proxy


def test_a_signed_in_member_registering_themselves_is_not_counted(client, events, settings):
    settings.SEND_LIMITS = {**settings.SEND_LIMITS, "registration": ((1, 3600), (1, 3600))}
    member = MembershipFactory(community=events[0].community).user
    client.force_login(member)

    answers = [client.post(reverse("events:register", kwargs={"pk": e.pk})).status_code for e in events[:3]]

    assert answers == [302, 302, 302]


@pytest.fixture
def manager(db):
    community = CommunityFactory(join_policy="invitation")
    return MembershipFactory(community=community, role="manager")


def test_a_person_gets_at_most_three_invitations_a_day_by_the_web_and_the_api(client, manager, settings):
    settings.SEND_LIMITS = {**settings.SEND_LIMITS, "invitation": ((200, 3600), (3, 86400))}
    client.force_login(manager.user)
    url = reverse("communities:manage_invitations", kwargs={"slug": manager.community.slug})
    token = Token.objects.create(user=manager.user).key
    api_url = f"/api/v1/communities/{manager.community.pk}/invitations/"

    web = [client.post(url, {"email": "friend@example.org", "role": "member"}).status_code for _ in range(3)]
    refused = client.post(url, {"email": "friend@example.org", "role": "member"})
    api = client.post(
        api_url, {"email": "friend@example.org"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert web == [302, 302, 302]
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert api.status_code == 429
    assert "detail" in api.json()
    assert Invitation.objects.filter(email="friend@example.org").count() == 3
    invitations_sent = OutboundMessage.objects.filter(to_email="friend@example.org").count()
    assert invitations_sent == 3


def test_password_reset_mails_one_address_at_most_three_times_an_hour(client):
    UserFactory(email="victim@example.org")

    answers = [
        client.post(reverse("account_reset_password"), {"email": "victim@example.org"}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert OutboundMessage.objects.filter(to_email="victim@example.org").count() == 3

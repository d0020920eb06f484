import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities.crm.models import ContactLog
from communities.models import Membership
from members import services
from members.models import Activity, ConsentRecord, OutboundMessage, User
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def person():
    person = UserFactory(name="Nina Volkova", phone="+7 900 1", city="Omsk")
    services.consent_record(user=person, kind="personal_data", granted=True, source="sign-up", now=WHEN)
    return person


@pytest.fixture
def membership(person):
    membership = MembershipFactory(user=person, community=CommunityFactory(name="Runners"))
    manager = MembershipFactory(community=membership.community, role="manager").user
    services.activity_record(
        user=person, community=membership.community, kind=Activity.Kind.ATTENDED, summary="Park run"
    )
    services.activity_record(
        user=person,
        community=membership.community,
        kind=Activity.Kind.CONTACTED,
        actor=manager,
        summary="Sounded tired",
    )
    services.activity_record(
        user=person, community=membership.community, kind=Activity.Kind.NOTE, actor=manager, summary="Private note"
    )
    ContactLog.objects.create(membership=membership, author=manager, kind="call", note="Private call note")
    ContactLog.objects.create(membership=membership, author=manager, kind="note", note="Another private note")
    return membership


def download(client, person):
    client.force_login(person)
    response = client.get(reverse("members:personal_data_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kindred-my-data.json"'
    return json.loads(response.content)


def test_a_person_downloads_everything_kept_about_them(client, commit, person, membership):
    with commit():
        services.message_send(key="t:1", template="hello", context={"name": "Nina"}, user=person)

    data = download(client, person)

    assert data["profile"]["email"] == person.email
    assert (data["profile"]["name"], data["profile"]["phone"], data["profile"]["city"]) == (
        "Nina Volkova",
        "+7 900 1",
        "Omsk",
    )
    assert data["consents"] == [
        {"kind": "personal_data", "granted": True, "recorded_at": WHEN.isoformat(), "source": "sign-up"}
    ]
    assert [m["community"] for m in data["memberships"]] == ["Runners"]
    assert [m["subject"] for m in data["messages"]] == [OutboundMessage.objects.get().subject]
    assert [c["kind"] for c in data["contacts"]] == ["call"]
    assert {a["kind"] for a in data["activity"]} == {"attended", "contacted"}


def test_managers_private_notes_are_not_in_the_download(client, person, membership):
    text = json.dumps(download(client, person), ensure_ascii=False)

    assert "Park run" in text
    assert "Private" not in text
    assert "Sounded tired" not in text


def test_someone_elses_data_is_never_in_the_download(client, person, membership):
    other = UserFactory(email="other@example.org")
    MembershipFactory(user=other, community=membership.community)

    text = json.dumps(download(client, person))

    assert "other@example.org" not in text


def test_the_api_returns_the_same_data(person, membership):
    api = APIClient()
    api.force_login(person)

    body = api.get(reverse("api:me-data")).json()

    assert body["profile"]["email"] == person.email
    assert [m["community"] for m in body["memberships"]] == ["Runners"]
    assert APIClient().get(reverse("api:me-data")).status_code == 401


def test_the_data_pages_need_a_signed_in_person(client):
    for name in ("members:personal_data", "members:personal_data_download"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response.url


def test_deleting_the_account_removes_the_person_and_anonymises_the_ledger(client, commit, person, membership):
    with commit():
        services.message_send(key="t:2", template="hello", context={"name": "Nina"}, user=person)
    client.force_login(person)

    response = client.post(reverse("members:personal_data"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not Activity.objects.filter(user_id=person.pk).exists()
    assert not ConsentRecord.objects.filter(user_id=person.pk).exists()
    assert not ContactLog.objects.filter(membership_id=membership.pk).exists()
    message = OutboundMessage.objects.get(key="t:2")
    assert (message.user, message.to_email, message.subject, message.body_text) == (None, "", "", "")
    assert (message.template, message.status) == ("hello", "sent")  # the ledger still shows what was sent


def test_a_wrong_password_deletes_nothing(client, person):
    client.force_login(person)

    response = client.post(reverse("members:personal_data"), {"password": "wrong", "confirm": "on"})

    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()


def test_the_confirmation_box_is_required(client, person):
    client.force_login(person)

    response = client.post(reverse("members:personal_data"), {"password": PASSWORD})

    assert "Tick this box to confirm." in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()


def test_the_last_manager_must_hand_over_the_role_first(client, person):
    MembershipFactory(user=person, role="manager", community=CommunityFactory(name="Trustees"))
    client.force_login(person)

    page = client.get(reverse("members:personal_data")).content.decode()
    response = client.post(reverse("members:personal_data"), {"password": PASSWORD, "confirm": "on"})

    assert "You are the only manager of Trustees." in page
    assert "You are the only manager of Trustees." in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()


def test_a_manager_with_a_co_manager_may_leave(person):
    community = CommunityFactory()
    MembershipFactory(user=person, role="manager", community=community)
    MembershipFactory(role="manager", community=community)

    services.user_delete(user=person, password=PASSWORD)

    assert not User.objects.filter(pk=person.pk).exists()


def test_other_apps_can_add_their_anonymisation(person):
    seen = []
    services.user_anonymiser(covers=["members.User"])(lambda *, departing: seen.append(departing.email))
    try:
        services.user_delete(user=person, password=PASSWORD)
    finally:
        services.ANONYMISERS.pop()

    assert seen == [person.email]


def test_the_download_holds_gifts_fundraisers_and_registrations_also_those_made_as_a_guest(client, person):
    from decimal import Decimal

    from events.models import Registration
    from fundraising.models import Campaign, Donation, Fundraiser, FundraiserUpdate
    from tests.events.factories import EventFactory

    community = CommunityFactory()
    campaign = Campaign.objects.create(community=community, title="Warm winter", slug="ww", goal=1000, status="active")
    page = Fundraiser.objects.create(campaign=campaign, owner=person, title="My run", slug="my-run", goal=500)
    FundraiserUpdate.objects.create(fundraiser=page, title="Halfway", body="Thanks")
    for email, user in ((person.email.upper(), None), ("someone@example.org", None), (person.email, person)):
        Donation.objects.create(
            campaign=campaign,
            amount=Decimal("100"),
            currency="RUB",
            donor_email=email,
            donor_key=email.lower(),
            user=user,
            provider="sandbox",
        )
    Registration.objects.create(event=EventFactory(title="Park run"), guest_name="Nina", guest_email=person.email)
    Registration.objects.create(event=EventFactory(title="Not hers"), guest_name="X", guest_email="x@example.org")

    data = download(client, person)

    assert [d["email"] for d in data["donations"]] == [person.email.upper(), person.email]
    assert [(f["title"], [u["title"] for u in f["updates"]]) for f in data["fundraisers"]] == [("My run", ["Halfway"])]
    assert [(r["event"], r["as_guest"]) for r in data["registrations"]] == [("Park run", True)]
    assert "x@example.org" not in json.dumps(data)


def test_guest_records_under_an_unverified_address_are_not_in_the_download(client, person):
    from allauth.account.models import EmailAddress

    from events.models import Registration
    from tests.events.factories import EventFactory

    EmailAddress.objects.filter(user=person).update(verified=False)
    Registration.objects.create(event=EventFactory(), guest_name="Nina", guest_email=person.email)

    assert download(client, person)["registrations"] == []


def test_the_download_holds_monthly_gifts_with_their_months_and_teams_captained(client, person):
    from datetime import date
    from decimal import Decimal

    from fundraising.models import Campaign, Subscription, SubscriptionCharge, Team

    campaign = Campaign.objects.create(
        community=CommunityFactory(), title="Warm winter", slug="ww", goal=1000, status="active"
    )
    Team.objects.create(campaign=campaign, name="Night owls", slug="owls", captain=person)
    for email, user in ((person.email.upper(), None), ("someone@example.org", None), (person.email, person)):
        monthly = Subscription.objects.create(
            campaign=campaign,
            amount=Decimal("300"),
            currency="RUB",
            day=5,
            status="active",
            donor_name="Nina",
            donor_email=email,
            donor_key=email.lower(),
            user=user,
            provider="sandbox",
            card_label="Visa •••• 4242",
        )
        SubscriptionCharge.objects.create(
            subscription=monthly, period=date(2026, 1, 1), status="succeeded", scheduled_at=WHEN, next_attempt_at=WHEN
        )

    data = download(client, person)

    gifts = data["monthly_gifts"]
    assert [(g["email"], g["amount"], g["day"], g["status"]) for g in gifts] == [
        (person.email.upper(), "300.00", 5, "active"),
        (person.email, "300.00", 5, "active"),
    ]
    assert gifts[0]["months"] == [{"month": "2026-01", "status": "succeeded", "settled_at": None}]
    assert data["teams"] == [{"name": "Night owls", "campaign": "Warm winter", "raised": "0.00", "currency": "RUB"}]
    assert "someone@example.org" not in json.dumps(data)


def test_what_the_person_agreed_to_as_a_donor_is_in_the_download_and_goes_with_the_account(client, person):
    from fundraising.models import DonorConsent, DonorConsentRecord
    from fundraising.services.donor_consents import donor_consents_set

    donor_consents_set(by_email=person.email.upper(), choices={"reports": True}, source="giving")
    donor_consents_set(by_email="someone@example.org", choices={"reports": True}, source="giving")

    data = download(client, person)
    services.user_delete(user=person, password=PASSWORD)

    (mine,) = data["donor_consents"]
    assert (mine["reports"], mine["statements"]) == (True, False)
    assert [(a["kind"], a["granted"], a["source"]) for a in mine["answers"]] == [("reports", True, "giving")]
    assert list(DonorConsent.objects.values_list("donor_key", flat=True)) == ["someone@example.org"]
    assert set(DonorConsentRecord.objects.values_list("donor_key", flat=True)) == {"someone@example.org"}

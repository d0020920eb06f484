"""The audit log: services record exports, views of a person, downloads, role changes, refunds,
deletions, imports and messages to many; staff read, filter and download it; nobody else does."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from communities.crm.services.imports import member_import_confirm, member_import_create
from communities.services import CommunityError
from communities.services.announcements import announcement_publish
from communities.services.membership import membership_change_role
from fundraising.models import Campaign, Donation
from fundraising.services import donation_transition, refund_request
from members import services
from members.models import AuditEntry
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
A = AuditEntry.Action


@pytest.fixture
def community():
    return CommunityFactory(name="Runners")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager", user=UserFactory(name="Maria Manager")).user


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def actions():
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_a_role_change_is_recorded_with_who_and_whom(community, manager):
    membership = MembershipFactory(community=community)

    membership_change_role(membership=membership, role="host", actor=manager)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.person, entry.community) == (
        A.ROLE_CHANGED,
        manager,
        membership.user,
        community,
    )
    assert entry.summary == "member → host"


def test_a_refund_is_recorded(community, manager):
    campaign = Campaign.objects.create(community=community, title="C", slug="c", goal=1000, status="active")
    gift = Donation.objects.create(
        campaign=campaign,
        amount=Decimal("500"),
        currency="RUB",
        provider="offline",
        offline=True,
        donor_key="k",
        status="pending",
    )
    donation_transition(donation_id=gift.pk, to="succeeded")

    refund_request(donation=gift, by=manager, amount="200", reason="asked")

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target) == (A.REFUNDED, manager, f"fundraising.Donation:{gift.pk}")
    assert entry.summary == "200.00 RUB of 500.00"


def test_exports_deletions_imports_and_bulk_messages_are_recorded(client, community, manager):
    person = MembershipFactory(community=community).user
    client.force_login(person)
    client.get(reverse("members:personal_data_download"))
    upload = member_import_create(community=community, actor=manager, file_name="a.csv", raw=b"email\na@b.org\n")
    member_import_confirm(member_import=upload, by=manager)
    announcement_publish(community=community, actor=manager, title="News", body="Hello")
    services.user_delete(user=person, password=PASSWORD)

    assert actions() == [A.DATA_EXPORTED, A.IMPORTED, A.BULK_MESSAGE, A.ACCOUNT_DELETED]
    deleted = AuditEntry.objects.get(action=A.ACCOUNT_DELETED)
    assert deleted.actor is None  # the link goes with the account; the entry stays


def test_a_manager_viewing_a_member_and_downloading_the_list_is_recorded(client, community, manager):
    membership = MembershipFactory(community=community)
    client.force_login(manager)

    client.get(reverse("communities:directory_member", args=[community.slug, membership.pk]))
    client.get(reverse("communities:directory_export", args=[community.slug]))

    assert actions() == [A.PERSON_VIEWED, A.LIST_DOWNLOADED]
    assert AuditEntry.objects.get(action=A.PERSON_VIEWED).person == membership.user


def test_services_refuse_a_person_who_does_not_manage_the_community(community, manager):
    upload = member_import_create(community=community, actor=manager, file_name="a.csv", raw=b"email\na@b.org\n")
    member = MembershipFactory(community=community).user

    with pytest.raises(CommunityError):
        member_import_confirm(member_import=upload, by=member)

    assert not AuditEntry.objects.exists()


@pytest.fixture
def logged(community, manager):
    membership = MembershipFactory(community=community)
    membership_change_role(membership=membership, role="host", actor=manager)
    services.audit_record(actor=manager, action=A.LIST_DOWNLOADED, community=community, summary="members CSV")


def test_staff_filter_the_log_and_download_it_as_csv(client, staff, logged):
    client.force_login(staff)

    page = client.get(reverse("staff_audit"), {"action": "role_changed"}).content.decode()
    body = b"".join(client.get(reverse("staff_audit_csv"), {"action": "role_changed"}).streaming_content)

    assert "changed a role" in page
    assert "downloaded a list of people or gifts" not in page.split("<tbody>")[1]
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0][:3] == ["When (UTC)", "Who", "What"]
    assert [row[2] for row in rows[1:]] == ["changed a role"]


def test_only_staff_read_the_log(client, manager, logged):
    client.force_login(manager)

    for name in ("staff_audit", "staff_audit_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/admin/login/" in response.url

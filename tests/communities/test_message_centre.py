"""Every sender in the community files its e-mails under the community, in the category that decides
whether the person's consents let it through; the message centre shows them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.services import announcements, membership
from events.models import Event, Registration
from events.services import event_reminders_send
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Running for Hope", slug="running", join_policy="approval")


def test_announcements_are_news_filed_under_the_community(community, commit):
    manager = MembershipFactory(community=community, role="manager").user
    reader = MembershipFactory(community=community, user=UserFactory(consent_news=True)).user

    with commit():
        announcements.announcement_publish(community=community, actor=manager, title="Hello", body="<p>Hi</p>")

    message = OutboundMessage.objects.get(user=reader)
    assert (message.category, message.community) == (OutboundMessage.Category.NEWS, community)
    assert "List-Unsubscribe" in message.headers


def test_join_decisions_are_service_messages_filed_under_the_community(community):
    manager = MembershipFactory(community=community, role="manager").user
    person = UserFactory(consent_news=False)
    request = membership.membership_join(user=person, community=community)

    membership.membership_approve(membership=request, actor=manager)

    sent = OutboundMessage.objects.filter(community=community).order_by("pk")
    assert [m.template for m in sent] == ["community_join_request", "community_join_approved"]
    assert {m.category for m in sent} == {OutboundMessage.Category.TRANSACTIONAL}
    assert {m.status for m in sent} == {OutboundMessage.Status.QUEUED}


def test_event_reminders_are_reminders_filed_under_the_community_and_shown_to_managers(community, client):
    manager = MembershipFactory(community=community, role="manager").user
    keen, opted_out = UserFactory(), UserFactory(consent_reminders=False)
    event = Event.objects.create(
        community=community,
        title="Park run",
        slug="park-run",
        status="published",
        starts_at=timezone.now() + timedelta(hours=20),
        ends_at=timezone.now() + timedelta(hours=22),
        created_at=timezone.now() - timedelta(days=3),
    )
    for person in (keen, opted_out):
        Registration.objects.create(event=event, user=person, created_at=timezone.now() - timedelta(days=2))

    event_reminders_send()
    client.force_login(manager)
    page = client.get("/c/running/manage/messages/?q=" + keen.email).content.decode()

    reminder = OutboundMessage.objects.get(template="event_reminder")  # the opted-out person gets none
    assert (reminder.user, reminder.category, reminder.community) == (
        keen,
        OutboundMessage.Category.REMINDERS,
        community,
    )
    assert "List-Unsubscribe" in reminder.headers
    assert keen.email in page


def test_the_message_centre_groups_by_sending_and_drills_down_to_recipients(
    community, client, commit, django_assert_max_num_queries
):
    manager = MembershipFactory(community=community, role="manager").user
    readers = [MembershipFactory(community=community, user=UserFactory(consent_news=True)).user for _ in range(3)]
    MembershipFactory(community=community, user=UserFactory(consent_news=False))
    with commit():
        announcements.announcement_publish(community=community, actor=manager, title="Hello", body="Hi")
        announcements.announcement_publish(community=community, actor=manager, title="Report", body="Numbers")
    OutboundMessage.objects.filter(user=readers[0], subject__endswith="Report").update(
        status=OutboundMessage.Status.FAILED
    )
    client.force_login(manager)

    with django_assert_max_num_queries(8):
        page = client.get("/c/running/manage/messages/").content.decode()
    rows = page.split('data-testid="sendings"')[1]

    assert page.count("Running for Hope: Hello</a>") == 1
    assert "2 sendings" in page
    assert "1 failed" in rows
    assert "Opening is not tracked" in page
    link = rows.split('href="')[1].split('"')[0].replace("&amp;", "&")
    recipients = client.get("/c/running/manage/messages/" + link).content.decode()
    assert "3 recipients" in recipients
    assert all(reader.email in recipients for reader in readers)

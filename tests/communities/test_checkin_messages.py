"""The weekly "how is it going?" e-mail and its one-click replies."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing

from communities.routine.models import CheckinEntry
from communities.routine.services import checkin_messages
from members.models import Activity, OutboundMessage
from members.services import unsubscribe_read
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

TUESDAY_1030_MOSCOW = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Running for Hope", slug="running", timezone="Europe/Moscow")


def joined(community, days_ago, role="member", **user_fields):
    user_fields.setdefault("consent_reports", True)
    return MembershipFactory(
        community=community,
        role=role,
        joined_at=TUESDAY_1030_MOSCOW - timedelta(days=days_ago),
        user=UserFactory(**user_fields),
    )


def checkin_messages_sent():
    return OutboundMessage.objects.filter(template="checkin_weekly")


def test_recent_members_who_agreed_get_it_once_a_week(community, commit, mailoutbox):
    recent = joined(community, 10)
    joined(community, 70)  # joined long ago
    joined(community, 10, consent_reports=False)
    joined(community, 10, role="manager")

    with commit():
        checkin_messages.checkin_messages_send(now=TUESDAY_1030_MOSCOW)
    with commit():
        checkin_messages.checkin_messages_send(now=TUESDAY_1030_MOSCOW + timedelta(hours=3))

    message = checkin_messages_sent().get()
    assert message.user == recent.user
    assert message.key == f"checkin:{recent.pk}:2026-W48"
    assert message.category == OutboundMessage.Category.REPORTS
    assert len(mailoutbox) == 1
    assert "All good" in mailoutbox[0].body
    assert checkin_messages.checkin_messages_send(now=TUESDAY_1030_MOSCOW - timedelta(hours=1)) == 0


def test_its_unsubscribe_link_turns_off_only_reports_and_check_ins(community):
    recent = joined(community, 10)
    checkin_messages.checkin_messages_send(now=TUESDAY_1030_MOSCOW)
    header = checkin_messages_sent().get().headers["List-Unsubscribe"]
    token = re.search(r"/account/unsubscribe/([^/]+)/", header).group(1)

    user, category = unsubscribe_read(token)

    assert (user, category) == (recent.user, OutboundMessage.Category.REPORTS)


def reply_url(community, days_ago=10, answer="question"):
    membership = joined(community, days_ago)
    links = checkin_messages.reply_links(membership=membership, week="2026-W48")
    return membership, next(url for a, _label, url in links if a == answer).replace("http://testserver", "")


def test_a_one_click_reply_lands_in_the_timeline_and_the_queue_once(client, community, settings):
    settings.SITE_URL = "http://testserver"
    membership, url = reply_url(community)

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert "Thank you for your answer" in first.content.decode()
    replied = Activity.objects.get(kind=Activity.Kind.REPLIED)
    assert (replied.user, replied.community, replied.summary) == (membership.user, community, "I have a question")
    entry = CheckinEntry.objects.get()
    assert (entry.membership, entry.reason, entry.details["answer"]) == (membership, "replied", "question")


def test_the_reply_page_takes_a_note_for_the_managers(client, community, settings):
    settings.SITE_URL = "http://testserver"
    membership, url = reply_url(community, answer="help")

    empty = client.post(url, {"note": "   "})
    response = client.post(url, {"note": "I can drive people to the race"})

    assert "This field is required." in empty.content.decode()
    assert "Your note is with the managers." in response.content.decode()
    assert CheckinEntry.objects.get().details["note"] == "I can drive people to the race"
    assert "I can drive people" in Activity.objects.get(kind="replied").summary


def test_a_forged_or_changed_reply_link_does_nothing(client, community, settings):
    settings.SITE_URL = "http://testserver"
    membership, url = reply_url(community)
    forged = signing.dumps({"m": membership.pk, "w": "2026-W48"}, salt="members.unsubscribe")

    assert client.get(url.replace("/question/", "/nonsense/")).status_code == 400
    assert client.get(f"/c/checkin-reply/{forged}/good/").status_code == 400
    assert client.get("/c/checkin-reply/garbage/good/").status_code == 400
    assert not Activity.objects.filter(kind="replied").exists()
    assert not CheckinEntry.objects.exists()

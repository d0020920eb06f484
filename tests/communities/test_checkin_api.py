"""The check-in queue and the message centre over the API: managers only, the same services as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities.crm.models import ContactLog
from communities.routine.models import CheckinEntry
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    community = CommunityFactory(slug="running")
    other = CommunityFactory(slug="donors")
    manager = MembershipFactory(community=community, role="manager").user
    membership = MembershipFactory(community=community, user=UserFactory(name="Nina New"))
    entry = CheckinEntry.objects.create(
        community=community, membership=membership, reason="new_member", ref="x", due_on=timezone.localdate()
    )
    elsewhere = CheckinEntry.objects.create(
        community=other,
        membership=MembershipFactory(community=other),
        reason="new_member",
        ref="y",
        due_on=timezone.localdate(),
    )
    return locals()


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_queue_is_for_the_communitys_managers_only(cast):
    url = f"/api/v1/communities/{cast['community'].pk}/checkins/"
    outsider = MembershipFactory(community=cast["other"], role="manager").user

    assert api(None).get(url).status_code in (401, 403)
    assert api(outsider).get(url).status_code == 404
    assert api(cast["membership"].user).get(url).status_code == 404
    listed = api(cast["manager"]).get(url).json()

    assert [(e["person"]["name"], [r["reason"] for r in e["reasons"]]) for e in listed["results"]] == [
        ("Nina New", ["new_member"])
    ]


def test_the_api_lists_each_person_once_with_all_reasons_and_never_a_manager(cast, client):
    """The same rule as the page (communities.routine.selectors.queue_open): people, not entries."""
    community, nina = cast["community"], cast["membership"]
    today = timezone.localdate()
    follow_up = CheckinEntry.objects.create(
        community=community, membership=nina, reason="follow_up", ref="contact:1", due_on=today - timedelta(days=2)
    )
    managers_own = community.memberships.get(user=cast["manager"])
    CheckinEntry.objects.create(community=community, membership=managers_own, reason="host", ref="e:1", due_on=today)
    client.force_login(cast["manager"])

    listed = api(cast["manager"]).get(f"/api/v1/communities/{community.pk}/checkins/").json()
    page = client.get(f"/c/{community.slug}/manage/checkins/")

    assert listed["count"] == 1 == page.context["page"].paginator.count
    (person,) = listed["results"]
    assert person["membership"] == nina.pk
    assert person["id"] == follow_up.pk  # the earliest due: the person's actions are posted to it
    assert [r["reason"] for r in person["reasons"]] == ["follow_up", "new_member"]


def test_a_call_logged_through_the_api_takes_the_whole_person_out_of_the_queue(cast):
    community, nina = cast["community"], cast["membership"]
    CheckinEntry.objects.create(
        community=community, membership=nina, reason="follow_up", ref="contact:1", due_on=timezone.localdate()
    )
    client, url = api(cast["manager"]), f"/api/v1/communities/{community.pk}/checkins/"
    person = client.get(url).json()["results"][0]

    client.post(f"{url}{person['id']}/call/", {"outcome": "reached"}, format="json")

    assert client.get(url).json()["count"] == 0


def test_a_manager_logs_a_call_snoozes_and_assigns_through_the_api(cast):
    client, base = api(cast["manager"]), f"/api/v1/communities/{cast['community'].pk}/checkins/{cast['entry'].pk}/"
    tomorrow = timezone.localdate() + timedelta(days=1)

    assigned = client.post(base + "assign/", {"manager": cast["manager"].pk}, format="json")
    snoozed = client.post(base + "snooze/", {"until": tomorrow.isoformat()}, format="json")
    called = client.post(base + "call/", {"outcome": "reached", "note": "Fine"}, format="json")
    again = client.post(base + "call/", {"outcome": "reached"}, format="json")

    assert assigned.json()["assigned_to"]["id"] == cast["manager"].pk
    assert snoozed.json()["snoozed_until"] == tomorrow.isoformat()
    assert called.status_code == 201
    assert ContactLog.objects.get().note == "Fine"
    assert again.status_code == 400


def test_bad_input_and_other_communities_entries_are_refused(cast):
    client, base = api(cast["manager"]), f"/api/v1/communities/{cast['community'].pk}/checkins/"
    entry = cast["entry"].pk

    assert client.post(f"{base}{entry}/call/", {"outcome": "x"}, format="json").status_code == 400
    assert client.post(f"{base}{entry}/snooze/", {"until": "2001-01-01"}, format="json").status_code == 400
    assert client.post(f"{base}{entry}/assign/", {"manager": 999999}, format="json").status_code == 400
    assert client.post(f"{base}{cast['elsewhere'].pk}/call/", {"outcome": "reached"}, format="json").status_code == 404


def test_the_message_centre_lists_the_communitys_messages(cast):
    for community, email in [(cast["community"], "here@example.org"), (cast["other"], "there@example.org")]:
        OutboundMessage.objects.create(
            key=email,
            community=community,
            to_email=email,
            language="en",
            template="hello",
            subject="Hi",
            body_text="x",
            status="failed",
        )
    client, url = api(cast["manager"]), f"/api/v1/communities/{cast['community'].pk}/messages/"

    listed = client.get(url, {"status": "failed"}).json()

    assert [m["to_email"] for m in listed["results"]] == ["here@example.org"]
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_the_message_centre_api_groups_by_sending_and_drills_down_to_recipients(cast):
    community = cast["community"]
    for n, status in enumerate(["sent", "sent", "failed", "skipped"]):
        OutboundMessage.objects.create(
            key=f"news-{n}",
            community=community,
            to_email=f"p{n}@example.org",
            language="en",
            template="community_announcement",
            subject="November report",
            body_text="x",
            status=status,
        )
    client = api(cast["manager"])
    base = f"/api/v1/communities/{community.pk}/"

    (sending,) = client.get(base + "sendings/").json()["results"]
    recipients = client.get(
        base + "messages/", {key: sending[key] for key in ("template", "subject", "day")} | {"status": "failed"}
    ).json()

    assert (sending["total"], sending["sent"], sending["failed"], sending["skipped"]) == (4, 2, 1, 1)
    assert [m["to_email"] for m in recipients["results"]] == ["p2@example.org"]
    assert (
        api(MembershipFactory(community=cast["other"], role="manager").user).get(base + "sendings/").status_code == 404
    )

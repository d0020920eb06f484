"""CRM services: the contact log, tags, and a directory message's batches."""

from datetime import UTC as utc
from datetime import date, datetime

import pytest
from django.db import IntegrityError

from communities.crm.models import ContactLog
from communities.crm.services import contacts as crm
from communities.crm.tasks import directory_message_batch_task
from communities.models import Membership, Tag
from communities.services import CommunityError
from members.models import Activity, OutboundMessage, User
from tests.communities.directory_support import cast  # noqa: F401
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=utc)


@pytest.mark.parametrize("kind", [ContactLog.Kind.CALL, ContactLog.Kind.MEETING])
def test_a_logged_call_or_meeting_moves_a_new_member_to_contacted(cast, kind):  # noqa: F811
    membership = cast.member_membership
    assert membership.stage == Membership.Stage.NEW

    contact = crm.contact_log_create(
        membership=membership, actor=cast.manager, kind=kind, outcome="reached", note="Wants to drive", now=NOW
    )

    membership.refresh_from_db()
    assert membership.stage == Membership.Stage.CONTACTED
    activity = Activity.objects.get(user=cast.member, kind=Activity.Kind.CONTACTED)
    assert activity.actor == cast.manager
    assert activity.community == cast.community
    assert activity.data["contact"] == contact.pk
    # The note itself stays in the contact log, which only managers read.
    assert "drive" not in activity.summary


def test_a_message_or_a_note_leaves_the_stage_alone(cast):  # noqa: F811
    membership = cast.member_membership

    crm.contact_log_create(membership=membership, actor=cast.manager, kind="message", now=NOW)
    crm.contact_log_create(membership=membership, actor=cast.manager, kind="note", note="Shy, write first", now=NOW)

    membership.refresh_from_db()
    assert membership.stage == Membership.Stage.NEW
    kinds = sorted(Activity.objects.filter(user=cast.member).values_list("kind", flat=True))
    assert kinds == [Activity.Kind.CONTACTED, Activity.Kind.NOTE]


@pytest.mark.parametrize("stage", [Membership.Stage.ACTIVE, Membership.Stage.LAPSED])
def test_a_call_does_not_move_someone_past_new_back_to_contacted(cast, stage):  # noqa: F811
    membership = cast.member_membership
    Membership.objects.filter(pk=membership.pk).update(stage=stage)
    membership.refresh_from_db()

    crm.contact_log_create(membership=membership, actor=cast.manager, kind="call", now=NOW)

    membership.refresh_from_db()
    assert membership.stage == stage


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"kind": "call", "outcome": "maybe"}, "outcome"),
        ({"kind": "note", "note": "  "}, "note"),
        ({"kind": "note", "note": "x", "outcome": "reached"}, "outcome"),
        ({"kind": "call", "follow_up_on": date(2026, 11, 20)}, "follow_up_on"),
    ],
)
def test_bad_contact_entries_are_refused_with_the_field_to_fix(cast, fields, field):  # noqa: F811
    with pytest.raises(crm.CrmInputError) as refused:
        crm.contact_log_create(membership=cast.member_membership, actor=cast.manager, now=NOW, **fields)

    assert field in refused.value.errors
    assert not ContactLog.objects.exists()
    assert not Activity.objects.exists()


def test_a_follow_up_today_in_the_communitys_time_zone_is_accepted(cast):  # noqa: F811
    # 23:30 UTC on the 24th is already the 25th in Moscow.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=utc)

    contact = crm.contact_log_create(
        membership=cast.member_membership, actor=cast.manager, kind="call", follow_up_on=date(2026, 11, 25), now=late
    )

    assert contact.follow_up_on == date(2026, 11, 25)


def test_adding_a_tag_creates_it_once_ignoring_letter_case(cast):  # noqa: F811
    first = crm.membership_tag_add(membership=cast.member_membership, name=" Drivers ", actor=cast.manager)
    second = crm.membership_tag_add(membership=cast.manager_membership, name="drivers", actor=cast.manager)
    again = crm.membership_tag_add(membership=cast.member_membership, name="DRIVERS", actor=cast.manager)

    assert first == second == again
    assert Tag.objects.filter(community=cast.community).count() == 1
    assert first.name == "Drivers"
    # Tagging someone who has the tag already records nothing new.
    assert Activity.objects.filter(kind=Activity.Kind.TAGGED).count() == 2


def test_tag_names_must_be_given_and_short(cast):  # noqa: F811
    for name in ["", "   ", "x" * 41]:
        with pytest.raises(crm.CrmInputError):
            crm.membership_tag_add(membership=cast.member_membership, name=name, actor=cast.manager)


def test_removing_a_tag_of_another_community_is_refused(cast):  # noqa: F811
    foreign = Tag.objects.create(community=cast.other_community, name="vip")

    with pytest.raises(CommunityError):
        crm.membership_tag_remove(membership=cast.member_membership, tag_id=foreign.pk, actor=cast.manager)


def test_bulk_tagging_tags_each_person_once_and_only_in_the_community(cast):  # noqa: F811
    memberships = Membership.objects.filter(pk__in=[cast.member_membership.pk, cast.other_membership.pk])

    tag, added = crm.memberships_tag_bulk_add(
        community=cast.community, memberships=memberships, name="autumn", actor=cast.manager
    )
    _tag, added_again = crm.memberships_tag_bulk_add(
        community=cast.community, memberships=memberships, name="Autumn", actor=cast.manager
    )

    assert (added, added_again) == (1, 0)
    assert list(tag.memberships.all()) == [cast.member_membership]
    assert Activity.objects.filter(kind=Activity.Kind.TAGGED).count() == 1


def test_a_message_batch_run_twice_sends_each_active_member_one_email(cast, commit, mailoutbox):  # noqa: F811
    User.objects.update(consent_news=True)  # a directory message is news: for people who agreed
    pending = MembershipFactory(community=cast.community, status=Membership.Status.PENDING)
    ids = [cast.member_membership.pk, cast.manager_membership.pk, pending.pk, cast.other_membership.pk]
    arguments = {
        "community_id": cast.community.pk,
        "sender_id": cast.manager.pk,
        "message_id": "5f0c8f5e-0000-4000-8000-000000000001",
        "membership_ids": ids,
        "subject": "Saturday & the river clean-up",
        "body": "Bring gloves <please>.",
    }

    with commit():
        first = directory_message_batch_task.delay(**arguments).get()
    with commit():
        second = directory_message_batch_task.delay(**arguments).get()

    assert (first, second) == (2, 0)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([cast.member.email, cast.manager.email])
    email = next(m for m in mailoutbox if m.to == [cast.member.email])
    assert email.subject == "Saturday & the river clean-up"
    assert "Bring gloves <please>." in email.body
    assert "Bring gloves &lt;please&gt;." in email.alternatives[0].content
    assert OutboundMessage.objects.get(user=cast.member).key == f"direct:{arguments['message_id']}:{cast.member.pk}"
    assert Activity.objects.filter(kind=Activity.Kind.MESSAGED, user=cast.member, actor=cast.manager).count() == 1


def test_a_message_with_nobody_active_to_receive_it_is_refused(cast):  # noqa: F811
    left = MembershipFactory(community=cast.community, status=Membership.Status.LEFT)

    with pytest.raises(CommunityError):
        crm.directory_message_send(
            community=cast.community,
            actor=cast.manager,
            memberships=Membership.objects.filter(pk=left.pk),
            subject="Hello",
            body="Hi",
        )


def test_a_message_needs_a_subject_and_a_body(cast):  # noqa: F811
    with pytest.raises(crm.CrmInputError) as refused:
        crm.directory_message_send(
            community=cast.community,
            actor=cast.manager,
            memberships=Membership.objects.all(),
            subject=" ",
            body="",
        )

    assert set(refused.value.errors) == {"subject", "body"}


def test_a_large_selection_is_sent_in_batches(cast, commit, mailoutbox, monkeypatch):  # noqa: F811
    monkeypatch.setattr(crm, "MESSAGE_BATCH_SIZE", 2)
    for _ in range(3):
        MembershipFactory(community=cast.community)
    User.objects.update(consent_news=True)  # a directory message is news: for people who agreed
    calls = []
    original = crm.directory_message_batch_send
    monkeypatch.setattr(crm, "directory_message_batch_send", lambda **kw: calls.append(kw) or original(**kw))

    with commit():
        _message_id, count = crm.directory_message_send(
            community=cast.community,
            actor=cast.manager,
            memberships=Membership.objects.all(),
            subject="Hello",
            body="Hi",
        )

    assert count == 6
    assert [len(c["membership_ids"]) for c in calls] == [2, 2, 2]
    assert len(mailoutbox) == 6


def test_a_message_batch_costs_a_fixed_number_of_queries_per_person(cast, django_assert_num_queries):  # noqa: F811
    for _ in range(10):
        MembershipFactory(community=cast.community)
    ids = list(Membership.objects.filter(community=cast.community).values_list("pk", flat=True))
    arguments = {
        "community_id": cast.community.pk,
        "sender_id": cast.manager.pk,
        "message_id": "5f0c8f5e-0000-4000-8000-000000000002",
        "membership_ids": ids,
        "subject": "Hello",
        "body": "Hi",
    }

    # community, sender, memberships with people, the ledger keys already used; then per person:
    # savepoint, ledger check, savepoint, ledger insert, release, activity insert, release.
    with django_assert_num_queries(4 + 7 * len(ids)):
        sent = crm.directory_message_batch_send(**arguments)

    assert sent == 13


def test_a_batch_for_a_deleted_community_does_nothing(cast):  # noqa: F811
    community_id = cast.community.pk
    cast.community.delete()

    assert (
        crm.directory_message_batch_send(
            community_id=community_id,
            sender_id=cast.manager.pk,
            message_id="5f0c8f5e-0000-4000-8000-000000000003",
            membership_ids=[1, 2],
            subject="Hello",
            body="Hi",
        )
        == 0
    )


def test_tags_differing_only_in_case_are_one_tag(cast):  # noqa: F811
    from communities.crm.services.contacts import membership_tag_add, tag_get_or_create

    first = tag_get_or_create(community=cast.community, name="волонтёр")
    membership_tag_add(membership=cast.member_membership, name="Волонтёр", actor=cast.manager)

    assert tag_get_or_create(community=cast.community, name="ВОЛОНТЁР") == first
    assert list(Tag.objects.filter(community=cast.community).values_list("name", flat=True)) == ["волонтёр"]
    assert list(cast.member_membership.tags.all()) == [first]
    with pytest.raises(IntegrityError):
        Tag.objects.create(community=cast.community, name="ВоЛоНтЁр")

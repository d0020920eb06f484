"""The member page: profile, tags in place, the timeline merged with the contact log, logging a contact."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.crm.models import ContactLog
from communities.crm.services import contacts as crm
from communities.models import Membership, Tag
from members.models import Activity
from members.services import activity_record
from tests.communities.directory_support import cast  # noqa: F401
from tests.communities.test_directory import make_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, cast):  # noqa: F811
    client.force_login(cast.manager)
    return client


def member_url(membership, suffix=""):
    return f"/c/{membership.community.slug}/manage/people/{membership.pk}/{suffix}"


def test_it_shows_the_persons_profile_and_place_in_the_community(manager_client, cast):  # noqa: F811
    person = cast.member
    person.phone, person.city, person.bio = "+7 903 000-11-22", "Казань", "Runs <b>marathons</b>"
    person.save()
    cast.member_membership.tags.add(Tag.objects.create(community=cast.community, name="drivers"))

    body = manager_client.get(member_url(cast.member_membership)).content.decode()

    for shown in ["Mark Member", person.email, "+7 903 000-11-22", "Казань", "#drivers", "New", "Observer"]:
        assert shown in body
    assert "Runs &lt;b&gt;marathons&lt;/b&gt;" in body


def test_the_timeline_merges_activity_and_contacts_newest_first(manager_client, cast):  # noqa: F811
    now = timezone.now()
    membership = cast.member_membership
    activity_record(
        user=cast.member, community=cast.community, kind=Activity.Kind.JOINED, occurred_at=now - timedelta(days=3)
    )
    crm.contact_log_create(
        membership=membership, actor=cast.manager, kind="call", outcome="reached", now=now - timedelta(days=2)
    )
    activity_record(
        user=cast.member,
        community=cast.community,
        kind=Activity.Kind.REGISTERED,
        summary="Park run",
        occurred_at=now - timedelta(days=1),
    )
    crm.contact_log_create(membership=membership, actor=cast.manager, kind="note", note="Prefers Telegram", now=now)
    # Someone else's activity, and the person's activity in another community, stay out.
    activity_record(user=cast.host, community=cast.community, kind=Activity.Kind.DONATED)
    activity_record(user=cast.member, community=cast.other_community, kind=Activity.Kind.DONATED)

    entries = manager_client.get(member_url(membership)).context["entries"]

    shown = [(e.contact.kind if e.contact else e.activity.kind) for e in entries]
    assert shown == ["note", "registered", "call", "joined"]


def test_the_timeline_pages_twenty_at_a_time_and_htmx_appends_older_entries(manager_client, cast):  # noqa: F811
    now = timezone.now()
    for n in range(25):
        activity_record(
            user=cast.member,
            community=cast.community,
            kind=Activity.Kind.ATTENDED,
            summary=f"Event {n}",
            occurred_at=now - timedelta(hours=n),
        )

    first = manager_client.get(member_url(cast.member_membership))
    older = manager_client.get(
        member_url(cast.member_membership) + "?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline-more"
    )

    assert len(first.context["entries"]) == 20
    assert first.context["next_page"] == 2
    assert 'id="timeline-more"' in first.content.decode()
    body = older.content.decode()
    assert "<html" not in body
    assert "Event 24" in body
    assert "Event 0" not in body
    assert 'id="timeline-more"' not in body


def test_logging_a_call_from_the_page_moves_a_new_member_to_contacted(manager_client, cast):  # noqa: F811
    response = manager_client.post(
        member_url(cast.member_membership, "contacts/"),
        {"kind": "call", "outcome": "reached", "note": "Will drive on Sunday", "follow_up_on": ""},
        follow=True,
    )

    cast.member_membership.refresh_from_db()
    assert cast.member_membership.stage == Membership.Stage.CONTACTED
    body = response.content.decode()
    assert "Saved in the contact log." in body
    assert "Will drive on Sunday" in body
    contact = ContactLog.objects.get()
    assert (contact.author, contact.kind, contact.outcome) == (cast.manager, "call", "reached")


def test_a_bad_contact_entry_shows_errors_next_to_the_fields(manager_client, cast):  # noqa: F811
    response = manager_client.post(
        member_url(cast.member_membership, "contacts/"), {"kind": "note", "note": "", "follow_up_on": "2001-01-01"}
    )

    assert response.status_code == 200
    form = response.context["contact_form"]
    assert set(form.errors) == {"note", "follow_up_on"}
    assert "Please correct the errors below." in response.content.decode()
    assert not ContactLog.objects.exists()


def test_tags_are_added_and_removed_in_place_with_htmx(manager_client, cast):  # noqa: F811
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "member-tags"}

    added = manager_client.post(member_url(cast.member_membership, "tags/"), {"name": "Cooks"}, **htmx)
    tag = Tag.objects.get(name="Cooks")
    removed = manager_client.post(member_url(cast.member_membership, f"tags/{tag.pk}/remove/"), **htmx)

    assert "<html" not in added.content.decode()
    assert "#Cooks" in added.content.decode()
    assert "#Cooks" not in removed.content.decode()
    assert not cast.member_membership.tags.exists()
    assert Activity.objects.filter(kind=Activity.Kind.TAGGED, user=cast.member).count() == 1


def test_a_tag_without_a_name_is_explained_in_place(manager_client, cast):  # noqa: F811
    response = manager_client.post(
        member_url(cast.member_membership, "tags/"), {"name": ""}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-tags"
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_without_javascript_tag_changes_come_back_to_the_page(manager_client, cast):  # noqa: F811
    response = manager_client.post(member_url(cast.member_membership, "tags/"), {"name": "cooks"})

    assert response.status_code == 302
    assert response["Location"] == member_url(cast.member_membership)


@pytest.mark.parametrize("size", [5, 60])
def test_the_member_page_takes_the_same_number_of_queries_whatever_the_communitys_size(
    manager_client,
    cast,  # noqa: F811
    django_assert_num_queries,
    size,
):
    make_members(cast.community, size)
    membership = Membership.objects.filter(community=cast.community, user__email__startswith="bulk").first()
    for n in range(size):
        activity_record(user=membership.user, community=cast.community, kind=Activity.Kind.ATTENDED, summary=str(n))
        crm.contact_log_create(membership=membership, actor=cast.manager, kind="note", note=str(n))

    # session, user, community, membership with person, their tags, pending requests for the tabs,
    # the community's tags, a page of the timeline, its activities, its contacts, the audit entry
    # recording that the manager viewed this person
    with django_assert_num_queries(11):
        response = manager_client.get(member_url(membership))

    assert len(response.context["entries"]) == min(20, 2 * size)

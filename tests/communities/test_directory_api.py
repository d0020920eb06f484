"""The directory's API: members (list with filters, retrieve) and their contact log (list, create)."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from communities.crm.models import ContactLog
from communities.models import Membership, Tag
from members.models import Activity
from tests.communities.directory_support import cast  # noqa: F401
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast):  # noqa: F811
    client = APIClient()
    client.force_authenticate(cast.manager)
    return client


def members_url(community, pk=None, contacts=False):
    url = f"/api/v1/communities/{community.pk}/members/"
    if pk is not None:
        url += f"{pk}/"
    return url + ("contacts/" if contacts else "")


def test_it_lists_members_with_the_same_filters_and_search_as_the_page(api, cast):  # noqa: F811
    tag = Tag.objects.create(community=cast.community, name="drivers")
    cast.member_membership.tags.add(tag)

    everyone = api.get(members_url(cast.community)).json()
    found = api.get(members_url(cast.community), {"q": "MARK", "role": ["member", "host"], "tag": tag.pk}).json()

    assert everyone["count"] == 3
    assert [m["user"]["name"] for m in everyone["results"]] == ["Hugo Host", "Mark Member", "Mila Manager"]
    assert found["count"] == 1
    member = found["results"][0]
    assert member["id"] == cast.member_membership.pk
    assert member["user"]["email"] == cast.member.email
    assert member["tags"] == [{"id": tag.pk, "name": "drivers"}]
    assert member["stage"] == "new"


def test_bad_filters_get_a_400_naming_the_field(api, cast):  # noqa: F811
    response = api.get(members_url(cast.community), {"role": "emperor", "sort": "shoe", "tag": "x"})

    assert response.status_code == 400
    assert set(response.json()) == {"role", "sort", "tag"}


def test_the_member_list_takes_a_fixed_number_of_queries(api, cast, django_assert_num_queries):  # noqa: F811
    for _ in range(20):
        MembershipFactory(community=cast.community).tags.add(
            Tag.objects.get_or_create(community=cast.community, name="x")[0]
        )

    # community, count, the page with people, their tags
    with django_assert_num_queries(4):
        response = api.get(members_url(cast.community))

    assert response.json()["count"] == 23


def test_it_retrieves_one_member(api, cast):  # noqa: F811
    response = api.get(members_url(cast.community, cast.member_membership.pk))

    assert response.status_code == 200
    assert response.json()["user"]["name"] == "Mark Member"


def test_a_member_of_another_community_is_not_found(api, cast):  # noqa: F811
    assert api.get(members_url(cast.community, cast.other_membership.pk)).status_code == 404
    assert api.get(members_url(cast.community, cast.other_membership.pk, contacts=True)).status_code == 404
    response = api.post(members_url(cast.community, cast.other_membership.pk, contacts=True), {"kind": "call"})
    assert response.status_code == 404
    assert not ContactLog.objects.exists()


def test_logging_a_call_through_the_api_moves_a_new_member_to_contacted(api, cast):  # noqa: F811
    url = members_url(cast.community, cast.member_membership.pk, contacts=True)

    response = api.post(
        url, {"kind": "call", "outcome": "reached", "note": "Can drive on Sundays", "follow_up_on": "2099-01-10"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "call"
    assert body["author"] == {"id": cast.manager.pk, "name": "Mila Manager"}
    cast.member_membership.refresh_from_db()
    assert cast.member_membership.stage == Membership.Stage.CONTACTED
    assert Activity.objects.filter(user=cast.member, kind=Activity.Kind.CONTACTED, actor=cast.manager).exists()
    listed = api.get(url).json()
    assert [c["note"] for c in listed["results"]] == ["Can drive on Sundays"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "kind"),
        ({"kind": "fax"}, "kind"),
        ({"kind": "call", "outcome": "maybe"}, "outcome"),
        ({"kind": "note"}, "note"),
        ({"kind": "call", "follow_up_on": "2001-01-01"}, "follow_up_on"),
        ({"kind": "call", "follow_up_on": "soon"}, "follow_up_on"),
    ],
)
def test_bad_contact_entries_get_a_400_with_field_messages(api, cast, data, field):  # noqa: F811
    response = api.post(members_url(cast.community, cast.member_membership.pk, contacts=True), data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ContactLog.objects.exists()


def test_the_directory_adds_no_openapi_warnings(tmp_path, capsys):
    # The whole-schema check is tests/members/test_api.py; this one fails only for the directory's part.
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))

    warnings = [line for line in capsys.readouterr().err.splitlines() if "arning" in line]
    ours = ["communities/api/directory.py", "Member", "Contact", "Directory", "Person"]
    assert [w for w in warnings if any(name in w for name in ours)] == []
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/communities/{community_pk}/members/{id}/contacts/" in schema
    assert "ContactKindEnum" in schema

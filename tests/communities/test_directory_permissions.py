"""Who may see and change the directory: every page and endpoint, for the whole cast."""

import pytest
from rest_framework.test import APIClient

from communities.crm.models import ContactLog
from communities.models import Tag
from tests.communities.directory_support import cast  # noqa: F401

pytestmark = pytest.mark.django_db

OUTSIDERS = ["outsider", "member", "host", "other_manager"]
INSIDERS = ["manager", "staff"]


def pages(cast):  # noqa: F811
    """(method, url, data) for every page of the directory, on a member of the community."""
    base = "/c/running/manage/people/"
    member = f"{base}{cast.member_membership.pk}/"
    tag = Tag.objects.get_or_create(community=cast.community, name="drivers")[0]
    cast.member_membership.tags.add(tag)
    return [
        ("get", base, None),
        ("get", base + "export.csv", None),
        ("post", base + "export.csv", {"everyone": "1"}),
        ("post", base + "tag/", {"everyone": "1", "tag_name": "x"}),
        ("post", base + "message/", {"everyone": "1"}),
        ("get", base + "message/8c0f3e36-54b1-4d57-9a0c-8ad1b1b1b1b1/", None),
        ("get", member, None),
        ("post", member + "contacts/", {"kind": "note", "note": "Likes cats"}),
        ("post", member + "tags/", {"name": "cooks"}),
        ("post", member + f"tags/{tag.pk}/remove/", {}),
    ]


def endpoints(cast):  # noqa: F811
    base = f"/api/v1/communities/{cast.community.pk}/members/"
    return [
        ("get", base, None),
        ("get", f"{base}{cast.member_membership.pk}/", None),
        ("get", f"{base}{cast.member_membership.pk}/contacts/", None),
        ("post", f"{base}{cast.member_membership.pk}/contacts/", {"kind": "note", "note": "Likes cats"}),
    ]


def request(client, method, url, data):
    return getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_says_401(client, cast):  # noqa: F811
    for method, url, data in pages(cast):
        response = request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    api = APIClient()
    for method, url, data in endpoints(cast):
        assert request(api, method, url, data).status_code == 401, url
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_anyone_but_the_communitys_managers_gets_404_everywhere(client, cast, who):  # noqa: F811
    client.force_login(getattr(cast, who))
    for method, url, data in pages(cast):
        assert request(client, method, url, data).status_code == 404, url
    api = APIClient()
    api.force_authenticate(getattr(cast, who))
    for method, url, data in endpoints(cast):
        assert request(api, method, url, data).status_code == 404, url
    assert not ContactLog.objects.exists()
    assert list(cast.member_membership.tags.values_list("name", flat=True)) == ["drivers"]


@pytest.mark.parametrize("who", INSIDERS)
def test_the_communitys_managers_and_staff_may_use_every_page_and_endpoint(client, cast, who):  # noqa: F811
    client.force_login(getattr(cast, who))
    for method, url, data in pages(cast):
        assert request(client, method, url, data).status_code in (200, 302), url
    api = APIClient()
    api.force_authenticate(getattr(cast, who))
    for method, url, data in endpoints(cast):
        assert request(api, method, url, data).status_code in (200, 201), url
    assert ContactLog.objects.filter(membership=cast.member_membership).count() == 2


def test_a_manager_cannot_reach_another_communitys_member_through_their_own_community(client, cast):  # noqa: F811
    """The other community's membership id, under this community's address: 404 on every page and endpoint."""
    client.force_login(cast.manager)
    foreign = cast.other_membership.pk
    member_pages = [
        ("get", f"/c/running/manage/people/{foreign}/", None),
        ("post", f"/c/running/manage/people/{foreign}/contacts/", {"kind": "call"}),
        ("post", f"/c/running/manage/people/{foreign}/tags/", {"name": "x"}),
        ("post", f"/c/running/manage/people/{foreign}/tags/1/remove/", {}),
    ]
    for method, url, data in member_pages:
        assert request(client, method, url, data).status_code == 404, url
    api = APIClient()
    api.force_authenticate(cast.manager)
    base = f"/api/v1/communities/{cast.community.pk}/members/{foreign}/"
    assert api.get(base).status_code == 404
    assert api.get(base + "contacts/").status_code == 404
    assert api.post(base + "contacts/", {"kind": "call"}).status_code == 404
    # Nor through the other community's own address, which they do not manage.
    assert client.get(f"/c/donors/manage/people/{foreign}/").status_code == 404
    assert api.get(f"/api/v1/communities/{cast.other_community.pk}/members/").status_code == 404
    assert not ContactLog.objects.exists()


def test_a_tag_of_another_community_cannot_be_removed_through_this_one(client, cast):  # noqa: F811
    foreign_tag = Tag.objects.create(community=cast.other_community, name="vip")
    cast.other_membership.tags.add(foreign_tag)
    client.force_login(cast.manager)

    client.post(f"/c/running/manage/people/{cast.member_membership.pk}/tags/{foreign_tag.pk}/remove/")

    assert list(cast.other_membership.tags.all()) == [foreign_tag]


def test_managers_notes_are_not_shown_to_the_member_anywhere_they_can_reach(client, cast):  # noqa: F811
    ContactLog.objects.create(membership=cast.member_membership, author=cast.manager, kind="note", note="Secret")
    client.force_login(cast.member)

    for url in [
        "/c/running/manage/people/",
        f"/c/running/manage/people/{cast.member_membership.pk}/",
        "/c/running/",
    ]:
        assert "Secret" not in client.get(url).content.decode()

"""The member directory page: search, filters, sorting, pagination, htmx, bounded queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.crm.selectors import DirectoryFilters, directory_memberships
from communities.models import Membership, Tag
from members.models import User
from tests.communities.directory_support import cast  # noqa: F401
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(slug="running", **query):
    from urllib.parse import urlencode

    base = f"/c/{slug}/manage/people/"
    return f"{base}?{urlencode(query, doseq=True)}" if query else base


def names(response):
    return [m.user.name for m in response.context["page"].object_list]


@pytest.fixture
def manager_client(client, cast):  # noqa: F811
    client.force_login(cast.manager)
    return client


def person(community, name, **kwargs):
    user_fields = {k: kwargs.pop(k) for k in ["email", "phone", "city"] if k in kwargs}
    return MembershipFactory(community=community, user=UserFactory(name=name, **user_fields), **kwargs)


def test_it_lists_the_communitys_members_with_their_details(manager_client, cast):  # noqa: F811
    tag = Tag.objects.create(community=cast.community, name="drivers")
    cast.member_membership.tags.add(tag)
    cast.member.phone = "+7 916 123-45-67"
    cast.member.save()

    response = manager_client.get(url())

    assert response.status_code == 200
    body = response.content.decode()
    assert sorted(names(response)) == ["Hugo Host", "Mark Member", "Mila Manager"]
    assert "Olga Outsider" not in body
    for shown in [cast.member.email, "+7 916 123-45-67", "#drivers", "MM", "3 people"]:
        assert shown in body


@pytest.mark.parametrize("query", ["mark", "MARK", "ark mem", "MARK.PERSON@", "916 123", "89161234567", "(916) 123-45"])
def test_search_finds_people_by_name_email_or_phone_ignoring_case(manager_client, cast, query):  # noqa: F811
    cast.member.phone = "8 (916) 123-45-67"
    cast.member.email = "mark.person@example.org"
    cast.member.save()

    response = manager_client.get(url(q=query))

    assert names(response) == ["Mark Member"]


def test_a_search_that_matches_nobody_says_what_to_do(manager_client):
    response = manager_client.get(url(q="zzzz"))

    assert names(response) == []
    assert "Nobody matches this search" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("role", "host", ["Hugo Host"]),
        ("role", ["host", "manager"], ["Hugo Host", "Mila Manager"]),
        ("status", "pending", ["Pia Pending"]),
        ("stage", "lapsed", ["Lena Lapsed"]),
        ("level", "core", ["Cora Core"]),
    ],
)
def test_each_filter_narrows_the_list(manager_client, cast, field, value, expected):  # noqa: F811
    person(cast.community, "Pia Pending", status=Membership.Status.PENDING)
    person(cast.community, "Lena Lapsed", stage=Membership.Stage.LAPSED)
    person(cast.community, "Cora Core", engagement_level=Membership.Level.CORE)

    response = manager_client.get(url(**{field: value}))

    assert sorted(names(response)) == expected
    assert response.context["filters"].count == (len(value) if isinstance(value, list) else 1)


def test_the_tag_filter_shows_people_with_any_of_the_tags(manager_client, cast):  # noqa: F811
    drivers = Tag.objects.create(community=cast.community, name="drivers")
    cooks = Tag.objects.create(community=cast.community, name="cooks")
    cast.member_membership.tags.add(drivers, cooks)
    person(cast.community, "Cook Only").tags.add(cooks)

    assert names(manager_client.get(url(tag=drivers.pk))) == ["Mark Member"]
    # Tagged twice, listed once.
    assert names(manager_client.get(url(tag=[drivers.pk, cooks.pk]))) == ["Cook Only", "Mark Member"]


@pytest.mark.parametrize(
    ("active", "expected"),
    [("7", ["Recent"]), ("30", ["Month", "Recent"]), ("90", ["Month", "Quarter", "Recent"]), ("never", ["Never"])],
)
def test_the_last_activity_filter(client, cast, active, expected):  # noqa: F811
    now = timezone.now()
    community = cast.community
    Membership.objects.filter(community=community).update(last_activity_at=now - timedelta(days=400))
    person(community, "Recent", last_activity_at=now - timedelta(days=2))
    person(community, "Month", last_activity_at=now - timedelta(days=20))
    person(community, "Quarter", last_activity_at=now - timedelta(days=80))
    person(community, "Never", last_activity_at=None)
    client.force_login(cast.manager)

    assert names(client.get(url(active=active))) == expected


def test_filters_combine_and_search_applies_within_them(manager_client, cast):  # noqa: F811
    person(cast.community, "Marta Host", role=Membership.Role.HOST)

    response = manager_client.get(url(q="mar", role="host"))

    assert names(response) == ["Marta Host"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Anna", "Boris", "Vera"]),
        ("-name", ["Vera", "Boris", "Anna"]),
        ("-joined", ["Boris", "Anna", "Vera"]),
        ("joined", ["Vera", "Anna", "Boris"]),
        ("-activity", ["Vera", "Boris", "Anna"]),
        ("activity", ["Anna", "Boris", "Vera"]),
        ("-engagement", ["Anna", "Vera", "Boris"]),
        ("engagement", ["Boris", "Vera", "Anna"]),
    ],
)
def test_sorting(cast, sort, expected):  # noqa: F811
    from communities.models import Community

    community = Community.objects.create(name="Sorting", slug="sorting")
    now = timezone.now()
    person(community, "Boris", joined_at=now - timedelta(days=1), last_activity_at=now - timedelta(days=5))
    person(community, "Anna", joined_at=now - timedelta(days=5), last_activity_at=None, engagement_score=9)
    person(community, "vera", joined_at=now - timedelta(days=9), last_activity_at=now, engagement_score=3)
    User.objects.filter(name="vera").update(name="Vera")

    found = directory_memberships(community=community, filters=DirectoryFilters(sort=sort))

    assert [m.user.name for m in found] == expected


def test_it_pages_fifty_at_a_time_and_keeps_the_filters_in_the_page_links(manager_client, cast):  # noqa: F811
    for n in range(60):
        person(cast.community, f"Host {n:02}", role=Membership.Role.HOST)

    first = manager_client.get(url(role="host"))
    second = manager_client.get(url(role="host", page=2))

    assert len(names(first)) == 50
    assert len(names(second)) == 11
    assert set(names(first)).isdisjoint(names(second))
    assert "?role=host&amp;page=2" in first.content.decode()
    assert "61 people" in first.content.decode()


def test_bad_query_values_never_break_the_page(manager_client):
    response = manager_client.get(url(role="emperor", tag=["x", "99999999999"], active="3", sort="shoe", page="z"))

    assert response.status_code == 200
    assert len(names(response)) == 3


def test_a_nul_character_in_the_search_is_ignored_not_a_crash(manager_client):
    response = manager_client.get(url(q="ma\x00rk"))

    assert response.status_code == 200
    assert names(response) == ["Mark Member"]


def test_the_filter_state_is_in_the_links_so_a_view_can_be_shared(manager_client, cast):  # noqa: F811
    tag = Tag.objects.create(community=cast.community, name="drivers")

    response = manager_client.get(url(role="host", tag=tag.pk, q="hu", sort="-joined"))

    body = response.content.decode()
    # The export link and the filter chips carry the same state.
    assert "export.csv?q=hu&amp;role=host&amp;tag=" in body
    assert "sort=-joined" in body
    chip_urls = [chip["url"] for chip in response.context["chips"]]
    assert any("role=host" not in u and f"tag={tag.pk}" in u for u in chip_urls)


def test_htmx_gets_only_the_results_and_the_address_bar_can_be_pushed(manager_client):
    response = manager_client.get(url(q="mark"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results")

    body = response.content.decode()
    assert "<html" not in body
    assert 'id="directory-bulk"' in body
    assert "Mark Member" in body
    assert "HX-Request" in response["Vary"]


def test_the_full_page_has_a_plain_get_form_that_works_without_javascript(manager_client):
    body = manager_client.get(url()).content.decode()

    assert 'id="directory-filters"' in body
    assert 'method="get"' in body
    assert 'hx-push-url="true"' in body
    assert 'name="role" value="manager"' in body


def test_a_community_without_members_besides_the_manager_shows_how_to_invite(client, db):
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.ACTIVE)
    client.force_login(membership.user)

    body = client.get(url(membership.community.slug, q="nobody-like-this")).content.decode()

    assert "Show everyone" in body


def make_members(community, count, start=0):
    users = User.objects.bulk_create(
        User(email=f"bulk{start + n}@example.org", name=f"Bulk Person {start + n}", phone=f"+7 900 {start + n:07}")
        for n in range(count)
    )
    tag = Tag.objects.get_or_create(community=community, name="bulk")[0]
    memberships = Membership.objects.bulk_create(
        Membership(community=community, user=u, joined_at=timezone.now()) for u in users
    )
    Membership.tags.through.objects.bulk_create(Membership.tags.through(membership=m, tag=tag) for m in memberships)


@pytest.mark.parametrize("size", [5, 60])
def test_the_directory_takes_the_same_number_of_queries_whatever_its_size(
    manager_client,
    cast,  # noqa: F811
    django_assert_num_queries,
    size,
):
    make_members(cast.community, size)
    address = url(tag=Tag.objects.get(name="bulk").pk, sort="-activity")

    # session, user, community, pending requests for the tabs, tags for the chips, count,
    # the page of memberships with people, their tags
    with django_assert_num_queries(8):
        response = manager_client.get(address)

    assert response.status_code == 200


def test_it_handles_five_thousand_members_and_finds_one_of_them(manager_client, cast):  # noqa: F811
    make_members(cast.community, 5000)

    import time

    started = time.monotonic()
    by_name = manager_client.get(url(q="bulk person 4321"))
    by_phone = manager_client.get(url(q="900 0004321"))
    everyone = manager_client.get(url(page=101))
    export = b"".join(manager_client.get(url() + "export.csv").streaming_content).decode("utf-8")
    elapsed = time.monotonic() - started

    assert names(by_name) == ["Bulk Person 4321"]
    assert names(by_phone) == ["Bulk Person 4321"]
    assert everyone.context["page"].paginator.count == 5003
    assert everyone.context["page"].number == 101
    assert len(names(everyone)) == 3
    assert len(export.strip().splitlines()) == 1 + 5003
    assert elapsed < 8, f"three directory pages and an export of 5,000 members took {elapsed:.1f}s"

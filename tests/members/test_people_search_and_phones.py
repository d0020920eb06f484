"""Finding people as Russians type them, and phones kept as E.164 on every write path."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communities.crm.imports import parse
from communities.models import Membership
from communities.routine.models import CheckinEntry
from members.models import User
from members.phones import phone_normalise, phone_search_digits, phone_tel_uri
from members.search import search_fold
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(slug="running")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila")).user


@pytest.fixture
def semyon(community):
    user = UserFactory(name="Семён Пётрович Ёлкин", email="Semyon.Yolkin@Example.org", phone="+79161234567")
    return MembershipFactory(community=community, user=user)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# Normalising ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 (916) 123-45-67", "+79161234567"),
        ("8 916 123-45-67", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("(916) 123-45-67", "+79161234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("8 (495) 123-45-67 доб. 12", "+74951234567;ext=12"),
        ("", ""),
    ],
)
def test_phones_are_stored_as_e164_whichever_way_they_are_typed(typed, stored):
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["(((((", "12345", "call me", "+7 916", "8 800 CALL ME", "1" * 30])
def test_what_is_no_phone_number_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as raised:
        phone_normalise(typed)

    assert "phone number" in raised.value.messages[0]


def test_a_tel_link_has_no_spaces():
    assert phone_tel_uri("+79161234567") == "tel:+7-916-123-45-67"


def test_the_fold_keeps_short_i_and_drops_yo_case_and_accents():
    assert search_fold("СЕМЁН Йошкар-Ола Zoé") == "семен йошкар-ола zoe"


@pytest.mark.parametrize(
    ("query", "digits"),
    [("8 916 123-45-67", ("9161234567",)), ("123-45-67", ("1234567",)), ("8 916", ("8916", "7916")), ("Семен", ())],
)
def test_a_search_query_becomes_phone_digits(query, digits):
    assert phone_search_digits(query) == digits


# Every write path ----------------------------------------------------------------------------------


def test_the_profile_page_stores_the_phone_as_e164_and_refuses_parentheses(client, user):
    client.force_login(user)
    data = {"name": "Nina", "city": "", "bio": "", "language": "en", "timezone": "Europe/Moscow"}

    refused = client.post(reverse("members:account"), {**data, "phone": "((((("})
    user.refresh_from_db()
    assert refused.status_code == 200
    assert "Enter a phone number that can be dialled" in refused.content.decode()
    assert user.phone == ""

    client.post(reverse("members:account"), {**data, "phone": "8 916 123-45-67"})
    user.refresh_from_db()
    assert user.phone == "+79161234567"


def test_the_api_stores_the_phone_as_e164_and_refuses_parentheses(user):
    refused = api(user).patch(reverse("api:me"), {"phone": "((((("}, format="json")
    changed = api(user).patch(reverse("api:me"), {"phone": "8 (916) 123 45 67"}, format="json")

    assert refused.status_code == 400
    assert "Enter a phone number that can be dialled" in refused.json()["phone"][0]
    assert changed.json()["phone"] == "+79161234567"
    user.refresh_from_db()
    assert user.phone == "+79161234567"


def test_an_import_normalises_phones_and_reports_bad_ones():
    parsed = parse("email,name,phone\na@example.org,A,8 916 123-45-67\nb@example.org,B,(((((\n")

    good, bad = parsed.rows
    assert (good.phone, good.errors) == ("+79161234567", [])
    assert bad.errors == [{"code": "phone_invalid", "params": {"value": "((((("}}]


def test_the_admin_form_path_normalises_too():
    user = User(email="x@example.org", phone="8 916 123-45-67")
    user.full_clean(exclude=["password"])

    assert user.phone == "+79161234567"


# Searching -----------------------------------------------------------------------------------------


def directory_names(client, q):
    response = client.get(f"/c/running/manage/people/?q={q}")
    return [m.user.name for m in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query",
    [
        "Семен",
        "семён",
        "СЕМЕН",
        "петрович",
        "елкин",
        "semyon.yolkin@example",
        "8 916 123-45-67",
        "+7 (916) 123-45-67",
        "89161234567",
        "123-45-67",
        "8 916 123",
    ],
)
def test_the_directory_finds_semyon_however_he_is_typed(client, manager, semyon, query):
    client.force_login(manager)

    assert directory_names(client, query) == ["Семён Пётрович Ёлкин"]


def test_the_directory_does_not_confuse_short_i_with_i(client, manager, community):
    MembershipFactory(community=community, user=UserFactory(name="Майя"))
    client.force_login(manager)

    assert directory_names(client, "Маия") == []
    assert directory_names(client, "майя") == ["Майя"]


def test_the_directory_api_folds_the_same_way(manager, semyon):
    response = api(manager).get(f"/api/v1/communities/{semyon.community_id}/members/", {"q": "Семен"})

    assert [m["user"]["name"] for m in response.json()["results"]] == ["Семён Пётрович Ёлкин"]


def test_the_checkin_queue_finds_people_by_folded_name_and_any_phone_format(client, manager, semyon, community):
    other = MembershipFactory(community=community, user=UserFactory(name="Анна"))
    for membership in (semyon, other):
        CheckinEntry.objects.create(
            community=community, membership=membership, reason="new_member", ref="x", due_on=timezone.localdate()
        )
    client.force_login(manager)

    page = client.get("/c/running/manage/checkins/", {"q": "семен"})
    listed = api(manager).get(f"/api/v1/communities/{community.pk}/checkins/", {"q": "8 916 123-45-67"}).json()

    assert [row.entry.membership.user.name for row in page.context["rows"]] == ["Семён Пётрович Ёлкин"]
    assert [e["person"]["name"] for e in listed["results"]] == ["Семён Пётрович Ёлкин"]
    assert 'href="tel:+7-916-123-45-67"' in page.content.decode()

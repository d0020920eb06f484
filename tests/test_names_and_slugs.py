"""Slugs from every Cyrillic alphabet, and unique names created by many people at the same moment on
PostgreSQL: everyone gets an answer, nobody a 500, no name twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.services.community import community_create
from config.slugs import slug_from
from events.services import event_create
from fundraising.models import Campaign, Fundraiser, Team
from fundraising.services import campaign_create, team_create
from fundraising.services.errors import FundraisingError
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Тёплая зима", "teplaya-zima"),
        ("Щука, хлеб и юла", "shchuka-khleb-i-yula"),
        ("Київ", "kyiv"),
        ("Їжак і ґанок", "yizhak-i-ganok"),
        ("Європа", "yevropa"),
        ("Мінск, Ўзвышша", "minsk-uzvyshsha"),
        ("Қазақстан: Әлем, Өмір, Ұлы, Үй, Ғалым, Ңң, Һ", "qazaqstan-alem-omir-uly-uy-galym-nn-h"),
        ("Београд Ђурђевдан", "beograd-djurdjevdan"),
        ("Marathon d'été", "marathon-d-ete"),
        ("🎉🎉", "page"),
    ],
)
def test_slugs_keep_every_cyrillic_letter(title, slug):
    assert slug_from(title) == slug


def test_a_long_title_is_cut_at_a_word():
    assert (
        slug_from("Благотворительный забег в поддержку детского хосписа", max_length=30) == "blagotvoritelnyy-zabeg-v"
    )


def run_together(count, action):
    """Start `count` threads that call action(i) at the same moment; return (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(action(i))
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.fixture
def campaign(transactional_db):
    community = CommunityFactory()
    return Campaign.objects.create(
        community=community, title="Зима", slug="zima", goal="1000", currency="RUB", status="active"
    )


@pytest.mark.django_db(transaction=True)
def test_eight_people_opening_fundraisers_with_one_title_at_once_all_succeed(campaign):
    people = [UserFactory() for _ in range(8)]

    def open_fundraiser(i):
        client = Client()
        client.force_login(people[i])
        url = reverse("fundraising:fundraiser_open", kwargs={"slug": campaign.slug})
        return client.post(url, {"title": "Марафон добра", "goal": "5000"}).status_code

    statuses, errors = run_together(8, open_fundraiser)

    assert errors == []
    assert statuses == [302] * 8
    slugs = set(Fundraiser.objects.values_list("slug", flat=True))
    assert len(slugs) == 8
    assert "marafon-dobra" in slugs


@pytest.mark.django_db(transaction=True)
def test_four_people_creating_one_team_name_at_once_make_one_team(campaign):
    people = [UserFactory() for _ in range(4)]
    names = ["Бегуны", "бегуны", "БЕГУНЫ", "Бегуны "]

    results, errors = run_together(4, lambda i: team_create(campaign=campaign, captain=people[i], name=names[i]))

    assert len(results) == 1
    assert len(errors) == 3
    assert all(isinstance(e, FundraisingError) for e in errors)
    assert Team.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_team_names_are_unique_per_campaign_whatever_their_case(campaign):
    owner = UserFactory()
    team_create(campaign=campaign, captain=owner, name="Волонтёры")

    with pytest.raises(FundraisingError, match="already exists"):
        team_create(campaign=campaign, captain=owner, name="ВОЛОНТЁРЫ")
    other = Campaign.objects.create(community=campaign.community, title="B", slug="b", goal="1", currency="RUB")
    assert team_create(campaign=other, captain=owner, name="ВОЛОНТЁРЫ").slug == "volontery"


@pytest.mark.django_db(transaction=True)
def test_campaigns_events_and_communities_with_one_name_at_once_all_get_free_addresses():
    community = CommunityFactory()
    managers = [MembershipFactory(community=community, role="manager").user for _ in range(4)]
    staff = [UserFactory(is_staff=True) for _ in range(4)]
    starts = timezone.now() + timedelta(days=3)
    fields = {"title": "Забег в парке", "starts_at": starts, "ends_at": starts + timedelta(hours=2)}
    data = {"title": "Тёплая зима", "goal": "1000", "currency": "RUB"}

    made = [
        run_together(4, lambda i: campaign_create(community=community, actor=managers[i], data=data)),
        run_together(4, lambda i: event_create(community=community, by=managers[i], fields=fields)),
        run_together(4, lambda i: community_create(actor=staff[i], name="Київ біжить")),
    ]

    for results, errors in made:
        assert errors == []
        assert len({r.slug for r in results}) == 4
    assert {"teplaya-zima", "zabeg-v-parke", "kyiv-bizhyt"} <= {r.slug for results, _ in made for r in results}

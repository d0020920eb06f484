"""A manager opens the dashboard, reads the cards and charts, changes the period; screenshots at phone
and desktop width in both languages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from communities.models import Membership
from events.models import Event, Registration
from fundraising.models import Campaign, Donation, Fundraiser, Team
from fundraising.services.rollups import donation_days_rebuild
from members.models import Activity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = ["Анна Петрова", "Борис Смирнов", "Вера Кузнецова", "Maria Garcia", "Глеб Иванов", "Дина Соколова"]


def seed(language):
    now = timezone.now()
    russian = language == "ru"
    community = CommunityFactory(name="Бегом за надеждой" if russian else "Running for Hope", slug="running")
    manager = MembershipFactory(
        community=community,
        role=Membership.Role.MANAGER,
        user=UserFactory(name="Mila Manager", language=language),
        joined_at=now - timedelta(days=400),
        stage="active",
        engagement_level="core",
    ).user
    stages, levels = ["new", "contacted", "active", "lapsed"], ["core", "contributor", "participant", "observer"]
    people = []
    for n in range(60):
        membership = MembershipFactory(
            community=community,
            user=UserFactory(name=f"{NAMES[n % len(NAMES)]} {n}"),
            joined_at=now - timedelta(days=n * 3, hours=n),
            stage=stages[n % 4] if n > 5 else "new",
            engagement_level=levels[(n * 7) % 4],
        )
        people.append(membership.user)
        Activity.objects.create(
            user=membership.user, community=community, kind=Activity.Kind.JOINED, occurred_at=membership.joined_at
        )
    for n, person in enumerate(people[:12]):
        Activity.objects.create(
            user=person,
            community=community,
            kind=Activity.Kind.DONATED if n % 2 else Activity.Kind.REGISTERED,
            occurred_at=now - timedelta(hours=n * 5),
            summary="Забег в парке" if russian else "Park run",
        )
    campaign = Campaign.objects.create(
        community=community,
        title="Тёплая зима" if russian else "Warm winter",
        slug="warm-winter",
        goal=Decimal("500000"),
        currency="RUB",
        status="active",
    )
    second = Campaign.objects.create(
        community=community, title="Летний лагерь" if russian else "Summer camp", slug="camp", goal=Decimal("90000")
    )
    team = Team.objects.create(campaign=campaign, name="Офисные бегуны" if russian else "Office runners", slug="office")
    pages = [
        Fundraiser.objects.create(
            campaign=campaign if n % 2 else second,
            owner=people[n],
            team=team if n % 2 else None,
            title=f"{NAMES[n]}: 42 км" if russian else f"{NAMES[n]} runs 42 km",
            slug=f"page-{n}",
            goal=Decimal("20000"),
        )
        for n in range(5)
    ]
    for n in range(90):
        Donation.objects.create(
            campaign=pages[n % 5].campaign if n % 3 else campaign,
            fundraiser=pages[n % 5] if n % 3 else None,
            team=pages[n % 5].team if n % 3 else None,
            amount=Decimal([500, 1000, 1500, 3000, 5000][n % 5]),
            currency="RUB",
            status=Donation.Status.SUCCEEDED,
            provider="sandbox",
            donor_key=f"donor{n}",
            created_at=now - timedelta(days=n % 45, hours=n),
        )
    for n in range(3):
        event = Event.objects.create(
            community=community,
            title=["Забег в парке", "Ярмарка", "Встреча волонтёров"][n]
            if russian
            else ["Park run", "Fair", "Meet-up"][n],
            slug=f"event-{n}",
            starts_at=now + timedelta(days=3 + n * 4),
            ends_at=now + timedelta(days=3 + n * 4, hours=2),
            status=Event.Status.PUBLISHED,
            capacity=[30, None, 12][n],
        )
        for person in people[: 8 + n * 3]:
            Registration.objects.create(event=event, user=person, status="confirmed")
        past = Event.objects.create(
            community=community,
            title=f"{'Субботник' if russian else 'Clean-up'} {n + 1}",
            slug=f"past-{n}",
            starts_at=now - timedelta(days=2 + n * 6),
            ends_at=now - timedelta(days=2 + n * 6) + timedelta(hours=2),
            status=Event.Status.COMPLETED,
        )
        for m, person in enumerate(people[10:22]):
            Registration.objects.create(event=past, user=person, status="attended" if m % 4 else "no_show")
    donation_days_rebuild()  # the demo data is written around the services
    return community, manager


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_manager_reads_the_dashboard_and_changes_the_period(
    page_factory,
    live_server,
    language,
    width,
    viewport,
):
    community, manager = seed(language)
    page = page_factory(viewport=viewport, language=language)
    sign_in(page, live_server, manager)

    page.goto("/c/running/manage/dashboard/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#card-members [data-value]").wait_for()
    assert page.locator("#card-members [data-value]").inner_text() == "61"
    # Chart.js drew every chart: a canvas gets its pixel size from the library.
    page.wait_for_load_state("load")
    assert page.locator("canvas[data-chart]").count() >= 5
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart], .kd-spark canvas')).every(c => Chart.getChart(c))"
    )
    assert drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-{width}-{language}")

    # The numbers of a chart open as a table.
    page.locator("#panel-growth details summary").click()
    page.locator("#panel-growth table").wait_for()

    page.locator("label[for='period-year']").click()
    page.wait_for_url("**period=year**")
    page.locator("#card-members [data-value]").wait_for()
    assert page.locator("input#period-year").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-year-{width}-{language}")

    # Custom dates show their fields and apply them.
    page.locator("label[for='period-custom']").click()
    today = timezone.localdate()
    page.locator("#id_date_from").fill((today - timedelta(days=10)).isoformat())
    page.locator("#id_date_to").fill(today.isoformat())
    page.locator("#dashboard-custom button[type='submit']").click()
    page.wait_for_url("**period=custom**")
    page.locator("#dashboard-range").wait_for()
    assert page.console_errors == [], "\n".join(page.console_errors)


@pytest.mark.parametrize(
    ("language", "width", "viewport"), [("en", "desktop", DESKTOP), ("ru", "desktop", DESKTOP), ("ru", "phone", PHONE)]
)
def test_staff_read_the_organisations_dashboard(
    page_factory,
    live_server,
    language,
    width,
    viewport,
):
    seed(language)
    other = CommunityFactory(name="Клуб доноров" if language == "ru" else "Donor club", slug="donors")
    MembershipFactory(community=other, user=UserFactory(name="Olga Orlova"))
    staff = UserFactory(name="Sasha Staff", language=language, is_staff=True)
    page = page_factory(viewport=viewport, language=language)
    sign_in(page, live_server, staff)
    page.goto("/staff/dashboard/")
    page.locator("#card-members [data-value]").wait_for()
    assert page.locator("#card-members [data-value]").inner_text() == "62"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-organisation-{width}-{language}")
    assert page.console_errors == [], "\n".join(page.console_errors)

"""The member directory and the member page in a browser: filter, open a person, log a call; screenshots
at phone and desktop width in both languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from communities.models import Membership, Tag
from members.models import Activity
from members.services import activity_record
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Анна Петрова", "+7 916 555-01-01", "Москва"),
    ("Борис Смирнов", "+7 903 555-02-02", "Санкт-Петербург"),
    ("Вера Кузнецова", "", "Казань"),
    ("Maria Garcia", "+34 600 123 456", "Madrid"),
    ("Константин Константинопольский", "+7 999 555-05-05", "Нижний Новгород"),
]


def seed(language):
    community = CommunityFactory(name="Бегом за надеждой" if language == "ru" else "Running for Hope", slug="running")
    manager = MembershipFactory(
        community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila Manager", language=language)
    ).user
    drivers = Tag.objects.create(community=community, name="водители" if language == "ru" else "drivers")
    marathon = Tag.objects.create(community=community, name="marathon-2026")
    now = timezone.now()
    stages, levels = list(Membership.Stage), list(Membership.Level)
    for n in range(30):
        name, phone, city = PEOPLE[n % len(PEOPLE)]
        user = UserFactory(name=f"{name} {n}" if n >= len(PEOPLE) else name, phone=phone, city=city)
        membership = MembershipFactory(
            community=community,
            user=user,
            role=Membership.Role.HOST if n % 7 == 0 else Membership.Role.MEMBER,
            status=Membership.Status.PENDING if n % 11 == 5 else Membership.Status.ACTIVE,
            stage=Membership.Stage.NEW if n < 8 else stages[n % 4],
            engagement_level=levels[n % 4],
            engagement_score=(30 - n) * 1.5,
            joined_at=now - timedelta(days=n * 9),
            last_activity_at=None if n % 6 == 0 else now - timedelta(days=n * 4),
        )
        if n % 3 == 0:
            membership.tags.add(drivers)
        if n % 4 == 0:
            membership.tags.add(marathon)
    newest = Membership.objects.get(user__name="Анна Петрова")
    activity_record(
        user=newest.user, community=community, kind=Activity.Kind.JOINED, occurred_at=now - timedelta(days=3)
    )
    activity_record(user=newest.user, community=community, kind=Activity.Kind.REGISTERED, summary="Забег в парке")
    return community, manager, newest


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_manager_filters_the_directory_opens_a_person_and_logs_a_call(
    page_factory,
    live_server,
    language,
    width,
    viewport,
):
    community, manager, newest = seed(language)
    page = page_factory(viewport=viewport, language=language)
    client = Client()
    client.force_login(manager)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )

    page.goto("/c/running/manage/people/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#directory-count").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"directory-{width}-{language}")

    # A filter chip swaps the results in place and puts the filter in the address bar.
    filters_open = page.locator("details.kd-filters").evaluate("details => details.open")
    assert filters_open == (width == "desktop")  # folded on a phone until wanted
    if not filters_open:
        page.locator("details.kd-filters > summary").click()
    page.locator("label[for='f-stage-1']").click()  # stage: new
    page.wait_for_url("**stage=new**")
    new_count = Membership.objects.filter(community=community, stage=Membership.Stage.NEW).count()
    page.locator("#directory-count").filter(has_text=str(new_count)).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"directory-filtered-{width}-{language}")

    # Search narrows it further, still without a page load.
    page.locator("#directory-q").fill("Анна")
    page.wait_for_url("**q=**")
    annas = Membership.objects.filter(community=community, stage=Membership.Stage.NEW, user__name__contains="Анна")
    page.locator("#directory-count").filter(has_text=f"{annas.count()} ").wait_for()

    page.locator(f"a[href='/c/running/manage/people/{newest.pk}/']").click()
    page.locator("#member-stage").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"member-{width}-{language}")

    page.locator("label[for='id_kind_0']").click()  # call
    page.locator("#id_outcome").select_option("reached")
    page.locator("#id_note").fill(
        "Хочет помогать с забегом в парке." if language == "ru" else "Wants to help at the park run."
    )
    page.locator(".kd-contact-form button[type='submit']").click()
    page.locator(".alert-success").wait_for()
    newest.refresh_from_db()
    assert newest.stage == Membership.Stage.CONTACTED
    assert "park" in page.content() or "парке" in page.content()
    screenshot(page, f"member-after-call-{width}-{language}")

    # Tags are added in place.
    page.locator("#member-tags input[name='name']").fill("волонтёры" if language == "ru" else "volunteers")
    page.locator("#member-tags button[type='submit']").last.click()
    page.locator("#member-tags").get_by_text("#волонтёры" if language == "ru" else "#volunteers").wait_for()
    assert page.console_errors == [], "\n".join(page.console_errors)

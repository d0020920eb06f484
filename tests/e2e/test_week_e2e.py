"""A manager's, a volunteer's and a donor's week, at phone and desktop width, in English and Russian.

Each walk saves screenshots (tests/e2e/screenshots/week-*) and checks what a person would notice:
nothing wider than the screen, no markup shown as text, no English words on Russian pages.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from communities.routine.models import CheckinEntry
from events.models import Event
from fundraising.models import Campaign, Donation, Fundraiser
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [("phone", PHONE), ("desktop", DESKTOP)]
# Words of the interface that must not be left in English on a Russian page.
ENGLISH = ["Dashboard", "Check-ins", "Members", "Log call", "Snooze", "Publish and send", "Go back", "Try again",
           "Your gift", "Record", "Manage", "Until", "Raising funds now", "people will get"]  # fmt: skip
STORY = "Every winter we bring warmth to families far from help.\n\nReports: https://example.org/reports"


@pytest.fixture
def week(db):
    community = CommunityFactory(name="Тёплый дом: волонтёры", slug="warm", join_policy="open")
    CommunityFactory(name="Клуб друзей фонда", join_policy="approval")
    CommunityFactory(name="Charity Runners", join_policy="invitation")
    manager = _person("anna@example.org", "Анна Петрова")
    MembershipFactory(community=community, user=manager, role="manager")
    volunteer = _person("ivan@example.org", "Иван Смирнов")
    membership = MembershipFactory(community=community, user=volunteer, role="host")
    today = timezone.localdate()
    for reason, ref in [("new_member", "joined:1"), ("follow_up", "contact:1")]:
        CheckinEntry.objects.create(community=community, membership=membership, reason=reason, ref=ref, due_on=today)
    campaign = Campaign.objects.create(
        community=community,
        title="Тёплая зима для 100 семей",
        slug="warm-winter",
        goal=Decimal("500000"),
        currency="RUB",
        status="active",
        suggested_amounts=["500.00", "1000.00", "3000.00"],
        ends_on=today + timedelta(days=40),
        story=STORY,
    )
    event = EventFactory(community=community, title="Субботник в парке", hosts=[manager])
    RegistrationFactory.create_batch(3, event=event)
    for n in range(4):
        MembershipFactory(community=community, user__consent_news=n < 3)
    return {"community": community, "manager": manager, "volunteer": volunteer, "campaign": campaign, "event": event}


def _person(email, name):
    user = UserFactory(email=email, name=name, consent_news=True)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


def open_page(page_factory, viewport, language):
    page = page_factory(viewport=viewport, language=language)
    page.set_default_timeout(30_000)  # a whole week of pages on a busy CI machine
    return page


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type='submit']").last.click()
    page.wait_for_load_state()


def check(page, name, language, viewport):
    """What every page of the week must be: fits the screen, no raw markup, Russian when Russian."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    text = page.locator("main").inner_text()
    for raw in ("<p>", "</", "**", "&lt;", "{%", "{{"):
        assert raw not in text, f"{name}: {raw!r} shown as text"
    if language == "ru":
        visible = page.locator("body").inner_text()
        left = [word for word in ENGLISH if word in visible]
        assert not left, f"{name}: English on a Russian page: {left}"
    screenshot(page, f"week-{name}")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_managers_week(page_factory, week, language, width, viewport):
    manager = week["manager"]
    _speak(manager, language)
    page = open_page(page_factory, viewport, language)

    sign_in(page, manager)
    assert page.url.endswith("/c/warm/manage/dashboard/")
    check(page, f"manager-dashboard-{width}-{language}", language, viewport)
    tabs = page.locator(".kd-manage-tabs .nav-link") if width == "desktop" else None
    if tabs is not None:
        for n in range(tabs.count()):
            box = tabs.nth(n).bounding_box()
            assert box["x"] >= 0, "a tab is cut off"
            assert box["x"] + box["width"] <= viewport["width"], "a tab is cut off"
    else:
        page.locator(".kd-manage-nav .dropdown-toggle").click()
        page.locator(".kd-manage-nav .dropdown-menu.show").wait_for()
        screenshot(page, f"week-manager-menu-{width}-{language}")
        page.keyboard.press("Escape")

    # The queue: Ivan once, with both reasons; a logged call takes his whole row away.
    page.goto("/c/warm/manage/checkins/")
    rows = page.locator("[data-testid='checkin-person']")
    assert rows.count() == 1
    assert rows.first.locator(".kd-reasons li").count() == 2
    check(page, f"manager-queue-{width}-{language}", language, viewport)
    entry = CheckinEntry.objects.filter(membership__user=week["volunteer"]).order_by("due_on", "pk").first()
    rows.first.locator(f"button[data-bs-target='#log-{entry.pk}']").click()
    page.locator(f"#log-{entry.pk}.show").wait_for()
    rows.first.locator(f"#log-{entry.pk} button[type='submit']").click()
    page.locator(f"#checkin-{entry.membership_id} [role='status']").wait_for()
    assert not CheckinEntry.objects.filter(membership=entry.membership, done_at__isnull=True).exists()

    # An announcement: who gets it and who turned off news, a preview, then it goes.
    page.goto("/c/warm/manage/announcements/")
    page.locator("#id_title").fill("Отчёт за ноябрь" if language == "ru" else "November report")
    page.locator("#id_body").fill("Спасибо всем!\n\nМы собрали 312 000 ₽." if language == "ru" else "Thank you all!")
    page.locator("main form button[type='submit']").last.click()
    page.wait_for_load_state()
    assert "5" in page.locator(".alert").inner_text()  # three members, Ivan and Anna asked for news
    check(page, f"manager-announcement-confirm-{width}-{language}", language, viewport)
    page.locator("main form button.btn-primary").click()
    page.wait_for_load_state()
    assert week["community"].announcements.count() == 1

    # Cancelling the event says who will be told before anything happens.
    page.goto(f"/events/{week['event'].pk}/manage/")
    page.locator(f"form[action='/events/{week['event'].pk}/cancel/'] button[type='submit']").click()
    page.wait_for_load_state()
    check(page, f"manager-cancel-confirm-{width}-{language}", language, viewport)
    assert Event.objects.get(pk=week["event"].pk).status == "published"
    assert page.console_errors == [], "\n".join(page.console_errors)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_volunteers_week(page_factory, week, language, width, viewport):
    volunteer = week["volunteer"]
    _speak(volunteer, language)
    page = open_page(page_factory, viewport, language)
    sign_in(page, volunteer)

    # Starting a fundraiser: the campaign's story as text to edit, the goal in roubles.
    page.goto("/campaigns/warm-winter/start/")
    assert page.locator("#id_story").input_value() == STORY
    assert page.locator(".kd-input-suffix .input-group-text").first.inner_text() in ("RUB", "₽")
    check(page, f"volunteer-start-{width}-{language}", language, viewport)
    page.locator("#id_title").fill("Иван бежит 10 км" if language == "ru" else "Ivan runs 10 km")
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    fundraiser = Fundraiser.objects.get(owner=volunteer)
    assert page.locator("main a[href='https://example.org/reports']").count() >= 1
    check(page, f"volunteer-fundraiser-{width}-{language}", language, viewport)

    # Cash from a friend: recorded, shown as waiting for the managers.
    page.goto(f"/f/{fundraiser.slug}/donations/offline/")
    page.locator("#id_amount").fill("2500")
    page.locator("#id_donor_name").fill("Тётя Вера" if language == "ru" else "Aunt Vera")
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    assert Donation.objects.get(fundraiser=fundraiser).status == "pending"
    check(page, f"volunteer-cash-{width}-{language}", language, viewport)
    assert page.console_errors == [], "\n".join(page.console_errors)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_donors_week(page_factory, week, language, width, viewport):
    page = open_page(page_factory, viewport, language)

    page.goto("/")
    assert page.locator(".kd-campaign-card").count() == 1
    check(page, f"donor-home-{width}-{language}", language, viewport)

    page.goto("/give/campaign/warm-winter/")
    page.locator("#id_amount").fill("1250")
    page.locator("#id_name").fill("Ольга" if language == "ru" else "Olga")
    page.locator("#id_email").fill("olga@example.org")
    page.locator("#id_message").fill("Держитесь!" if language == "ru" else "Stay strong!")
    page.locator(".kd-give-form button[type='submit']").click()
    page.locator("button[value='fail']").click()
    page.get_by_role("link", name="Попробовать ещё раз" if language == "ru" else "Try again").wait_for()
    assert page.locator(".kd-share").count() == 0
    check(page, f"donor-failed-{width}-{language}", language, viewport)

    page.get_by_role("link", name="Попробовать ещё раз" if language == "ru" else "Try again").click()
    page.wait_for_load_state()
    assert page.locator("#id_amount").input_value() == "1250"
    assert page.locator("#id_email").input_value() == "olga@example.org"
    check(page, f"donor-again-{width}-{language}", language, viewport)
    assert page.console_errors == [], "\n".join(page.console_errors)

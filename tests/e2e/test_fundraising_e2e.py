"""A donor on a phone gives through the sandbox checkout and sees the fundraiser's total rise."""

from decimal import Decimal

import pytest

from fundraising.models import Campaign, Donation, Fundraiser, Team
from fundraising.services import donation_transition
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fundraiser(db):
    community = CommunityFactory(name="Warm Home Foundation")
    owner = MembershipFactory(community=community, user__name="Nina Volkova").user
    campaign = Campaign.objects.create(
        community=community,
        title="Warm winter for 100 families",
        slug="warm-winter",
        goal=Decimal("500000"),
        currency="RUB",
        status="active",
        suggested_amounts=["500.00", "1000.00", "3000.00"],
        summary="Blankets, heaters and firewood for families in remote villages.",
        story="<p>Every winter the foundation brings warmth to families who live far from help.</p>",
    )
    team = Team.objects.create(campaign=campaign, name="Office runners", slug="office-runners", captain=owner)
    return Fundraiser.objects.create(
        campaign=campaign,
        owner=owner,
        team=team,
        title="Nina runs 42 km for warm homes",
        slug="nina-runs",
        goal=Decimal("20000"),
        story="<p>I am running my first marathon: every kilometre is a blanket.</p>",
    )


def _gifts(fundraiser):
    """A few gifts, one anonymous with a dedication, so the pages show donors and a leaderboard."""
    second = Fundraiser.objects.create(
        campaign=fundraiser.campaign,
        owner=fundraiser.owner,
        title="Birthday without presents: warmth instead",
        slug="birthday",
        goal=Decimal("15000"),
    )
    gifts = [
        (fundraiser, "Konstantin Konstantinopolsky-Velikoretsky", False, "12500", "Run, Nina! We are with you."),
        (fundraiser, "Maria", True, "3000", ""),
        (second, "Pavel Orlov", False, "1500", "Happy birthday!"),
        (None, "Elena Sokolova", False, "50000", ""),
    ]
    for n, (target, name, anonymous, amount, message) in enumerate(gifts):
        donation = Donation.objects.create(
            campaign=fundraiser.campaign,
            fundraiser=target,
            team_id=target.team_id if target else None,
            amount=Decimal(amount),
            currency="RUB",
            donor_name=name,
            donor_email=f"g{n}@example.org",
            donor_key=f"g{n}@example.org",
            anonymous=anonymous,
            message=message,
            provider="offline",
            dedication_kind="memory" if anonymous else "",
            dedication_name="Vera Ivanovna" if anonymous else "",
        )
        donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)


def _raised(page):
    return page.get_by_test_id("raised").first.inner_text()


@pytest.mark.parametrize(
    ("width", "viewport", "language", "thousand"),
    [("phone", PHONE, "en", "RUB\u00a01,000"), ("desktop", DESKTOP, "ru", "1\u00a0000\u00a0₽")],
)
def test_a_donor_gives_through_the_sandbox_and_sees_the_total_rise(
    page_factory, fundraiser, width, viewport, language, thousand
):
    page = page_factory(viewport=viewport, language=language)
    page.goto(fundraiser.get_absolute_url())
    assert thousand not in _raised(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"fundraiser-{width}-{language}")

    page.locator("a[href$='/give/fundraiser/nina-runs/']:visible").first.click()
    page.locator("label[for=preset-2]").click()  # the second suggested amount: 1 000
    page.locator("#id_name").fill("Olga Petrova")
    page.locator("#id_email").fill("olga@example.org")
    page.locator("#id_message").fill("Run, Nina, run!")
    page.wait_for_timeout(300)  # let the chosen amount's colour transition finish before the picture
    screenshot(page, f"give-{width}-{language}")
    page.locator(".kd-give-form button[type=submit]").click()

    page.locator(".kd-test-mode").wait_for()
    screenshot(page, f"sandbox-{width}-{language}")
    page.locator("button[value=succeed]").click()

    page.locator(".kd-test-mode").wait_for()  # the thank-you page says it was a test too
    assert thousand in _raised(page)
    screenshot(page, f"thanks-{width}-{language}")

    page.goto(fundraiser.get_absolute_url())
    assert thousand in _raised(page)
    assert page.get_by_text("Olga Petrova").count() >= 1
    fundraiser.refresh_from_db()
    assert fundraiser.raised_amount == Decimal("1000")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_donor_pages_look_finished_in_both_languages(page_factory, fundraiser, language, width, viewport):
    _gifts(fundraiser)
    page = page_factory(viewport=viewport, language=language)
    campaign = fundraiser.campaign
    pages = [
        (campaign.get_absolute_url(), "campaign"),
        (fundraiser.get_absolute_url(), "fundraiser"),
        (fundraiser.team.get_absolute_url(), "team"),
        (f"/give/fundraiser/{fundraiser.slug}/", "give"),
    ]
    for path, name in pages:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"fundraising-{name}-{width}-{language}")
    page.locator(".kd-give-form button[type=submit]").click()
    screenshot(page, f"fundraising-give-errors-{width}-{language}")
    assert page.console_errors == []


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_manager_and_supporter_pages_fit_the_screen(page_factory, fundraiser, width, viewport):
    _gifts(fundraiser)
    campaign = fundraiser.campaign
    manager = MembershipFactory(community=campaign.community, role="manager").user
    page = page_factory(viewport=viewport)
    _sign_in(page, manager.email)
    pages = [
        (f"/fundraising/manage/{campaign.slug}/", "manage-campaign"),
        (f"/fundraising/manage/{campaign.slug}/donations/", "manage-donations"),
        (f"/fundraising/manage/{campaign.slug}/donations/offline/", "offline"),
        (f"/campaigns/{campaign.slug}/start/", "fundraiser-open"),
        ("/fundraising/mine/", "mine"),
    ]
    for path, name in pages:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        screenshot(page, f"fundraising-{name}-{width}-en")
    assert page.console_errors == []

"""A donor on a phone starts a monthly gift through the sandbox without an account, gets a receipt for
the next month's charge, and stops the gift from the link in that receipt; in both languages."""

from datetime import timedelta
from decimal import Decimal

import pytest

from fundraising.models import Campaign, Donation, Subscription
from fundraising.services import subscriptions_charge_due
from members.models import OutboundMessage
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"monthly": "Monthly", "stop": "Stop my monthly gift", "stopped": "cancelled"},
    "ru": {"monthly": "Ежемесячно", "stop": "Отменить регулярное пожертвование", "stopped": "отменено"},
}


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        community=CommunityFactory(name="Warm Home Foundation"),
        title="Warm winter for 100 families",
        slug="warm-winter",
        goal=Decimal("500000"),
        currency="RUB",
        status="active",
        suggested_amounts=["300.00", "500.00", "1000.00"],
        summary="Blankets, heaters and firewood for families in remote villages.",
    )


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_donor_starts_a_monthly_gift_gets_each_receipt_and_stops_it_from_the_link(
    page_factory, campaign, language, live_server, settings
):
    settings.SITE_URL = live_server.url
    words = WORDS[language]
    page = page_factory(viewport=PHONE, language=language)
    page.goto(f"/give/campaign/{campaign.slug}/")
    page.locator("label[for=frequency-monthly]").click()
    assert page.locator(".kd-monthly-day").is_visible()
    page.locator("#id_day").select_option("31")
    page.locator("label[for=preset-2]").click()  # 500
    page.locator("#id_name").fill("Olga Petrova")
    page.locator("#id_email").fill("olga@example.org")
    _fits(page)
    screenshot(page, f"monthly-give-phone-{language}")
    page.locator(".kd-give-form button[type=submit]").click()

    page.locator("#card_fails").wait_for()
    screenshot(page, f"monthly-sandbox-phone-{language}")
    page.locator("button[value=succeed]").click()
    page.get_by_test_id("monthly-note").wait_for()
    _fits(page)
    screenshot(page, f"monthly-thanks-phone-{language}")

    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.ACTIVE
    # Next month's day comes: the beat charges the saved card and a receipt goes out.
    subscriptions_charge_due(now=subscription.next_charge_at + timedelta(minutes=1))
    charges = Donation.objects.filter(subscription=subscription, status=Donation.Status.SUCCEEDED)
    assert charges.count() == 2
    receipt = OutboundMessage.objects.filter(template="donation_receipt").order_by("-pk").first()
    assert receipt.language == language
    link = next(word for word in receipt.body_text.split() if "/give/me/link/" in word)

    _manager_sees_a_monthly_donor(page_factory, campaign, language)

    page.goto(link)
    page.get_by_test_id("subscription").wait_for()
    assert page.get_by_test_id("gift").count() == 2
    _fits(page)
    screenshot(page, f"monthly-donor-page-phone-{language}")
    page.get_by_role("button", name=words["stop"]).click()
    page.get_by_test_id("subscription-status").wait_for()
    assert page.get_by_test_id("subscription-status").inner_text().lower() == words["stopped"]
    screenshot(page, f"monthly-stopped-phone-{language}")

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED
    assert OutboundMessage.objects.filter(template="subscription_cancelled", language=language).count() == 1
    assert page.console_errors == []


def _manager_sees_a_monthly_donor(page_factory, campaign, language):
    manager = MembershipFactory(community=campaign.community, role="manager").user
    page = page_factory(viewport=DESKTOP, language=language)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(manager.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"/fundraising/donors/{campaign.community.slug}/")
    row = page.get_by_test_id("donor-row").filter(has_text="olga@example.org")
    assert row.get_by_test_id("donor-recurring").count() == 1
    assert page.get_by_test_id("active-donors").inner_text() == "1"
    screenshot(page, f"monthly-donors-desktop-{language}")
    row.get_by_role("link").first.click()
    page.get_by_test_id("donor-subscription").wait_for()
    assert page.get_by_test_id("donor-gift").count() == 2
    screenshot(page, f"monthly-donor-person-desktop-{language}")
    assert page.console_errors == []

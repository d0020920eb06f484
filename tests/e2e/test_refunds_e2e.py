"""A manager refunds part of a gift from its page, in both languages and at both widths; the sandbox's
test page refunds as a provider's dashboard would; staff see the checks' repairs on the jobs page."""

from decimal import Decimal

import pytest

from fundraising.models import Campaign, Refund, SandboxPayment
from fundraising.providers.sandbox import sandbox_refund_add
from fundraising.services import checks
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gift(db):
    community = CommunityFactory(name="Warm Home Foundation")
    campaign = Campaign.objects.create(
        community=community,
        title="Warm winter for 100 families",
        slug="warm-winter",
        goal=Decimal("500000"),
        currency="RUB",
        status="active",
    )
    return make_paid(campaign, amount="1500", donor_name="Olga Petrova", email="olga@example.org")


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [("en", "300.50", "RUB\u00a0300.50"), ("ru", "300,50", "300,50\u00a0₽")],
)
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_manager_refunds_part_of_a_gift_from_its_page(page_factory, gift, language, typed, shown, width, viewport):
    manager = MembershipFactory(community=gift.campaign.community, role="manager", user__language=language).user
    page = page_factory(viewport=viewport, language=language)
    _sign_in(page, manager.email)

    page.goto(f"/fundraising/manage/{gift.campaign.slug}/donations/{gift.pk}/refund/")
    page.locator("#id_amount").fill("100,000")  # ambiguous on a Russian page, misgrouped on an English one
    page.locator("#id_reason").fill("Asked by the donor")
    page.locator("form button.btn-danger").click()
    assert page.locator(".invalid-feedback, .text-danger").first.is_visible()
    screenshot(page, f"refund-error-{width}-{language}")

    page.locator("#id_amount").fill(typed)
    page.locator("form button.btn-danger").click()
    page.wait_for_load_state()
    # First the confirmation: how much goes back to whom, that she is told, and nothing refunded yet.
    effects = page.locator("main .alert").inner_text()
    assert shown in effects
    assert "Olga Petrova" in effects
    assert ("Жертвователь получит письмо" if language == "ru" else "The donor will get an e-mail") in effects
    assert not Refund.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"refund-confirm-{width}-{language}")
    page.locator("main form button.btn-danger").click()
    page.wait_for_load_state()

    assert shown in page.locator("[data-testid=refunds]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"refund-done-{width}-{language}")
    assert Refund.objects.get().amount == Decimal("300.50")
    page.goto(f"/fundraising/manage/{gift.campaign.slug}/")
    assert "money-split" in page.content()
    screenshot(page, f"refund-campaign-money-{width}-{language}")
    make_donation(gift.campaign, amount="700", email="wait@example.org")  # a donor still at the checkout
    page.goto("/fundraising/manage/")  # the campaigns list: confirmed and not yet confirmed apart
    assert page.locator("[data-testid=awaiting]").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"refund-campaigns-list-{width}-{language}")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_sandbox_page_refunds_and_staff_see_the_checks_repairs(page_factory, gift, language):
    page = page_factory(viewport=PHONE, language=language)
    page.goto(f"/give/sandbox/{gift.provider_reference}/")
    page.locator("#id_amount").fill("200")
    page.locator("form button.btn-outline-danger").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=sandbox-refunds]").is_visible()
    screenshot(page, f"sandbox-refund-{language}")

    # Another gift refunded at the provider whose callback never arrived: reconciliation finds it.
    other = make_paid(gift.campaign, amount="700", donor_name="Pavel", email="pavel@example.org")
    sandbox_refund_add(payment=SandboxPayment.objects.get(reference=other.provider_reference), amount=Decimal("700"))
    checks.payments_reconcile(sample=10)
    staff = UserFactory(is_staff=True, language=language)
    desk = page_factory(viewport=DESKTOP, language=language)
    _sign_in(desk, staff.email)
    desk.goto("/staff/jobs/")
    assert desk.locator(".kd-job-notes li").count() >= 1
    screenshot(desk, f"jobs-repairs-{language}")
    assert page.console_errors == []
    assert desk.console_errors == []

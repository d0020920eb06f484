"""Destructive one-tap actions ask first, in the page's language, and the step works with JavaScript off."""

import pytest
from allauth.account.models import EmailAddress

from communities.models import Invitation
from communities.services.invitations import invitation_send
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"revoke": "Revoke", "back": "Go back", "effect": "will stop working", "revoked": "Revoked"},
    "ru": {"revoke": "Отозвать", "back": "Вернуться", "effect": "перестанет работать", "revoked": "Отозвано"},
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_revoking_an_invitation_asks_first_without_javascript(browser, live_server, language):
    community = CommunityFactory(name="Тёплый дом", slug="warm")
    manager = UserFactory(email="anna@example.org", name="Анна", language=language)
    EmailAddress.objects.update_or_create(
        user=manager, email=manager.email, defaults={"verified": True, "primary": True}
    )
    MembershipFactory(community=community, user=manager, role="manager")
    invitation = invitation_send(community=community, email="guest@example.org", actor=manager)
    context = browser.new_context(viewport=PHONE, locale=language, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    words = WORDS[language]
    try:
        page.goto("/accounts/login/")
        page.locator("#id_login").fill(manager.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type='submit']").last.click()
        page.goto("/c/warm/manage/invitations/")

        page.get_by_role("button", name=words["revoke"], exact=True).click()
        assert words["effect"] in page.locator("main .alert").inner_text()
        assert "guest@example.org" in page.locator("main .alert").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"confirm-revoke-nojs-{language}")
        page.get_by_role("link", name=words["back"]).click()
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None

        page.get_by_role("button", name=words["revoke"], exact=True).click()
        page.locator("main form button.btn-danger").click()
        assert page.url.endswith("/c/warm/manage/invitations/")
        assert words["revoked"] in page.locator(f"#invitation-{invitation.pk}").inner_text()
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    finally:
        context.close()

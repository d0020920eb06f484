"""Two-factor sign-in with a security key (WebAuthn), in Chromium with its virtual authenticator standing in
for the key: a manager adds one, and the next sign-in asks for it after the password."""

import pytest

from members.models import User
from tests.e2e.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def plug_in_a_key(page):
    """Chromium's virtual authenticator: a USB key that answers at once, as a touched key would."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_manager_adds_a_security_key_and_signs_in_with_it(page_factory, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http on localhost
    manager = MembershipFactory(community=CommunityFactory(), role="manager").user
    page = page_factory(viewport=DESKTOP)
    plug_in_a_key(page)
    sign_in(page, manager)
    page.wait_for_url("**/manage/**")

    page.goto("/account/")
    page.get_by_role("link", name="Two-factor sign-in: an app or a security key").click()
    page.wait_for_url("**/accounts/2fa/")
    screenshot(page, "two-factor-index-desktop-en")
    page.get_by_role("link", name="Add").click()
    page.locator("#id_password").fill(PASSWORD)  # allauth asks for the password again first
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    screenshot(page, "two-factor-add-key-desktop-en")
    page.get_by_label("Name").fill("Blue key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")  # the first key comes with recovery codes
    assert User.objects.get(pk=manager.pk).mfa_enabled is True

    page.context.clear_cookies()
    sign_in(page, manager)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    screenshot(page, "two-factor-authenticate-desktop-en")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/manage/**")
    page.goto("/account/")
    assert page.get_by_text("on", exact=True).is_visible()
    assert page.console_errors == []

import re

import pytest
from django.core import mail

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_up_confirms_and_sees_their_account(page_factory):
    page = page_factory(viewport=PHONE)
    page.goto("/")
    screenshot(page, "home-phone-en")

    page.get_by_role("link", name="Join Kindred").click()
    page.get_by_label("Your name").fill("Nina Volkova")
    page.get_by_label("Email").fill("nina@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_personal_data").check()
    screenshot(page, "signup-phone-en")
    page.get_by_role("button", name="Sign Up").click()

    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    confirm_url = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(confirm_url)
    screenshot(page, "confirm-phone-en")
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Hello, Nina").wait_for()
    assert page.get_by_label("Name").input_value() == "Nina Volkova"
    screenshot(page, "account-phone-en")

    page.get_by_role("button", name="Open menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nina@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Hello, Nina").wait_for()
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_shell_looks_finished_in_both_languages(page_factory, language, width, viewport):
    page = page_factory(viewport=viewport, language=language)

    pages = [("/", "home"), ("/accounts/signup/", "signup"), ("/accounts/login/", "login")]
    pages += [("/accounts/password/reset/", "password-reset"), ("/api/docs/", "api-docs")]
    for path, name in pages:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        # Nothing wider than the screen: a phone never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"{name}-{width}-{language}")
    assert page.console_errors == []

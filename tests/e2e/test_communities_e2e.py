import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from communities import demo
from communities.models import Community, Membership
from communities.services.invitations import invitation_send
from members.models import User
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def demo_data(language):
    for email, name in [("manager@kindred.test", "Anna Petrova"), ("volunteer@kindred.test", "Ivan Smirnov")]:
        UserFactory(email=email, name=name, language=language)
    demo.seed(_Quiet())
    return Community.objects.get(slug="teplyi-dom-volunteers")


class _Quiet:
    def write(self, text):
        pass


def check(page, viewport, name):
    # Nothing wider than the screen: a phone never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    screenshot(page, name)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_community_pages_look_finished(page_factory, live_server, language, width, viewport):
    community = demo_data(language)
    private = Community.objects.get(slug="semi-podopechnykh")
    runners = Community.objects.get(slug="charity-runners")
    manager = User.objects.get(email="manager@kindred.test")
    invitation = invitation_send(community=runners, email="guest@example.org", actor=manager)
    link = runners.invite_links.first()
    page = page_factory(viewport=viewport, language=language)

    for path, name in [
        ("/c/", "list"),
        (community.get_absolute_url(), "community"),
        (f"/c/invite/{invitation.token}/", "invitation"),
        (f"/c/join/{link.token}/", "invite-link"),
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        check(page, viewport, f"communities-{name}-visitor-{width}-{language}")

    page.context.add_cookies([_session_cookie(manager, live_server.url)])
    for path, name in [
        ("/", "home"),
        (private.get_absolute_url(), "community"),
        (f"/c/{community.slug}/manage/", "settings"),
        (f"/c/{private.slug}/manage/requests/", "requests"),
        (f"/c/{runners.slug}/manage/invitations/", "invitations"),
        (f"/c/{runners.slug}/manage/links/", "links"),
        (f"/c/{community.slug}/manage/announcements/", "announcements"),
        (f"/c/{community.slug}/manage/roles/", "roles"),
    ]:
        page.goto(path)
        check(page, viewport, f"communities-{name}-manager-{width}-{language}")
    assert page.console_errors == []


def _session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.session.session_key, "url": url}


def test_a_manager_invites_a_person_who_signs_up_on_the_way_and_a_request_is_approved(page_factory, live_server):
    community = demo_data("en")
    manager = User.objects.get(email="manager@kindred.test")
    page = page_factory(viewport=PHONE)
    page.context.add_cookies([_session_cookie(manager, live_server.url)])

    page.goto(f"/c/{community.slug}/manage/invitations/")
    page.get_by_label("E-mail").fill("nina@example.org")
    page.get_by_label("Personal note (optional)").fill("We would love your help on Saturdays!")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("The invitation is on its way to nina@example.org.").wait_for()
    link = re.search(r"https?://\S+/c/invite/\S+/", mail.outbox[-1].body).group(0)

    guest = page_factory(viewport=PHONE)
    guest.goto(link.replace(settings.SITE_URL, live_server.url))
    guest.get_by_label("Your name").fill("Nina Volkova")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_label("I agree to the processing of my personal data").check()
    screenshot(guest, "communities-invitation-signup-phone-en")
    guest.get_by_role("button", name="Create account and join").click()
    guest.get_by_text("Welcome to").first.wait_for()
    guest.get_by_text("You are a member").wait_for()
    assert Membership.objects.get(user__email="nina@example.org", community=community).source == "invitation"

    # One tap on a join request, without leaving the page.
    private = Community.objects.get(slug="semi-podopechnykh")
    page.goto(f"/c/{private.slug}/manage/requests/")
    first = page.locator("[data-row]").first
    first.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved").first.wait_for()
    assert Membership.objects.filter(community=private, status="pending").count() == 5
    assert page.console_errors == []
    assert guest.console_errors == []

"""Issue 3 end to end: a manager invites a person, the person accepts and signs up on the way, and the
manager finds them in the directory and logs a call."""

import re

import pytest
from django.conf import settings
from django.core import mail

from communities.models import Membership
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invite_sign_up_find_in_the_directory_and_log_a_call(page_factory, live_server):
    community = CommunityFactory(name="Running for Hope", slug="running", join_policy="invitation")
    manager = MembershipFactory(community=community, role="manager", user__email="lead@example.org").user
    MembershipFactory.create_batch(12, community=community)

    page = page_factory(viewport=PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(manager.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/c/running/manage/"))  # managers land on their community's dashboard

    page.goto("/c/running/manage/invitations/")
    page.get_by_label("E-mail").fill("nina@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("The invitation is on its way to nina@example.org.").wait_for()
    link = re.search(r"https?://\S+/c/invite/\S+/", mail.outbox[-1].body).group(0)

    guest = page_factory(viewport=PHONE)
    guest.goto(link.replace(settings.SITE_URL, live_server.url))
    guest.get_by_label("Your name").fill("Nina Volkova")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_label("I agree to the processing of my personal data").check()
    guest.get_by_role("button", name="Create account and join").click()
    guest.get_by_text("You are a member").wait_for()

    page.goto("/c/running/manage/people/")
    page.locator("#directory-q").fill("Nina")
    page.wait_for_url("**q=Nina**")
    page.locator("#directory-count").filter(has_text="1 ").wait_for()
    nina = Membership.objects.get(community=community, user__email="nina@example.org")
    page.locator(f"a[href='/c/running/manage/people/{nina.pk}/']").first.click()
    page.locator("#member-stage").wait_for()
    page.locator("label[for='id_kind_0']").click()  # a call
    page.locator("#id_outcome").select_option("reached")
    page.locator("#id_note").fill("Will help at the Saturday run.")
    page.locator(".kd-contact-form button[type='submit']").click()
    page.locator(".alert-success").wait_for()
    screenshot(page, "crm-flow-member-after-call-phone-en")

    nina.refresh_from_db()
    assert (nina.source, nina.stage) == ("invitation", "contacted")
    assert "Will help at the Saturday run." in page.content()
    assert page.console_errors == []
    assert guest.console_errors == []

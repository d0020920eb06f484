"""Two-factor sign-in (allauth.mfa): required for staff and managers after a grace period; an
authenticator app's codes (generated here with pyotp) and recovery codes let them in."""

import time
from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from communities.services.membership import membership_change_role
from members.models import User
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


@pytest.fixture
def manager():
    community = CommunityFactory()
    boss = MembershipFactory(community=community, role="manager").user
    membership = MembershipFactory(community=community, user=UserFactory(name="Nora New"))
    membership_change_role(membership=membership, role="manager", actor=boss)
    return User.objects.get(pk=membership.user_id)


def test_becoming_a_manager_starts_the_grace_period(manager, client):
    assert manager.mfa_due_at - timezone.now() > timedelta(days=13)
    sign_in(client, manager)

    page = client.get(reverse("members:account"), follow=True)

    assert page.status_code == 200
    assert "Please turn on two-factor sign-in by" in page.content.decode()


def test_after_the_grace_period_every_page_leads_to_the_setup(manager, client):
    User.objects.filter(pk=manager.pk).update(mfa_due_at=timezone.now() - timedelta(minutes=1))
    sign_in(client, manager)

    for url in (reverse("members:account"), reverse("communities:list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200  # the app or a security key, as they choose
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.url.startswith(reverse("account_reauthenticate"))  # the password once more, then the app


def activate(client, commit):
    # allauth asks for the password again before a new authenticator is added.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    with commit():  # allauth announces the new authenticator once the transaction commits
        response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return pyotp.TOTP(secret)


def test_a_manager_sets_up_an_app_and_signs_in_with_its_code(manager, client, commit):
    User.objects.filter(pk=manager.pk).update(mfa_due_at=timezone.now() - timedelta(minutes=1))
    sign_in(client, manager)

    totp = activate(client, commit)
    assert client.get(reverse("members:account")).status_code == 200
    client.post(reverse("account_logout"))
    with time_machine.travel(time.time() + 31, tick=True):  # a fresh code, as a person would type it
        first = sign_in(client, manager)
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        right = client.post(reverse("mfa_authenticate"), {"code": totp.now()})

    assert User.objects.get(pk=manager.pk).mfa_enabled is True
    assert first.url == reverse("mfa_authenticate")
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert client.get(reverse("members:account")).status_code == 200


def test_a_recovery_code_lets_the_manager_in_once(manager, client, commit):
    sign_in(client, manager)
    activate(client, commit)
    codes = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()
    client.post(reverse("account_logout"))

    sign_in(client, manager)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.get(reverse("members:account")).status_code == 200
    client.post(reverse("account_logout"))
    sign_in(client, manager)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert again.status_code == 200  # used once, refused the second time


def test_staff_get_the_grace_period_on_their_first_page(client):
    staff = UserFactory(is_staff=True)
    sign_in(client, staff)

    client.get(reverse("members:account"))

    assert User.objects.get(pk=staff.pk).mfa_due_at is not None


def test_members_are_not_asked(client):
    member = MembershipFactory(community=CommunityFactory()).user
    sign_in(client, member)

    page = client.get(reverse("members:account"))

    assert page.status_code == 200
    assert "two-factor" not in page.content.decode()
    assert User.objects.get(pk=member.pk).mfa_due_at is None


def test_a_security_key_counts_as_two_factor_and_recovery_codes_alone_do_not(manager):
    from members.services import user_mfa_changed

    Authenticator.objects.create(user=manager, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    user_mfa_changed(user=manager)
    codes_only = User.objects.get(pk=manager.pk).mfa_enabled
    Authenticator.objects.create(user=manager, type=Authenticator.Type.WEBAUTHN, data={"name": "Blue key"})
    user_mfa_changed(user=manager)

    assert (codes_only, User.objects.get(pk=manager.pk).mfa_enabled) == (False, True)

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.models import OutboundMessage, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+")


def link_in(message):
    return LINK.search(message.body).group(0)


def sign_up(client, commit, email="new@example.org", name="Nina Volkova"):
    with commit():
        return client.post(
            reverse("account_signup"),
            {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD, "personal_data": "on"},
        )


def test_sign_up_sends_a_verification_email_through_the_ledger(client, commit, mailoutbox):
    response = sign_up(client, commit)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.org")
    assert user.name == "Nina Volkova"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    assert "/accounts/confirm-email/" in link_in(mailoutbox[0])
    ledger = OutboundMessage.objects.get(to_email="new@example.org")
    assert ledger.status == OutboundMessage.Status.SENT
    assert ledger.user == user


def test_the_verification_email_names_the_site(client, commit, mailoutbox, settings):
    settings.ORGANISATION_NAME = "Fund Vera"
    sign_up(client, commit)

    host = settings.SITE_URL.split("//", 1)[1]
    assert f"register an account on {host}." in mailoutbox[0].body
    assert mailoutbox[0].body.startswith("Hello from Fund Vera!")


def test_an_unverified_person_cannot_sign_in(client, commit, mailoutbox):
    sign_up(client, commit)
    client.logout()

    with commit():
        response = client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_signs_the_person_in(client, commit, mailoutbox):
    sign_up(client, commit)
    confirm_url = link_in(mailoutbox[0])

    page = client.get(confirm_url)
    response = client.post(confirm_url)

    assert page.status_code == 200
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert client.get(reverse("members:account")).status_code == 200


def test_sign_up_in_russian_sends_the_email_in_russian(client, commit, mailoutbox):
    client.cookies["django_language"] = "ru"

    sign_up(client, commit)

    assert User.objects.get(email="new@example.org").language == "ru"
    assert "Подтвердите" in mailoutbox[0].subject or "адрес" in mailoutbox[0].body


def test_log_in_and_log_out(client):
    person = UserFactory(email="anna@example.org")

    response = client.post(reverse("account_login"), {"login": "ANNA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_shows_an_error_not_a_crash(client):
    UserFactory(email="anna@example.org")

    response = client.post(reverse("account_login"), {"login": "anna@example.org", "password": "nope"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_by_email(client, commit, mailoutbox):
    UserFactory(email="anna@example.org")

    with commit():
        client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    assert len(mailoutbox) == 1
    reset_url = link_in(mailoutbox[0])
    form_url = client.get(reset_url).url  # allauth moves the key into the session first
    with commit():
        response = client.post(form_url, {"password1": "a brand new secret 42", "password2": "a brand new secret 42"})

    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": "anna@example.org", "password": "a brand new secret 42"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    UserFactory(email="anna@example.org")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account_login"), {"login": "anna@example.org", "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": "anna@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_up_is_rate_limited(client, commit, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for n in range(2):
        sign_up(client, commit, email=f"p{n}@example.org")
        client.logout()

    response = sign_up(client, commit, email="p3@example.org")

    assert response.status_code == 429
    assert not User.objects.filter(email="p3@example.org").exists()


def test_account_page_needs_a_signed_in_person(client):
    response = client.get(reverse("members:account"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_account_page_saves_preferences(client, user):
    client.force_login(user)

    response = client.post(
        reverse("members:account"), {"name": "New Name", "language": "ru", "timezone": "Asia/Yekaterinburg"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.language, user.timezone) == ("New Name", "ru", "Asia/Yekaterinburg")


def test_account_page_shows_field_errors_for_bad_input(client, user):
    client.force_login(user)

    response = client.post(reverse("members:account"), {"name": "x", "language": "de", "timezone": "Mars/Base"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"language", "timezone"}


def test_switching_language_is_remembered_on_the_profile(client, user):
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "ru", "next": "/"})

    user.refresh_from_db()
    assert user.language == "ru"
    assert "Сообщества" in client.get("/").content.decode()


def test_every_page_carries_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_forms_without_a_csrf_token_are_refused(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("members:account"), {"name": "x", "language": "en", "timezone": "UTC"})

    assert response.status_code == 403
    assert mail.outbox == []


def test_a_signed_in_person_sees_pages_in_their_own_language(client):
    person = UserFactory(language="ru", name="Анна Петрова")
    client.force_login(person)

    response = client.get(reverse("members:account"))

    assert "Здравствуйте, Анна" in response.content.decode()


def test_a_person_changes_their_email_after_confirming_the_new_address(client, commit, mailoutbox):
    person = UserFactory(email="old@example.org")
    client.force_login(person)

    with commit():
        response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["new@example.org"]
    confirm_url = link_in(mailoutbox[-1])
    with commit():
        client.post(confirm_url)

    person.refresh_from_db()
    assert person.email == "new@example.org"
    assert EmailAddress.objects.get(email="new@example.org").verified

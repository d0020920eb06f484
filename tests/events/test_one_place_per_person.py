"""One person, one place: a member and a guest with the same e-mail (in any letter case) hold one seat,
get one confirmation; the second attempt is shown the first."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from events import services
from events.models import Registration
from events.services import AlreadyRegistered
from members.models import OutboundMessage
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(community):
    return MembershipFactory(community=community, user=UserFactory(email="anna@example.org", name="Anna")).user


def test_a_member_then_the_same_person_as_a_guest_in_other_case_get_one_place(event, anna, commit, mailoutbox):
    with commit():
        first = services.registration_create(event=event, user=anna)
        with pytest.raises(AlreadyRegistered) as again:
            services.registration_create(event=event, guest_name="Anna", guest_email="ANNA@Example.ORG")

    assert again.value.registration == first
    assert event.registrations.exclude(status="cancelled").count() == 1
    assert len(mailoutbox) == 1
    assert OutboundMessage.objects.filter(to_email__iexact="anna@example.org").count() == 1


def test_a_guest_then_the_member_with_that_email_is_shown_the_guest_place(event, anna):
    guest = services.registration_create(event=event, guest_name="Anna", guest_email="Anna@Example.org")

    with pytest.raises(AlreadyRegistered) as again:
        services.registration_create(event=event, user=anna)

    assert again.value.registration == guest


def test_a_cancelled_place_can_be_taken_again(event, anna):
    first = services.registration_create(event=event, user=anna)
    services.registration_cancel(registration=first, by=anna)

    again = services.registration_create(event=event, guest_name="Anna", guest_email="ANNA@example.org")

    assert again.status == Registration.Status.CONFIRMED


def test_the_database_refuses_a_second_place_for_one_email(event, anna):
    services.registration_create(event=event, user=anna)

    with pytest.raises(IntegrityError):
        Registration.objects.create(
            event=event, guest_name="A", guest_email="x@example.org", email_key="anna@example.org"
        )


def test_the_signed_in_second_attempt_lands_on_the_event_saying_so(client, event, anna):
    client.force_login(anna)
    url = reverse("events:register", kwargs={"pk": event.pk})
    client.post(url)

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("events:detail", kwargs={"pk": event.pk})
    assert "You are already registered for this event." in response.content.decode()
    assert event.registrations.count() == 1


def test_a_guest_typing_a_registered_email_is_told_so_without_seeing_it(client, event, anna):
    services.registration_create(event=event, user=anna)
    url = reverse("events:register", kwargs={"pk": event.pk})

    response = client.post(url, {"guest_name": "Someone", "guest_email": "ANNA@EXAMPLE.ORG"})

    assert response.status_code == 400
    assert "This e-mail is already registered for this event" in response.content.decode()
    assert event.registrations.count() == 1


def test_a_walk_in_with_a_members_email_in_capitals_checks_the_member_in(event, anna, manager):
    registration = services.registration_create(event=event, user=anna)

    walked = services.registration_walk_in(event=event, by=manager, name="Anna", email="ANNA@EXAMPLE.ORG")

    assert walked.pk == registration.pk
    assert walked.status == Registration.Status.ATTENDED

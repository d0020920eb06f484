from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from events import services
from events.models import Registration
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def fits(page, viewport):
    # Nothing wider than the screen: a phone never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.fixture
def scene():
    community = CommunityFactory(name="Бегущие сердца", slug="running-hearts", timezone="Europe/Moscow")
    host = MembershipFactory(community=community, role="host", user__name="Anna Petrova").user
    start = (timezone.now() + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    event = EventFactory(
        community=community,
        title="Благотворительный забег в парке Горького",
        description="<p>Бежим 5 км в поддержку подопечных фонда. Старт у главного входа, "
        "после забега — чай и фотографии.</p>",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Парк Горького",
        address="Крымский Вал, 9, Москва",
        capacity=30,
        hosts=[host],
    )
    services.questions_set(
        event=event, questions=[{"label": "T-shirt size", "kind": "choice", "choices": ["S", "M", "L"]}]
    )
    for n in range(3):
        RegistrationFactory(event=event, guest_name=f"Участник {n + 1}")
    return community, host, event


def test_a_guest_registers_on_a_phone_and_the_host_checks_them_in(page_factory, live_server, scene):
    community, host, event = scene
    guest = page_factory(viewport=PHONE)
    guest.goto(f"/events/{event.pk}/")
    guest.get_by_label("Your name").fill("Lena Sokolova")
    guest.get_by_label("E-mail").fill("lena@example.org")
    guest.get_by_label("T-shirt size").select_option("M")
    screenshot(guest, "event-register-phone-en")
    guest.get_by_role("button", name="Register", exact=True).click()

    guest.get_by_text("You are registered. See you there!").wait_for()
    screenshot(guest, "event-registration-phone-en")
    assert "lena@example.org" in mail.outbox[-1].to
    registration = Registration.objects.get(guest_email="lena@example.org")
    assert registration.answers == {"T-shirt size": "M"}

    door = signed_in(page_factory(viewport=PHONE), live_server, host)
    door.goto(f"/events/{event.pk}/check-in/")
    door.get_by_label("Find a person").fill("lena")
    row = door.locator(f"#checkin-{registration.pk}")
    row.get_by_role("button", name="Check in Lena Sokolova").click()
    row.get_by_role("button", name="Here: Lena Sokolova. Tap to undo").wait_for()
    door.get_by_text("1 of 4 people here").wait_for()
    screenshot(door, "event-check-in-phone-en")

    registration.refresh_from_db()
    assert registration.status == "attended"
    assert guest.console_errors == []
    assert door.console_errors == []


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_event_pages_look_finished_in_both_languages(page_factory, live_server, scene, language, width, viewport):
    community, host, event = scene
    host.language = language
    host.save()
    visitor = page_factory(viewport=viewport, language=language)
    visitor.goto(f"/events/{event.pk}/")
    assert visitor.locator("html").get_attribute("lang") == language
    fits(visitor, viewport)
    screenshot(visitor, f"event-{width}-{language}")

    member = MembershipFactory(community=community, user__language=language).user
    services.registration_create(event=event, user=member)
    page = signed_in(page_factory(viewport=viewport, language=language), live_server, member)
    for path, name in [
        (f"/c/{community.slug}/events/", "events-list"),
        (f"/c/{community.slug}/events/calendar/?month={event.starts_at:%Y-%m}", "events-calendar"),
        ("/events/mine/", "my-events"),
        (f"/events/{event.pk}/", "event-registered"),
    ]:
        page.goto(path)
        fits(page, viewport)
        screenshot(page, f"{name}-{width}-{language}")

    page = signed_in(page_factory(viewport=viewport, language=language), live_server, host)
    for path, name in [
        (f"/events/{event.pk}/manage/", "event-manage"),
        (f"/events/{event.pk}/check-in/", "event-check-in"),
        (f"/events/{event.pk}/edit/", "event-edit"),
        (f"/c/{community.slug}/events/new/", "event-propose"),
    ]:
        page.goto(path)
        fits(page, viewport)
        screenshot(page, f"{name}-{width}-{language}")
    assert visitor.console_errors == []
    assert page.console_errors == []

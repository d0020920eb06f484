"""A manager works through the check-in queue in a browser: logs a call, snoozes, assigns; screenshots at
phone and desktop width in both languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from communities.crm.models import ContactLog
from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services import checkins
from events.models import Event
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Анна Петрова", "+7 916 555-01-01"),
    ("Константин Константинопольский", "+7 999 555-05-05"),
    ("Maria Garcia", ""),
    ("Вера Кузнецова", "+7 903 555-02-02"),
]


def seed(language):
    community = CommunityFactory(
        name="Бегом за надеждой" if language == "ru" else "Running for Hope", slug="running", timezone="Europe/Moscow"
    )
    manager = MembershipFactory(
        community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila Manager", language=language)
    ).user
    MembershipFactory(community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Пётр Соколов"))
    now = timezone.now()
    people = []
    for n, (name, phone) in enumerate(PEOPLE):
        people.append(
            MembershipFactory(
                community=community,
                user=UserFactory(name=name, phone=phone),
                stage=Membership.Stage.NEW,
                joined_at=now - timedelta(days=n + 1),
            )
        )
    host = people[3]
    host.role = Membership.Role.HOST
    host.stage = Membership.Stage.ACTIVE
    host.save()
    event = Event.objects.create(
        community=community,
        title="Забег в парке" if language == "ru" else "Park run",
        slug="park-run",
        status="published",
        starts_at=now + timedelta(days=2),  # its host is due a call 3 days before: already in the queue
        ends_at=now + timedelta(days=2, hours=2),
    )
    event.hosts.add(host.user)
    checkins.checkins_refresh()
    return community, manager, people


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_manager_works_through_the_queue_and_logs_a_call(
    page_factory,
    live_server,
    language,
    width,
    viewport,
):
    community, manager, people = seed(language)
    page = page_factory(viewport=viewport, language=language)
    sign_in(page, live_server, manager)

    page.goto("/c/running/manage/checkins/")
    assert page.locator("html").get_attribute("lang") == language
    rows = page.locator(".kd-checkins > li")
    assert rows.count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"checkins-{width}-{language}")

    # Log a call with a follow-up: the row says so and the person leaves the queue.
    first = CheckinEntry.objects.filter(membership=people[0]).get()
    row = page.locator(f"#checkin-{first.membership_id}")
    row.locator(f"button[data-bs-target='#log-{first.pk}']").click()
    page.locator(f"#log-{first.pk}.show").wait_for()  # opened, not still sliding open
    row.locator("select[name='outcome']").select_option("reached")
    row.locator("textarea[name='note']").fill(
        "Хочет помогать на забеге." if language == "ru" else "Will help at the run."
    )
    follow_up = timezone.localdate() + timedelta(days=7)
    row.locator("input[name='follow_up_on']").fill(follow_up.isoformat())
    screenshot(page, f"checkins-logging-{width}-{language}")
    row.locator("form[id^='log-'] button[type='submit']").click()
    page.locator(f"#checkin-{first.membership_id} [role='status']").wait_for()
    contact = ContactLog.objects.get(membership=people[0])
    assert (contact.outcome, contact.follow_up_on, contact.author) == ("reached", follow_up, manager)
    screenshot(page, f"checkins-logged-{width}-{language}")

    # Assign the second person to the other manager, in place.
    second = CheckinEntry.objects.filter(membership=people[1]).get()
    row = page.locator(f"#checkin-{second.membership_id}")
    row.locator(f"button[data-bs-target='#assign-{second.pk}']").click()
    page.locator(f"#assign-{second.pk}.show").wait_for()
    row.locator("select[name='manager']").select_option(label="Пётр Соколов")
    row.locator("form[id^='assign-'] button[type='submit']").click()
    page.locator(f"#checkin-{second.membership_id}").get_by_text("Пётр Соколов", exact=False).first.wait_for()
    second.refresh_from_db()
    assert second.assigned_to.name == "Пётр Соколов"

    # A reload shows what persists: the called person is gone.
    page.reload()
    assert page.locator(".kd-checkins > li").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.console_errors == [], "\n".join(page.console_errors)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_routines_other_pages_fit_the_screen(
    page_factory,
    live_server,
    language,
    width,
    viewport,
    settings,
):
    from communities.routine.services import checkin_messages, mobilisation
    from members.models import JobRun, OutboundMessage

    community, manager, people = seed(language)
    manager.is_staff = True
    manager.save()
    OutboundMessage.objects.create(
        key="failed:1",
        community=community,
        user=people[0].user,
        to_email=people[0].user.email,
        language=language,
        template="hello",
        subject="Субботний забег" if language == "ru" else "Saturday run",
        body_text="x",
        status=OutboundMessage.Status.FAILED,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    JobRun.objects.create(
        task="communities.tasks_checkins.digests_send",
        task_id="e2e",
        finished_at=timezone.now(),
        outcome=JobRun.Outcome.FAILURE,
        error="OperationalError: server closed the connection",
    )
    settings.SITE_URL = live_server.url
    call = mobilisation.call_to_action_send(
        community=community,
        actor=manager,
        title="Уборка у реки" if language == "ru" else "River clean-up",
        body="<p>Суббота, 10:00</p>" if language == "ru" else "<p>Saturday, 10:00</p>",
        button_label="Я в деле" if language == "ru" else "I'm in",
    )
    mobilisation.call_to_action_batch_send(call_id=call.pk, membership_ids=[people[0].pk])
    page = page_factory(viewport=viewport, language=language)
    sign_in(page, live_server, manager)

    pages = [
        ("messages", "/c/running/manage/messages/"),
        ("calls", "/c/running/manage/calls/"),
        ("onboarding", "/c/running/manage/onboarding/"),
        ("jobs", "/staff/jobs/"),
    ]
    for name, path in pages:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        screenshot(page, f"routine-{name}-{width}-{language}")

    reply = checkin_messages.reply_links(membership=people[1], week="2026-W48")[2][2]
    go = mobilisation.go_url(call=call, membership=people[0])
    for name, url in [("reply", reply), ("landing", go)]:
        page.goto(url.replace(live_server.url, ""))
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        screenshot(page, f"routine-{name}-{width}-{language}")
    assert page.console_errors == [], "\n".join(page.console_errors)

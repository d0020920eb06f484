from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event, Registration
from events.services import EventError
from members.models import Activity, OutboundMessage
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def register_guest(event, n, **kwargs):
    return services.registration_create(event=event, guest_name=f"Guest {n}", guest_email=f"g{n}@example.org", **kwargs)


def test_a_member_registers_with_one_click_and_gets_a_confirmation_with_cancel_and_calendar_links(
    event, member, commit, mailoutbox
):
    with commit():
        registration = services.registration_create(event=event, user=member)

    assert registration.status == Registration.Status.CONFIRMED
    assert [m.to for m in mailoutbox] == [[member.email]]
    body = mailoutbox[0].body
    assert "/events/registration/" in body
    assert f"/events/{event.pk}/event.ics?t=" in body
    assert Activity.objects.filter(user=member, kind=Activity.Kind.REGISTERED).count() == 1
    filename, content, mimetype = mailoutbox[0].attachments[0]
    assert (filename, mimetype) == ("event.ics", "text/calendar")
    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.starts_at.replace(microsecond=0)


def test_a_guest_registers_with_name_and_email(event, commit, mailoutbox):
    with commit():
        registration = register_guest(event, 1)

    assert (registration.user, registration.guest_email) == (None, "g1@example.org")
    assert mailoutbox[0].to == ["g1@example.org"]
    assert "Guest 1" in mailoutbox[0].body


def test_the_same_person_cannot_register_twice(event, member):
    services.registration_create(event=event, user=member)
    with pytest.raises(EventError, match="already registered"):
        services.registration_create(event=event, user=member)
    register_guest(event, 1)
    with pytest.raises(EventError, match="already registered"):
        services.registration_create(event=event, guest_name="Again", guest_email="G1@example.org")


def test_after_cancelling_a_person_may_register_again(event, member):
    first = services.registration_create(event=event, user=member)
    services.registration_cancel(registration=first, by=member)

    again = services.registration_create(event=event, user=member)

    assert again.pk != first.pk
    assert again.status == Registration.Status.CONFIRMED


def test_a_full_event_puts_people_on_the_waitlist_in_order(community):
    event = EventFactory(community=community, capacity=2)
    statuses = [register_guest(event, n) for n in range(5)]

    assert [r.status for r in statuses] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r.position for r in statuses[2:]] == [1, 2, 3]


def test_cancelling_promotes_the_first_on_the_waitlist_and_tells_them(community, commit, mailoutbox):
    event = EventFactory(community=community, capacity=1)
    seated = register_guest(event, 0)
    first, second = register_guest(event, 1), register_guest(event, 2)
    mailoutbox.clear()

    with commit():
        services.registration_cancel(registration=seated)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.position) == ("confirmed", None)
    assert (second.status, second.position) == ("waitlisted", 2)
    assert [m.to for m in mailoutbox] == [["g1@example.org"]]
    assert "A place is yours" in mailoutbox[0].subject
    assert [a[0] for a in mailoutbox[0].attachments] == ["event.ics"]


def test_promotion_follows_the_waitlist_order_not_the_ids(community):
    event = EventFactory(community=community, capacity=1)
    register_guest(event, 0)
    later = RegistrationFactory(event=event, status="waitlisted", position=5)
    earlier = RegistrationFactory(event=event, status="waitlisted", position=2)

    services.registration_cancel(registration=event.registrations.get(status="confirmed"))

    assert Registration.objects.get(pk=earlier.pk).status == "confirmed"
    assert Registration.objects.get(pk=later.pk).status == "waitlisted"


def test_cancelling_a_waitlisted_registration_promotes_no_one(community):
    event = EventFactory(community=community, capacity=1)
    register_guest(event, 0)
    waiting, next_one = register_guest(event, 1), register_guest(event, 2)

    services.registration_cancel(registration=waiting)

    assert Registration.objects.get(pk=next_one.pk).status == "waitlisted"


def test_cancelling_twice_changes_nothing(event, commit, mailoutbox):
    registration = register_guest(event, 1)
    services.registration_cancel(registration=registration)
    again = services.registration_cancel(registration=registration)

    assert again.status == "cancelled"


def test_raising_the_capacity_promotes_the_waitlist(community, manager):
    event = EventFactory(community=community, capacity=1)
    register_guest(event, 0)
    waiting = register_guest(event, 1)

    services.event_update(event=event, by=manager, fields={"capacity": 2})

    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"


def test_registration_closes_at_the_deadline(community):
    now = timezone.now()
    event = EventFactory(community=community, registration_deadline=now + timedelta(hours=1))

    register_guest(event, 1, now=now)
    with pytest.raises(EventError, match="closed"):
        register_guest(event, 2, now=now + timedelta(hours=1))


def test_without_a_deadline_registration_closes_at_the_start(event):
    with pytest.raises(EventError, match="closed"):
        register_guest(event, 1, now=event.starts_at)


@pytest.mark.parametrize("status", ["draft", "pending", "cancelled", "completed"])
def test_only_published_events_take_registrations(community, status):
    event = EventFactory(community=community, status=status)
    with pytest.raises(EventError, match="not open"):
        register_guest(event, 1)


def test_members_only_events_refuse_guests_and_outsiders(community, member):
    event = EventFactory(community=community, visibility="members")
    with pytest.raises(EventError, match="members"):
        register_guest(event, 1)
    with pytest.raises(EventError, match="members"):
        services.registration_create(event=event, user=UserFactory())
    assert services.registration_create(event=event, user=member).status == "confirmed"


def test_custom_answers_are_checked_and_kept_by_question(event, member):
    services.questions_set(
        event=event,
        questions=[
            {"label": "T-shirt size", "kind": "choice", "choices": ["S", "M", "L"], "required": True},
            {"label": "Vegetarian?", "kind": "yes_no"},
            {"label": "Anything else?", "kind": "text"},
        ],
    )
    size, veg, note = event.questions.all()

    with pytest.raises(EventError, match="T-shirt size"):
        services.registration_create(event=event, user=member, answers={})
    with pytest.raises(EventError, match="Choose one"):
        services.registration_create(event=event, user=member, answers={str(size.pk): "XXL"})
    registration = services.registration_create(
        event=event, user=member, answers={str(size.pk): "M", str(veg.pk): "yes", str(note.pk): ""}
    )

    assert registration.answers == {"T-shirt size": "M", "Vegetarian?": True}


def test_cancel_by_signed_link_and_a_tampered_link_is_refused(event):
    registration = register_guest(event, 1)
    token = services.registration_token(registration)

    assert services.registration_from_token(token) == registration
    assert services.registration_from_token(token[:-2] + "xx") is None
    other = register_guest(event, 2)
    # Someone else's id with this link's signature: refused.
    forged = services.registration_token(other).split(":", 1)[0] + ":" + token.split(":", 1)[1]
    assert services.registration_from_token(forged) is None


def test_check_in_marks_attendance_once_and_records_activity(event, member, manager):
    registration = services.registration_create(event=event, user=member)

    services.registration_check_in(registration=registration, by=manager)
    services.registration_check_in(registration=registration, by=manager)

    registration.refresh_from_db()
    assert registration.status == "attended"
    assert registration.checked_in_at
    assert Activity.objects.filter(user=member, kind=Activity.Kind.ATTENDED).count() == 1


def test_undoing_a_check_in_puts_the_person_back(event, member, manager):
    registration = services.registration_create(event=event, user=member)
    services.registration_check_in(registration=registration, by=manager)

    services.registration_check_in_undo(registration=registration, by=manager)

    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert not Activity.objects.filter(user=member, kind=Activity.Kind.ATTENDED).exists()


def test_a_walk_in_is_added_as_present_and_a_known_person_is_checked_in_instead(event, member, manager):
    walk_in = services.registration_walk_in(event=event, by=manager, name="Pyotr", email="pyotr@example.org")
    assert (walk_in.status, walk_in.is_walk_in, walk_in.guest_name) == ("attended", True, "Pyotr")

    registered = services.registration_create(event=event, user=member)
    again = services.registration_walk_in(event=event, by=manager, name="x", email=member.email.upper())

    assert again.pk == registered.pk
    assert again.status == "attended"
    assert event.registrations.count() == 2
    assert Activity.objects.filter(user=member, kind=Activity.Kind.ATTENDED, actor=manager).exists()


def test_completing_records_no_shows_thanks_those_who_came_and_credits_hosts(community, manager, commit, mailoutbox):
    came, missed = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    event = EventFactory(community=community, hosts=[manager])
    came_reg = services.registration_create(event=event, user=came)
    missed_reg = services.registration_create(event=event, user=missed)
    services.registration_check_in(registration=came_reg, by=manager)
    mailoutbox.clear()

    with commit():
        services.event_complete(event=event, now=event.ends_at)
        services.event_complete(event=event, now=event.ends_at)  # twice: nothing more happens

    assert Registration.objects.get(pk=missed_reg.pk).status == "no_show"
    assert Activity.objects.filter(user=missed, kind=Activity.Kind.NO_SHOW).count() == 1
    assert Activity.objects.filter(user=manager, kind=Activity.Kind.HOSTED).count() == 1
    assert [m.to for m in mailoutbox] == [[came.email]]
    assert "Thank you" in mailoutbox[0].subject


def test_an_event_cannot_be_completed_before_it_starts(event):
    with pytest.raises(EventError, match="not started"):
        services.event_complete(event=event)


def test_the_periodic_completion_closes_events_two_hours_after_they_end(community):
    ended = EventFactory(community=community)
    now = ended.ends_at + timedelta(hours=2, minutes=1)
    just_ended = EventFactory(community=community, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))

    assert services.events_complete_due(now=now) == 1
    assert services.events_complete_due(now=now) == 0
    assert Event.objects.get(pk=ended.pk).status == "completed"
    assert Event.objects.get(pk=just_ended.pk).status == "published"


def test_cancelling_an_event_tells_everyone_registered_and_waiting(community, manager, commit, mailoutbox):
    event = EventFactory(community=community, capacity=1)
    register_guest(event, 1)
    register_guest(event, 2)
    gone = register_guest(event, 3)
    services.registration_cancel(registration=gone)
    mailoutbox.clear()

    with commit():
        services.event_cancel(event=event, by=manager, reason="The venue flooded.")

    assert sorted(m.to[0] for m in mailoutbox) == ["g1@example.org", "g2@example.org"]
    assert "The venue flooded." in mailoutbox[0].body


def test_moving_an_event_tells_people_once_and_other_edits_tell_no_one(event, manager, commit, mailoutbox):
    register_guest(event, 1)
    mailoutbox.clear()

    with commit():
        services.event_update(event=event, by=manager, fields={"title": "A new title"})
    assert mailoutbox == []

    new_start = event.starts_at + timedelta(days=1)
    with commit():
        services.event_update(
            event=event, by=manager, fields={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}
        )
        services.event_update(event=event, by=manager, fields={"address": "Arbat 10"})

    assert len(mailoutbox) == 2
    assert "Changed" in mailoutbox[0].subject
    assert "Arbat 10" in mailoutbox[1].body


def test_descriptions_are_sanitised(community, manager):
    event = services.event_create(
        community=community,
        by=manager,
        fields={
            "title": "Picnic",
            "description": '<p onclick="x()">Hi<script>alert(1)</script></p>',
            "starts_at": timezone.now() + timedelta(days=1),
            "ends_at": timezone.now() + timedelta(days=1, hours=2),
            "address": "Park",
        },
    )
    assert event.description == "<p>Hi</p>"
    assert event.slug == "picnic"
    assert event.timezone == community.timezone
    assert list(event.hosts.all()) == [manager]


def fields(**extra):
    start = timezone.now() + timedelta(days=3)
    return {
        "title": "Run for kids",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "address": "Park",
        **extra,
    }


def test_a_host_proposes_the_managers_are_told_and_a_manager_approves(community, manager, commit, mailoutbox):
    host = MembershipFactory(community=community, role="host").user
    with commit():
        event = services.event_propose(community=community, by=host, fields=fields())
    assert event.status == "pending"
    assert [m.to for m in mailoutbox] == [[manager.email]]

    with commit():
        services.event_approve(event=event, by=manager)
    event.refresh_from_db()
    assert event.status == "published"
    assert mailoutbox[-1].to == [host.email]
    assert "published" in mailoutbox[-1].subject


def test_a_declined_proposal_goes_back_to_the_host_with_the_reason(community, manager, commit, mailoutbox):
    host = MembershipFactory(community=community, role="host").user
    event = services.event_propose(community=community, by=host, fields=fields())

    with pytest.raises(EventError):
        services.event_decline(event=event, by=manager, reason=" ")
    with commit():
        services.event_decline(event=event, by=manager, reason="Please pick a Saturday.")

    event.refresh_from_db()
    assert (event.status, event.decline_reason) == ("draft", "Please pick a Saturday.")
    assert "Please pick a Saturday." in mailoutbox[-1].body
    services.event_submit(event=event, by=host)
    assert Event.objects.get(pk=event.pk).status == "pending"


def test_plain_members_cannot_propose_and_hosts_cannot_create(community, member):
    host = MembershipFactory(community=community, role="host").user
    with pytest.raises(EventError):
        services.event_propose(community=community, by=member, fields=fields())
    with pytest.raises(EventError):
        services.event_create(community=community, by=host, fields=fields())


def test_an_online_event_needs_its_link_and_the_end_follows_the_start(community, manager):
    with pytest.raises(EventError, match="link"):
        services.event_create(community=community, by=manager, fields=fields(format="online"))
    start = timezone.now()
    with pytest.raises(EventError, match="end after"):
        services.event_create(community=community, by=manager, fields=fields(starts_at=start, ends_at=start))


def test_messages_go_to_the_ledger_with_meaningful_keys(event, member):
    registration = services.registration_create(event=event, user=member)

    assert OutboundMessage.objects.filter(key=f"event-registered:{registration.pk}").exists()


def test_a_manager_picks_the_hosts_among_the_communitys_hosts(community, manager, member):
    host = MembershipFactory(community=community, role="host").user
    event = services.event_create(community=community, by=manager, fields=fields(hosts=[host]))
    assert list(event.hosts.all()) == [host]

    with pytest.raises(EventError, match="hosts or managers"):
        services.event_update(event=event, by=manager, fields={"hosts": [member]})
    with pytest.raises(EventError, match="managers choose"):
        services.event_update(event=event, by=host, fields={"hosts": [host, manager]})
    services.event_update(event=event, by=manager, fields={"hosts": [host, manager]})
    assert set(event.hosts.all()) == {host, manager}


def test_russian_titles_get_readable_slugs(community, manager):
    event = services.event_create(community=community, by=manager, fields=fields(title="Забег в парке"))

    assert event.slug == "zabeg-v-parke"

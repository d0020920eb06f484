"""Onboarding e-mails in week 1, 2 and 4 after joining: on time, once, in the person's language."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from communities.models import Membership
from communities.routine.models import OnboardingStep
from communities.routine.services import onboarding
from communities.routine.tasks import onboarding_send
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Running for Hope", slug="running")


def joined(community, days_ago, **user_fields):
    user_fields.setdefault("consent_news", True)
    return MembershipFactory(
        community=community, joined_at=NOW - timedelta(days=days_ago), user=UserFactory(**user_fields)
    )


def sent_keys():
    return sorted(OutboundMessage.objects.filter(template="onboarding_step").values_list("key", flat=True))


def test_each_week_goes_once_when_it_is_due(community, commit, mailoutbox):
    week1, week2, week4 = joined(community, 7), joined(community, 15), joined(community, 29)
    joined(community, 5)  # not a week yet
    joined(community, 40)  # joined before the last onboarding week: nothing

    with time_machine.travel(NOW, tick=False):
        with commit():
            onboarding_send.delay().get()
        with commit():
            onboarding_send.delay().get()

    assert sent_keys() == sorted([f"onboarding:{week1.pk}:1", f"onboarding:{week2.pk}:2", f"onboarding:{week4.pk}:4"])
    assert len(mailoutbox) == 3
    first = next(m for m in mailoutbox if m.to == [week1.user.email])
    assert first.subject == "Welcome to Running for Hope: how to take part"
    assert "List-Unsubscribe" in first.extra_headers


def test_a_whole_sequence_over_four_weeks_sends_three_emails(community):
    person = joined(community, 0)
    for day in range(0, 35):
        onboarding.onboarding_send(now=NOW + timedelta(days=day, hours=1))

    assert sent_keys() == [f"onboarding:{person.pk}:{week}" for week in (1, 2, 4)]


def test_people_who_left_or_opted_out_get_nothing(community, mailoutbox, commit):
    left = joined(community, 8)
    Membership.objects.filter(pk=left.pk).update(status=Membership.Status.LEFT)
    opted_out = joined(community, 8, consent_news=False)

    with commit():
        onboarding.onboarding_send(now=NOW)

    assert OutboundMessage.objects.get().user == opted_out.user
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SKIPPED
    assert mailoutbox == []


def test_the_communitys_own_text_is_sent_in_the_persons_language(community):
    OnboardingStep.objects.create(
        community=community,
        week=1,
        subject_en="Hi from the runners",
        subject_ru="Привет от бегунов",
        body_en="<p>Come running</p>",
        body_ru="<p>Приходите бегать</p>",
    )
    english, russian = joined(community, 8, language="en"), joined(community, 8, language="ru")

    onboarding.onboarding_send(now=NOW)

    assert OutboundMessage.objects.get(user=english.user).subject == "Hi from the runners"
    message = OutboundMessage.objects.get(user=russian.user)
    assert message.subject == "Привет от бегунов"
    assert "Приходите бегать" in message.body_text


def test_a_step_the_manager_turned_off_is_not_sent(community):
    OnboardingStep.objects.create(
        community=community, week=2, subject_en="x", subject_ru="x", body_en="x", body_ru="x", enabled=False
    )
    joined(community, 15)

    assert onboarding.onboarding_send(now=NOW) == 0
    assert sent_keys() == []


def test_batches_cover_everyone_once(community):
    people = [joined(community, 8) for _ in range(7)]

    onboarding.onboarding_send(now=NOW, batch_size=3)
    onboarding.onboarding_send(now=NOW, batch_size=3)

    assert sent_keys() == sorted(f"onboarding:{p.pk}:1" for p in people)


def test_the_fourth_week_lists_each_communitys_next_three_events(community):
    from events.models import Event

    other = CommunityFactory()
    for place, (where, days) in enumerate([(community, d) for d in (1, 2, 3, 4)] + [(other, 5)]):
        Event.objects.create(
            community=where,
            title=f"Event {place}",
            slug=f"event-{place}",
            status="published",
            starts_at=NOW + timedelta(days=days),
            ends_at=NOW + timedelta(days=days, hours=1),
        )
    person, elsewhere = joined(community, 29), joined(other, 29)

    onboarding.onboarding_send(now=NOW)

    text = OutboundMessage.objects.get(user=person.user).body_text
    assert [f"Event {n}" in text for n in range(5)] == [True, True, True, False, False]
    assert "Event 4" in OutboundMessage.objects.get(user=elsewhere.user).body_text


def test_the_unsubscribe_link_of_an_onboarding_email_turns_off_news_only(community, client):
    import re

    person = joined(community, 8, consent_reports=True)
    onboarding.onboarding_send(now=NOW)
    header = OutboundMessage.objects.get().headers["List-Unsubscribe"]
    path = re.search(r"(/account/unsubscribe/[^/]+/)", header).group(1)

    response = client.post(path)
    person.user.refresh_from_db()

    assert response.status_code == 200
    assert (person.user.consent_news, person.user.consent_reports) == (False, True)
    assert onboarding.onboarding_send(now=NOW + timedelta(days=7)) == 1  # week 2 is recorded, as skipped
    assert OutboundMessage.objects.get(key=f"onboarding:{person.pk}:2").status == OutboundMessage.Status.SKIPPED

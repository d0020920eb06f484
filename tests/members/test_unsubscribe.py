from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import ConsentRecord, OutboundMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send_news(person, key="news:1"):
    return services.message_send(
        key=key,
        template="hello",
        context={"name": person.name},
        user=person,
        category=OutboundMessage.Category.NEWS,
    )


def test_a_news_message_carries_a_one_click_unsubscribe_link_and_header(commit, mailoutbox):
    person = UserFactory(consent_news=True)

    with commit():
        send_news(person)

    message = mailoutbox[0]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert url in message.alternatives[0].content


def test_one_click_post_turns_off_only_that_category_and_records_it(client, commit, mailoutbox):
    person = UserFactory(consent_news=True, consent_reports=True)
    with commit():
        send_news(person)
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.consent_news, person.consent_reports) == (False, True)
    record = ConsentRecord.objects.get(user=person, kind=ConsentRecord.Kind.NEWS)
    assert (record.granted, record.source) == (False, "unsubscribe link")


def test_opening_the_link_asks_before_unsubscribing(client, commit, mailoutbox):
    person = UserFactory(consent_news=True)
    with commit():
        send_news(person)
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    response = client.get(url)

    assert response.status_code == 200
    assert person.email in response.content.decode()
    person.refresh_from_db()
    assert person.consent_news is True


def test_a_tampered_or_foreign_token_is_refused(client):
    person = UserFactory(consent_news=True)
    forged = signing.dumps({"u": person.pk, "c": "news"}, salt="someone-else")

    response = client.post(reverse("members:unsubscribe", kwargs={"token": forged}))

    assert response.status_code == 400
    person.refresh_from_db()
    assert person.consent_news is True


def test_a_token_cannot_unsubscribe_from_account_messages(client):
    person = UserFactory()
    token = signing.dumps({"u": person.pk, "c": "transactional"}, salt=services.UNSUBSCRIBE_SALT, compress=True)

    response = client.post(reverse("members:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 400


def test_a_person_who_opted_out_is_skipped_and_nothing_is_sent(commit, mailoutbox):
    person = UserFactory(consent_news=False)

    with commit():
        message = send_news(person)

    assert message.status == OutboundMessage.Status.SKIPPED
    assert mailoutbox == []


def test_transactional_messages_ignore_opt_outs_and_carry_no_unsubscribe_link(commit, mailoutbox):
    person = UserFactory(consent_news=False, consent_reminders=False, consent_reports=False)

    with commit():
        services.message_send(key="receipt:1", template="hello", context={"name": "x"}, user=person)

    assert len(mailoutbox) == 1
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_an_unsubscribe_link_stops_acting_after_its_lifetime_and_says_so(client, settings):
    settings.ACTION_LINK_DAYS = {**settings.ACTION_LINK_DAYS, "unsubscribe": 365}
    person = UserFactory(consent_news=True)
    url = services.unsubscribe_url(user=person, category=OutboundMessage.Category.NEWS)

    with time_machine.travel(timezone.now() + timedelta(days=366)):
        page = client.get(url)
        posted = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert page.status_code == posted.status_code == 400
    assert "This unsubscribe link has expired." in page.text
    person.refresh_from_db()
    assert person.consent_news is True
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    person.refresh_from_db()
    assert person.consent_news is False

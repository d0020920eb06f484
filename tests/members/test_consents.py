"""Consents are asked, unticked, where people meet Kindred, recorded with time and source, refined per
community, and checked again when a message is delivered."""

import pytest
from django.urls import reverse

from events.models import Registration
from members import services
from members.models import CommunityPreference, ConsentRecord, OutboundMessage, User
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MEANING = "news, calls to help when they are needed, and a few e-mails in your first weeks"


def checkbox(html, name):
    """The <input> tag of a checkbox, to see that it is there and not ticked."""
    start = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_sign_up_asks_each_consent_unticked_and_says_what_it_means(client):
    page = client.get(reverse("account_signup")).content.decode()

    for name in ("news", "reminders", "reports"):
        assert "checked" not in checkbox(page, name)
    assert MEANING in page
    assert "A reminder before an event you registered for." in page


def test_the_answers_at_sign_up_are_recorded_with_time_and_source(client, commit):
    with commit():
        client.post(
            reverse("account_signup"),
            {
                "name": "Nina",
                "email": "nina@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "personal_data": "on",
                "news": "on",
            },
        )

    user = User.objects.get(email="nina@example.org")
    assert (user.consent_news, user.consent_reminders, user.consent_reports) == (True, False, False)
    records = {(r.kind, r.granted, r.source) for r in ConsentRecord.objects.filter(user=user)}
    assert records == {
        ("personal_data", True, "sign-up"),
        ("news", True, "sign-up"),
        ("reminders", False, "sign-up"),
        ("reports", False, "sign-up"),
    }
    assert all(r.recorded_at for r in ConsentRecord.objects.filter(user=user))


def test_joining_asks_for_this_communitys_emails_and_records_the_answer(client):
    community = CommunityFactory(name="Runners")
    user = UserFactory()
    client.force_login(user)

    page = client.get(community.get_absolute_url()).content.decode()
    client.post(reverse("communities:join", args=[community.slug]), {"news": "on"})

    assert "checked" not in checkbox(page, "news")
    assert "Send me this community&#x27;s news" in page
    prefs = dict(CommunityPreference.objects.filter(user=user, community=community).values_list("category", "allowed"))
    assert prefs == {"news": True, "reports": False}
    user.refresh_from_db()
    assert user.consent_news is True
    assert ConsentRecord.objects.filter(user=user, community=community, kind="news", source="join").exists()


def test_a_message_queued_before_the_person_opts_out_is_not_sent(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(consent_news=True)
    with django_capture_on_commit_callbacks(execute=False):  # queued, the worker has not run yet
        message = services.message_send(
            key="news:1", template="hello", context={"name": "N"}, user=user, category="news"
        )
    services.user_update_profile(user=user, changes={"consent_news": False}, source="profile")

    services.message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SKIPPED
    assert mailoutbox == []


def test_a_person_may_stop_one_communitys_news_and_keep_anothers(client, commit, mailoutbox):
    muted, kept = CommunityFactory(name="Choir"), CommunityFactory(name="Runners")
    user = UserFactory(consent_news=True)
    MembershipFactory(user=user, community=muted)
    MembershipFactory(user=user, community=kept)
    client.force_login(user)

    client.post(reverse("communities:preferences", args=[muted.slug]), {"reports": "on"})
    with commit():
        for community in (muted, kept):
            services.message_send(
                key=f"news:{community.pk}",
                template="hello",
                context={"name": "N"},
                user=user,
                category="news",
                community=community,
            )

    statuses = dict(OutboundMessage.objects.values_list("community__name", "status"))
    assert statuses == {"Choir": "skipped", "Runners": "sent"}
    assert len(mailoutbox) == 1
    page = client.get(muted.get_absolute_url()).content.decode()
    assert "checked" not in checkbox(page, "news")
    assert "checked" in checkbox(page, "reports")


def test_a_guest_is_asked_about_reminders_unticked_and_the_answer_kept(client):
    event = EventFactory()
    url = event.get_absolute_url()

    page = client.get(url).content.decode()
    client.post(
        reverse("events:register", kwargs={"pk": event.pk}),
        {"guest_name": "Ann", "guest_email": "ann@example.org", "guest_reminders": "on"},
    )
    client.post(
        reverse("events:register", kwargs={"pk": event.pk}), {"guest_name": "Bo", "guest_email": "bo@example.org"}
    )

    assert "checked" not in checkbox(page, "guest_reminders")
    assert dict(Registration.objects.values_list("guest_email", "guest_reminders")) == {
        "ann@example.org": True,
        "bo@example.org": False,
    }

"""The manager's pages of the routine: check-in queue, onboarding e-mails, message centre."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.crm.models import ContactLog
from communities.models import Membership
from communities.routine.models import CheckinEntry, OnboardingStep
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    community = CommunityFactory(name="Running for Hope", slug="running")
    other = CommunityFactory(name="Donor club", slug="donors")
    return {
        "community": community,
        "other": other,
        "manager": MembershipFactory(community=community, role="manager", user=UserFactory(name="Mila Manager")).user,
        "host": MembershipFactory(community=community, role="host").user,
        "member": MembershipFactory(community=community).user,
        "outsider": MembershipFactory(community=other, role="manager").user,
    }


def entry_for(community, *, name="Nina New", reason=CheckinEntry.Reason.NEW_MEMBER, ref=None):
    membership = MembershipFactory(community=community, user=UserFactory(name=name, phone="+7 900 000-00-00"))
    return CheckinEntry.objects.create(
        community=community,
        membership=membership,
        reason=reason,
        ref=ref or f"joined:{membership.pk}",
        due_on=timezone.localdate(),
    )


@pytest.mark.parametrize(
    "path",
    ["/c/running/manage/checkins/", "/c/running/manage/onboarding/", "/c/running/manage/messages/"],
)
def test_only_the_communitys_managers_see_the_routine_pages(client, cast, path):
    assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    for person in ("outsider", "member", "host"):
        client.force_login(cast[person])
        assert client.get(path).status_code == 404, person
    client.force_login(cast["manager"])
    assert client.get(path).status_code == 200


def test_the_queue_reads_like_a_to_do_list_with_a_bounded_query_count(client, cast, django_assert_max_num_queries):
    for i in range(25):
        entry_for(cast["community"], name=f"Person {i}", ref=f"x:{i}")
    entry_for(cast["other"], name="Someone Elsewhere")
    client.force_login(cast["manager"])

    with django_assert_max_num_queries(12):
        response = client.get("/c/running/manage/checkins/")

    body = response.content.decode()
    assert body.count("Joined recently and nobody has called yet.") == 25
    assert "Someone Elsewhere" not in body
    assert "Log call" in body
    assert "Snooze" in body
    assert "Assign" in body


def test_an_empty_queue_says_what_to_do_next(client, cast):
    client.force_login(cast["manager"])
    body = client.get("/c/running/manage/checkins/").content.decode()
    assert "Nobody to call right now" in body
    assert "Open the member directory" in body


def test_logging_a_call_with_htmx_replaces_the_row_and_the_entry_is_done(client, cast):
    entry = entry_for(cast["community"])
    client.force_login(cast["manager"])

    response = client.post(
        f"/c/running/manage/checkins/{entry.pk}/call/",
        {"outcome": "reached", "note": "Coming on Saturday", "follow_up_on": ""},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Call logged. Nina New left the queue." in response.content.decode()
    contact = ContactLog.objects.get()
    assert (contact.outcome, contact.note, contact.author) == ("reached", "Coming on Saturday", cast["manager"])
    entry.refresh_from_db()
    assert entry.done_at is not None
    assert "Nina New" not in client.get("/c/running/manage/checkins/").content.decode()


def test_a_call_with_a_follow_up_in_the_past_shows_the_error_next_to_the_field(client, cast):
    entry = entry_for(cast["community"])
    client.force_login(cast["manager"])

    response = client.post(
        f"/c/running/manage/checkins/{entry.pk}/call/",
        {"outcome": "reached", "follow_up_on": "2001-01-01"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "The follow-up date is in the past." in body
    assert ContactLog.objects.count() == 0
    entry.refresh_from_db()
    assert entry.done_at is None


def test_bad_input_never_gives_a_server_error(client, cast):
    entry = entry_for(cast["community"])
    client.force_login(cast["manager"])
    base = f"/c/running/manage/checkins/{entry.pk}"
    for path, data in [
        ("/call/", {"outcome": "nonsense", "follow_up_on": "not a date"}),
        ("/snooze/", {"until": "31-31-2026"}),
        ("/assign/", {"manager": "abc"}),
        ("/assign/", {"manager": "999999"}),
    ]:
        response = client.post(base + path, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, path
    assert client.get("/c/running/manage/checkins/?page=abc").status_code == 200


def test_snooze_hides_the_entry_until_the_day_and_assign_names_the_manager(client, cast):
    entry = entry_for(cast["community"])
    colleague = MembershipFactory(community=cast["community"], role="manager", user=UserFactory(name="Cleo")).user
    client.force_login(cast["manager"])

    client.post(f"/c/running/manage/checkins/{entry.pk}/assign/", {"manager": colleague.pk}, HTTP_HX_REQUEST="true")
    assigned = client.get("/c/running/manage/checkins/").content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.post(f"/c/running/manage/checkins/{entry.pk}/snooze/", {"until": tomorrow.isoformat()})

    assert "Assigned to Cleo" in assigned
    entry.refresh_from_db()
    assert (entry.assigned_to, entry.snoozed_until) == (colleague, tomorrow)
    assert "Nina New" not in client.get("/c/running/manage/checkins/").content.decode()


def test_another_communitys_entry_cannot_be_changed(client, cast):
    elsewhere = entry_for(cast["other"])
    client.force_login(cast["manager"])

    for action, data in [("call", {"outcome": "reached"}), ("snooze", {"until": "2099-01-01"}), ("assign", {})]:
        assert client.post(f"/c/running/manage/checkins/{elsewhere.pk}/{action}/", data).status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.done_at, elsewhere.snoozed_until) == (None, None)


def test_a_manager_edits_an_onboarding_email_and_the_html_is_sanitised(client, cast):
    client.force_login(cast["manager"])
    defaults = client.get("/c/running/manage/onboarding/").content.decode()
    data = {
        "w2-enabled": "on",
        "w2-subject_en": "Open a fundraiser",
        "w2-body_en": "<p>Hello</p><script>alert(1)</script>",
        "w2-subject_ru": "Откройте личный сбор",
        "w2-body_ru": "<p>Привет</p>",
    }

    response = client.post("/c/running/manage/onboarding/2/", data)

    assert "open your own fundraiser" in defaults
    assert response.status_code == 302
    step = OnboardingStep.objects.get(community=cast["community"], week=2)
    assert "<script>" not in step.body_en
    assert "Hello" in step.body_en
    client.post("/c/running/manage/onboarding/2/", {"reset": "1"})
    assert not OnboardingStep.objects.exists()


def test_an_onboarding_email_without_a_subject_shows_the_error(client, cast):
    client.force_login(cast["manager"])
    response = client.post("/c/running/manage/onboarding/1/", {"w1-subject_en": "", "w1-body_en": "x"})
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert client.post("/c/running/manage/onboarding/3/", {}).status_code == 404
    assert not OnboardingStep.objects.filter(week=3).exists()


def _message(community, status, email, **fields):
    return OutboundMessage.objects.create(
        key=f"test:{email}:{status}",
        community=community,
        to_email=email,
        language="en",
        template="hello",
        subject=f"Hello {email}",
        body_text="Hi",
        status=status,
        **fields,
    )


def test_the_message_centre_filters_by_state_and_recipient(client, cast, django_assert_max_num_queries):
    community = cast["community"]
    _message(community, "sent", "anna@example.org")
    _message(community, "failed", "boris@example.org", last_error="SMTPException: mailbox full")
    _message(community, "skipped", "vera@example.org")
    _message(cast["other"], "sent", "elsewhere@example.org")
    client.force_login(cast["manager"])

    with django_assert_max_num_queries(10):
        everything = client.get("/c/running/manage/messages/").content.decode()
    failed = client.get("/c/running/manage/messages/?status=failed").content.decode()
    searched = client.get("/c/running/manage/messages/?q=VERA").content.decode()
    bad = client.get("/c/running/manage/messages/?status=nonsense&q=%00")

    assert "anna@example.org" in everything
    assert "elsewhere@example.org" not in everything
    assert "boris@example.org" in failed
    assert "anna@example.org" not in failed
    assert "SMTPException: mailbox full" in failed
    assert "vera@example.org" in searched
    assert "boris@example.org" not in searched
    assert bad.status_code == 200


def test_a_failed_message_is_resent_and_another_communitys_is_not(client, cast, commit, mailoutbox):
    failed = _message(cast["community"], "failed", "boris@example.org")
    elsewhere = _message(cast["other"], "failed", "elsewhere@example.org")
    client.force_login(cast["manager"])

    with commit():
        response = client.post(f"/c/running/manage/messages/{failed.pk}/resend/", {"query": "status=failed"})
    client.post(f"/c/running/manage/messages/{elsewhere.pk}/resend/")

    assert response["Location"] == "/c/running/manage/messages/?status=failed"
    failed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert failed.status == "sent"
    assert [m.to for m in mailoutbox] == [["boris@example.org"]]
    assert elsewhere.status == "failed"


def test_the_manage_tabs_lead_to_check_ins_and_messages(client, cast):
    client.force_login(cast["manager"])
    body = client.get("/c/running/manage/").content.decode()
    assert 'href="/c/running/manage/checkins/"' in body
    assert 'href="/c/running/manage/messages/"' in body


def test_a_left_member_is_not_reachable_through_the_queue(cast):
    entry = entry_for(cast["community"])
    Membership.objects.filter(pk=entry.membership_id).update(status="left")
    from communities.routine.services import checkins

    checkins.checkins_refresh()
    entry.refresh_from_db()
    assert entry.done_at is not None


def test_without_javascript_the_actions_redirect_back_with_a_message(client, cast):
    entry = entry_for(cast["community"])
    client.force_login(cast["manager"])

    response = client.post(f"/c/running/manage/checkins/{entry.pk}/call/", {"outcome": "no_answer"}, follow=True)

    assert response.redirect_chain[-1][0] == "/c/running/manage/checkins/"
    assert "Call logged. Nina New left the queue." in response.content.decode()


def test_a_person_with_several_reasons_is_listed_once_with_all_of_them(client, cast):
    entry = entry_for(cast["community"], name="Nina New")
    membership = entry.membership
    for reason, ref in [(CheckinEntry.Reason.HOST, "event:1"), (CheckinEntry.Reason.FOLLOW_UP, "contact:1")]:
        CheckinEntry.objects.create(
            community=cast["community"], membership=membership, reason=reason, ref=ref, due_on=timezone.localdate()
        )
    entry_for(cast["community"], name="Oleg Other", ref="x:2")
    client.force_login(cast["manager"])

    body = client.get("/c/running/manage/checkins/").content.decode()

    assert body.count('data-testid="checkin-person"') == 2
    assert body.count("Nina New") == 1
    assert "2 people to contact" in body
    assert "Joined recently and nobody has called yet." in body
    assert "A follow-up is due." in body


def test_the_queue_never_lists_a_manager_and_the_dashboard_counts_the_same_people(client, cast):
    nina = entry_for(cast["community"], name="Nina New")
    CheckinEntry.objects.create(
        community=cast["community"], membership=nina.membership, reason="follow_up", ref="c:1", due_on=nina.due_on
    )
    managers_own = Membership.objects.get(user=cast["manager"], community=cast["community"])
    CheckinEntry.objects.create(
        community=cast["community"], membership=managers_own, reason="host", ref="event:9", due_on=nina.due_on
    )
    client.force_login(cast["manager"])

    queue = client.get("/c/running/manage/checkins/").content.decode()
    dashboard = client.get("/c/running/manage/dashboard/")

    assert "Mila Manager</a>" not in queue
    assert "1 person to contact" in queue
    queue_card = next(card for card in dashboard.context["dashboard"].cards if card.key == "queue")
    assert queue_card.value == 1


def test_logging_a_call_removes_the_whole_person_and_snoozing_snoozes_every_reason(client, cast):
    first = entry_for(cast["community"], name="Nina New")
    second = CheckinEntry.objects.create(
        community=cast["community"], membership=first.membership, reason="follow_up", ref="c:1", due_on=first.due_on
    )
    other = entry_for(cast["community"], name="Oleg Other", ref="x:2")
    client.force_login(cast["manager"])

    response = client.post(
        f"/c/running/manage/checkins/{first.pk}/call/",
        {"outcome": "reached", "note": "", "follow_up_on": ""},
        HTTP_HX_REQUEST="true",
    )
    client.post(
        f"/c/running/manage/checkins/{other.pk}/snooze/",
        {"until": (timezone.localdate() + timedelta(days=3)).isoformat()},
        HTTP_HX_REQUEST="true",
    )

    assert f'id="checkin-{first.membership_id}"' in response.content.decode()
    second.refresh_from_db()
    assert second.done_at is not None
    assert "Nobody to call right now" in client.get("/c/running/manage/checkins/").content.decode()

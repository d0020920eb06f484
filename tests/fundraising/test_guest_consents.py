"""Donors without an account are asked, unticked, whether they want monthly reports; the answer is a
consent record under their e-mail, checked when the report is queued and again when it is delivered,
and withdrawn by the link in any report."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from communities.routine.services import reports
from fundraising.models import Donation
from members import services as members
from members.models import ConsentRecord, OutboundMessage
from tests.factories import UserFactory
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db

NOVEMBER = ("2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
IN_NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def paid(campaign, email):
    return make_donation(campaign, email=email, status=Donation.Status.SUCCEEDED, succeeded_at=IN_NOVEMBER)


def give_form(client, campaign, **fields):
    data = {"preset": "500.00", "name": "Guest Donor", "email": "guest@example.org", **fields}
    return client.post(reverse("fundraising:give", args=["campaign", campaign.slug]), data)


def test_a_guest_is_asked_about_reports_unticked_and_told_what_it_means(client, campaign):
    page = client.get(reverse("fundraising:give", args=["campaign", campaign.slug])).content.decode()

    box = re.search(r"<input[^>]*name=\"reports\"[^>]*>", page).group(0)
    assert "checked" not in box
    assert "What was raised and done, once a month" in page


@pytest.mark.parametrize(("ticked", "granted"), [({"reports": "on"}, True), ({}, False)])
def test_a_guests_answer_is_recorded_under_their_email_with_time_and_source(client, campaign, ticked, granted):
    response = give_form(client, campaign, email="Guest@Example.org", **ticked)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert (record.user, record.email, record.kind, record.granted, record.source) == (
        None,
        "guest@example.org",
        "reports",
        granted,
        "giving",
    )


def test_only_guests_who_said_yes_get_the_report_once_with_a_link_to_stop_it(campaign, commit, mailoutbox):
    members.guest_consent_record(email="yes@example.org", kind="reports", granted=True, source="giving")
    members.guest_consent_record(email="no@example.org", kind="reports", granted=True, source="giving")
    members.guest_consent_record(email="no@example.org", kind="reports", granted=False, source="giving")
    account = UserFactory(email="member@example.org", consent_reports=False)
    members.guest_consent_record(email=account.email, kind="reports", granted=True, source="giving")
    for email in ("yes@example.org", "no@example.org", "silent@example.org", account.email):
        paid(campaign, email)

    with commit():
        first = reports.guest_reports_send(month=NOVEMBER)
    with commit():
        second = reports.guest_reports_send(month=NOVEMBER)

    assert (first, second) == (1, 0)
    (mail,) = mailoutbox
    assert mail.to == ["yes@example.org"]
    assert campaign.title in mail.body
    assert mail.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "yes@example.org" not in OutboundMessage.objects.get().key  # the ledger's key outlives a deletion


def test_the_link_in_a_report_stops_the_next_one_even_one_already_queued(client, campaign, commit, mailoutbox):
    members.guest_consent_record(email="yes@example.org", kind="reports", granted=True, source="giving")
    paid(campaign, "yes@example.org")
    queued = reports.guest_reports_send(month=NOVEMBER)  # queued; delivered only after the transaction commits
    link = re.search(r"/account/unsubscribe/[^>\s]+/", OutboundMessage.objects.get().headers["List-Unsubscribe"])

    page = client.get(link.group(0))
    client.post(link.group(0))
    members.message_deliver(message_id=OutboundMessage.objects.get().pk)

    assert queued == 1
    assert page.status_code == 200
    assert "yes@example.org" in page.content.decode()
    assert members.guest_consent_granted(email="yes@example.org", kind="reports") is False
    assert ConsentRecord.objects.latest("recorded_at", "pk").source == "unsubscribe link"
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SKIPPED
    assert mailoutbox == []


def test_deleting_an_account_forgets_what_the_person_answered_as_a_guest_and_the_download_shows_it(client):
    person = UserFactory(email="nina@example.org")
    members.guest_consent_record(email="NINA@example.org", kind="reports", granted=True, source="giving")
    members.guest_consent_record(email="other@example.org", kind="reports", granted=True, source="giving")
    client.force_login(person)

    download = client.get(reverse("members:personal_data_download")).json()
    members.user_anonymise(user=person)

    assert [(c["kind"], c["source"]) for c in download["consents"] if c["source"] == "giving"] == [
        ("reports", "giving")
    ]
    assert list(ConsentRecord.objects.filter(user=None).values_list("email", flat=True)) == ["other@example.org"]


def test_a_signed_in_donor_who_agreed_is_not_asked_again(client, campaign):
    client.force_login(UserFactory(consent_reports=True))

    page = client.get(reverse("fundraising:give", args=["campaign", campaign.slug])).content.decode()

    assert 'name="reports"' not in page

"""Donors without an account answer for themselves: monthly reports and the annual statement by e-mail,
asked where they give and changed on their own page; the reports and the January statements reach
those who agreed, with or without an account."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from communities.routine.services import reports
from fundraising.models import Donation, DonorConsent, DonorConsentRecord
from fundraising.services.donor_consents import donor_consents_set
from fundraising.services.donor_links import donor_page_url
from fundraising.services.statements import annual_statements_send
from members.models import OutboundMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST_OF_DECEMBER_1030_MOSCOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
IN_NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
JANUARY_12_MOSCOW_11 = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)


def _give_page(client, campaign, **data):
    payload = {"frequency": "once", "preset": "500.00", "name": "Mia", "email": "Mia@Example.org"}
    return client.post(reverse("fundraising:give", args=["campaign", campaign.slug]), {**payload, **data})


def _gift(campaign, *, email="mia@example.org", when=IN_NOVEMBER, amount="1000", user=None, status="succeeded"):
    return Donation.objects.create(
        campaign=campaign,
        amount=Decimal(amount),
        currency="RUB",
        provider="sandbox",
        status=status,
        created_at=when,
        succeeded_at=when,
        user=user,
        donor_email=email,
        donor_key=email.lower(),
    )


def _open_page(client, email="mia@example.org", query=""):
    url = donor_page_url(email).removeprefix("http://127.0.0.1:8000")
    return client.get(url + query)


# --- asked where they give ------------------------------------------------------------------------


def test_a_visitor_is_asked_on_the_give_page_and_the_answers_are_recorded_under_the_email(client, campaign):
    page = client.get(reverse("fundraising:give", args=["campaign", campaign.slug])).content.decode()
    assert 'name="reports"' in page
    assert 'name="statements"' in page

    _give_page(client, campaign, reports="on", statements="on")

    consent = DonorConsent.objects.get()
    assert (consent.donor_key, consent.reports, consent.statements) == ("mia@example.org", True, True)
    records = DonorConsentRecord.objects.order_by("kind")
    assert [(r.kind, r.granted, r.source) for r in records] == [
        ("reports", True, "giving"),
        ("statements", True, "giving"),
    ]


def test_a_visitor_who_ticks_nothing_is_recorded_as_refusing(client, campaign):
    _give_page(client, campaign)

    consent = DonorConsent.objects.get()
    assert (consent.reports, consent.statements) == (False, False)
    assert DonorConsentRecord.objects.filter(granted=False).count() == 2


def test_monthly_gifts_record_the_answers_too_in_the_donors_language(client, campaign):
    client.post(
        reverse("fundraising:give", args=["campaign", campaign.slug]),
        {
            "frequency": "monthly",
            "day": "5",
            "preset": "500.00",
            "name": "Миа",
            "email": "mia@example.org",
            "statements": "on",
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    consent = DonorConsent.objects.get()
    assert (consent.reports, consent.statements, consent.language) == (False, True, "ru")


def test_a_signed_in_donors_reports_answer_is_their_accounts_consent(client, campaign):
    user = UserFactory(email="ann@example.org", consent_reports=False)
    client.force_login(user)
    _give_page(client, campaign, email="ann@example.org", reports="on")

    user.refresh_from_db()
    assert user.consent_reports is True
    assert DonorConsent.objects.get(donor_key="ann@example.org").reports is True


# --- their own page -------------------------------------------------------------------------------


def test_the_donor_changes_their_answers_on_their_page_without_an_account(client, campaign):
    _gift(campaign)
    donor_consents_set(by_email="mia@example.org", choices={"reports": True}, source="giving")
    page = _open_page(client)
    page = client.get(page.url).content.decode()
    assert 'data-testid="donor-consents"' in page
    assert 'id="id_reports" checked' in page

    response = client.post(reverse("fundraising:donor_consents"), {"statements": "on"})

    assert response.status_code == 302
    consent = DonorConsent.objects.get()
    assert (consent.reports, consent.statements) == (False, True)
    assert list(
        DonorConsentRecord.objects.filter(source="donor-page").order_by("kind").values_list("kind", "granted")
    ) == [("reports", False), ("statements", True)]


def test_nobody_changes_answers_without_having_opened_the_page(client, campaign):
    response = client.post(reverse("fundraising:donor_consents"), {"reports": "on"})

    assert response.status_code == 302
    assert response.url == reverse("fundraising:donor_find")
    assert not DonorConsent.objects.exists()


def test_the_page_in_russian_names_the_choices(client, campaign):
    _gift(campaign)
    _open_page(client)
    page = client.get(reverse("fundraising:donor_page"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Что мы можем вам присылать" in page


# --- monthly reports reach donors without an account ----------------------------------------------


def test_a_donor_without_an_account_who_agreed_gets_the_monthly_report_with_a_way_to_stop_it(campaign):
    _gift(campaign, email="Mia@Example.org")
    _gift(campaign, email="silent@example.org")
    donor_consents_set(by_email="Mia@Example.org", choices={"reports": True}, source="giving", language="ru")
    donor_consents_set(by_email="silent@example.org", choices={"reports": False}, source="giving")
    donor_consents_set(by_email="never@example.org", choices={"reports": True}, source="giving")  # never gave

    reports.reports_send(now=FIRST_OF_DECEMBER_1030_MOSCOW)
    reports.reports_send(now=FIRST_OF_DECEMBER_1030_MOSCOW + timedelta(hours=2))

    message = OutboundMessage.objects.get(template="report_donor")
    consent = DonorConsent.objects.get(donor_key="mia@example.org")
    assert (message.to_email, message.user, message.language) == ("Mia@Example.org", None, "ru")
    assert message.key == f"report:donor:guest:{consent.pk}:2026-11"
    assert message.category == OutboundMessage.Category.REPORTS
    assert campaign.title in message.body_text
    assert "/give/me/link/" in message.body_text
    assert "Отказаться от этих отчётов" in message.body_text


def test_an_email_with_an_account_follows_the_accounts_consent_only(campaign):
    user = UserFactory(email="ann@example.org", consent_reports=False)
    _gift(campaign, email="ann@example.org")  # given before signing up
    _gift(campaign, email="ann@example.org", user=user)
    donor_consents_set(by_email="ann@example.org", choices={"reports": True}, source="giving")

    reports.reports_send(now=FIRST_OF_DECEMBER_1030_MOSCOW)

    assert not OutboundMessage.objects.filter(template="report_donor").exists()


# --- annual statements in January -----------------------------------------------------------------


def test_january_brings_last_years_statement_to_donors_who_asked_once(client, campaign):
    _gift(campaign, amount="1000", when=datetime(2026, 3, 2, 10, tzinfo=UTC))
    _gift(campaign, amount="500", when=datetime(2026, 12, 30, 10, tzinfo=UTC))
    _gift(campaign, amount="700", when=datetime(2027, 1, 3, 10, tzinfo=UTC))  # this year: not in it
    _gift(campaign, email="quiet@example.org", when=datetime(2026, 5, 1, tzinfo=UTC))
    _gift(campaign, email="lapsed@example.org", when=datetime(2025, 5, 1, tzinfo=UTC))  # nothing in 2026
    donor_consents_set(by_email="mia@example.org", choices={"statements": True}, source="giving", language="ru")
    donor_consents_set(by_email="quiet@example.org", choices={"statements": False}, source="giving")
    donor_consents_set(by_email="lapsed@example.org", choices={"statements": True}, source="giving")

    assert annual_statements_send(now=JANUARY_12_MOSCOW_11) == 1
    assert annual_statements_send(now=JANUARY_12_MOSCOW_11 + timedelta(days=1)) == 0

    message = OutboundMessage.objects.get(template="annual_statement")
    assert message.to_email == "mia@example.org"
    assert message.language == "ru"
    assert message.key == f"statement:{DonorConsent.objects.get(donor_key='mia@example.org').pk}:2026"
    assert "2026" in message.subject
    assert "1\xa0500" in message.body_text  # 1 000 + 500, not the January 2027 gift
    link = next(w for w in message.body_text.split() if "statement=2026" in w)

    response = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="donations-2026.pdf"'


def test_no_statements_outside_january(campaign):
    _gift(campaign, when=datetime(2026, 3, 2, 10, tzinfo=UTC))
    donor_consents_set(by_email="mia@example.org", choices={"statements": True}, source="giving")

    assert annual_statements_send(now=datetime(2027, 2, 1, 9, tzinfo=UTC)) == 0
    assert annual_statements_send(now=datetime(2026, 12, 31, 9, tzinfo=UTC)) == 0
    assert not OutboundMessage.objects.filter(template="annual_statement").exists()


def test_the_statements_job_is_on_the_schedule_with_its_name(settings):
    from config.celery import app
    from members.jobs import JOB_TITLES, schedule_in_words

    entry = app.conf.beat_schedule["fundraising-annual-statements-send"]
    assert entry["task"] == "fundraising.tasks.annual_statements_send"
    assert str(JOB_TITLES["fundraising-annual-statements-send"]) == "Annual statements to donors who asked (January)"
    assert schedule_in_words(entry["schedule"]) == "every day in January at 10:50"

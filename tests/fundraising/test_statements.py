"""The donor's annual statement: the year's counted gifts net of refunds, as a PDF from their page."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from fundraising.models import Donation
from fundraising.services import donation_transition, refund_request
from fundraising.services.donor_links import donor_page_url
from fundraising.services.statements import statement_for, statement_pdf, statement_years
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def _gave(campaign, amount, when, email="olga@example.org"):
    donation = make_donation(campaign, amount=amount, email=email, created_at=when)
    donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    return donation


def test_the_statement_holds_the_years_gifts_net_of_refunds(campaign, manager):
    _gave(campaign, "1000", datetime(2026, 1, 1, 0, 30, tzinfo=MSK))  # New Year's night in Moscow: 2026
    refunded = _gave(campaign, "500", datetime(2026, 6, 1, tzinfo=MSK))
    Donation.objects.filter(pk=refunded.pk).update(provider="offline", offline=True)  # cash handed back
    refunded.refresh_from_db()
    refund_request(donation=refunded, by=manager, amount="200", reason="asked")
    _gave(campaign, "700", datetime(2025, 12, 31, 23, 0, tzinfo=MSK))
    _gave(campaign, "900", datetime(2026, 3, 1, tzinfo=MSK), email="someone@example.org")

    statement = statement_for(email="OLGA@example.org", year=2026)

    assert [g.net for g in statement.gifts] == [Decimal("1000.00"), Decimal("300.00")]
    assert statement.totals == {"RUB": Decimal("1300.00")}
    assert statement_years(email="olga@example.org") == [2026, 2025]
    for language in ("en", "ru"):
        assert statement_pdf(statement, language=language).startswith(b"%PDF")


def test_the_donor_downloads_it_from_their_page(client, campaign, settings):
    settings.ORGANISATION_INN = "7701234567"
    _gave(campaign, "1000", datetime(2026, 3, 1, tzinfo=MSK))
    url = reverse("fundraising:donor_statement", args=[2026])
    assert client.get(url).status_code == 302  # no link opened yet

    client.get(donor_page_url("olga@example.org").removeprefix("http://127.0.0.1:8000"))
    page = client.get(reverse("fundraising:donor_page")).content.decode()
    response = client.get(url)

    assert 'data-testid="statement"' in page
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("fundraising:donor_statement", args=[2019])).status_code == 404

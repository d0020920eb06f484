"""Donors as people for managers: merged by e-mail across guest and signed-in gifts, recurring status,
search and filters, the donor's page, CSV, the monthly giving figures; outsiders see nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from fundraising.donors.selectors import recurring_figures
from fundraising.models import Donation
from fundraising.services import donation_transition, subscription_cancel
from tests.fundraising.helpers import make_donation
from tests.fundraising.subscription_helpers import start_monthly

pytestmark = pytest.mark.django_db


def _gave(campaign, email, amount, **kwargs):
    donation = make_donation(campaign, email=email, amount=amount, **kwargs)
    donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    return donation


@pytest.fixture
def donors_seen(provider_http, campaign, fundraiser, member):
    """Olga gave as a guest and signed in (two spellings of her e-mail) and monthly; Ivan once."""
    _gave(campaign, "Olga@Example.org", "1000", donor_name="Olga")
    _gave(campaign, "olga@example.org", "500", donor_name="Olga P.", fundraiser=fundraiser, user=member)
    start_monthly(campaign, email="olga@example.org", amount="300", day=5, name="Olga P.")
    _gave(campaign, "ivan@example.org", "2000", donor_name="Ivan")
    return campaign


def _rows(page):
    return list(page.context["page"])


def test_the_manager_sees_each_donor_once_with_totals_and_recurring_status(
    client, manager, community, donors_seen, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("fundraising:donors", args=[community.slug]))

    rows = {row["donor_key"]: row for row in _rows(page)}
    assert set(rows) == {"olga@example.org", "ivan@example.org"}
    olga = rows["olga@example.org"]
    assert (olga["total"], olga["gifts"], olga["recurring"]) == (Decimal("1800.00"), 3, "active")
    assert olga["fundraisers"] == "Nina runs for warmth"
    assert rows["ivan@example.org"]["recurring"] is None
    text = page.content.decode()
    assert "RUB\u00a0300" in text  # monthly recurring revenue


def test_the_list_costs_the_same_queries_for_more_donors(
    client, manager, community, campaign, django_assert_num_queries
):
    client.force_login(manager)
    url = reverse("fundraising:donors", args=[community.slug])
    _gave(campaign, "a@example.org", "100")
    client.get(url)
    # session, user, community; MRR, donor counts, failed charges; page count, donor rows
    with django_assert_num_queries(8) as few:
        client.get(url)
    for n in range(20):
        _gave(campaign, f"d{n}@example.org", "100")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_search_and_filters(client, manager, community, donors_seen):
    client.force_login(manager)
    url = reverse("fundraising:donors", args=[community.slug])
    assert [r["donor_key"] for r in _rows(client.get(url, {"q": "IVAN"}))] == ["ivan@example.org"]
    assert [r["donor_key"] for r in _rows(client.get(url, {"recurring": "active"}))] == ["olga@example.org"]
    assert [r["donor_key"] for r in _rows(client.get(url, {"recurring": "none"}))] == ["ivan@example.org"]
    assert [r["donor_key"] for r in _rows(client.get(url, {"sort": "total"}))][0] == "ivan@example.org"
    assert client.get(url, {"recurring": "nonsense", "sort": "'; drop", "page": "x"}).status_code == 200


def test_the_donors_page_shows_history_gifts_and_the_member_record(client, manager, community, donors_seen, member):
    member.email = "olga@example.org"
    member.save(update_fields=["email"])
    client.force_login(manager)
    page = client.get(reverse("fundraising:donor_person", args=[community.slug]), {"key": "OLGA@example.org"})

    text = page.content.decode()
    assert text.count('data-testid="donor-gift"') == 3
    assert text.count('data-testid="donor-subscription"') == 1
    assert "Member record" in text


def test_a_manager_stops_a_monthly_gift_from_the_donors_page(client, manager, community, donors_seen):
    client.force_login(manager)
    subscription = donors_seen.subscriptions.get()
    url = reverse("fundraising:donor_cancel", args=[community.slug, subscription.pk])
    asked = client.post(url).content.decode()
    subscription.refresh_from_db()
    assert "No more monthly charges will be made" in asked
    assert subscription.status != "cancelled"
    response = client.post(url, {"confirmed": "1"})
    subscription.refresh_from_db()
    assert response.status_code == 302
    assert subscription.status == "cancelled"


def test_csv_has_one_line_per_donor(client, manager, community, donors_seen):
    client.force_login(manager)
    response = client.get(reverse("fundraising:donors_csv", args=[community.slug]))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["email", "name", "currency"]
    assert sorted(line[0] for line in lines[1:]) == ["ivan@example.org", "olga@example.org"]


def test_outsiders_and_members_do_not_see_donors(client, outsider, member, community, donors_seen):
    for person in (outsider, member):
        client.force_login(person)
        assert client.get(reverse("fundraising:donors", args=[community.slug])).status_code == 404
        assert client.get(reverse("fundraising:org_donors")).status_code == 404
        subscription = donors_seen.subscriptions.get()
        assert (
            client.post(reverse("fundraising:donor_cancel", args=[community.slug, subscription.pk])).status_code == 404
        )


def test_staff_see_the_organisations_donors(client, staff, donors_seen):
    client.force_login(staff)
    page = client.get(reverse("fundraising:org_donors"))
    assert len(_rows(page)) == 2


def test_figures_count_churn_failures_and_recoveries(provider_http, campaign, manager):
    kept = start_monthly(campaign, email="k@example.org", amount="300", day=5)
    gone = start_monthly(campaign, email="g@example.org", amount="700", day=5)
    subscription_cancel(subscription=gone, by=manager)

    figures = recurring_figures(community=campaign.community)

    assert figures.mrr == {"RUB": Decimal("300.00")}
    assert (figures.active_donors, figures.new_donors, figures.churned) == (1, 2, 1)
    assert kept.status == "active"

"""Manager pages and the permission matrix: anonymous, member of another community, member, owner, manager, staff."""

import csv
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from fundraising import services
from fundraising.models import Campaign, Donation, Fundraiser, Refund
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db
S = Donation.Status


@pytest.fixture
def paid(campaign, fundraiser):
    return make_paid(
        campaign, fundraiser=fundraiser, amount="2500", donor_name="=HYPERLINK(1)", email="pay@example.org"
    )


def _people(request, who):
    return None if who == "anonymous" else request.getfixturevalue(who)


MANAGER_PAGES = [
    "manage_campaign",
    "manage_donations",
    "donations_csv",
    "refunds_csv",
    "offline_new",
    "campaign_update_new",
]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "owner"])
@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_manager_pages_are_404_or_sign_in_for_everyone_else(request, client, campaign, paid, who, page):
    user = _people(request, who)
    if user:
        client.force_login(user)

    response = client.get(reverse(f"fundraising:{page}", args=[campaign.slug]))

    assert response.status_code == (302 if user is None else 404)
    assert b"pay@example.org" not in b"".join(response) if hasattr(response, "streaming_content") else True


@pytest.mark.parametrize("who", ["manager", "staff"])
@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_managers_and_staff_reach_the_manager_pages(request, client, campaign, paid, who, page):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(f"fundraising:{page}", args=[campaign.slug])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "member", "owner"])
def test_nobody_but_managers_records_offline_gifts_refunds_or_hides(request, client, campaign, fundraiser, paid, who):
    client.force_login(request.getfixturevalue(who))

    offline = client.post(reverse("fundraising:offline_new", args=[campaign.slug]), {"amount": "100"})
    refund = client.post(reverse("fundraising:refund", args=[campaign.slug, paid.pk]), {"reason": "x"})
    hide = client.post(reverse("fundraising:fundraiser_hide", args=[fundraiser.slug]), {"reason": "x"})

    assert (offline.status_code, refund.status_code, hide.status_code) == (404, 404, 404)
    assert Donation.objects.count() == 1
    assert Donation.objects.get().status == S.SUCCEEDED
    assert Fundraiser.objects.get().status == Fundraiser.Status.ACTIVE


def test_a_manager_of_another_community_cannot_use_its_ids(client, outsider, campaign, paid):
    client.force_login(outsider)

    assert client.post(reverse("fundraising:refund", args=[campaign.slug, paid.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("fundraising:campaign_create", args=[campaign.community.slug])).status_code == 404


def test_the_manager_records_an_offline_gift_and_a_refund(client, manager, campaign, fundraiser, paid):
    client.force_login(manager)

    client.post(
        reverse("fundraising:offline_new", args=[campaign.slug]),
        {"amount": "10,000", "donor_name": "Cash box", "fundraiser": fundraiser.pk, "note": "concert"},
    )
    refund = {"amount": "500", "reason": "asked", "confirmed": "1"}
    client.post(reverse("fundraising:refund", args=[campaign.slug, paid.pk]), refund)

    fundraiser.refresh_from_db()
    assert fundraiser.raised_amount == Decimal("12000")
    bad = client.post(reverse("fundraising:offline_new", args=[campaign.slug]), {"amount": "-1"})
    assert bad.status_code == 200
    assert "greater than zero" in bad.content.decode()


def test_the_donations_csv_lists_every_gift_safely(client, manager, campaign, paid):
    client.force_login(manager)

    response = client.get(reverse("fundraising:donations_csv", args=[campaign.slug]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "created_at", "succeeded_at", "status"]
    assert rows[1][7] == "'=HYPERLINK(1)"
    assert rows[1][8] == "pay@example.org"


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_refunds_csv_lists_each_refund_once_safely(client, manager, campaign, fundraiser, paid, commit):
    Fundraiser.objects.filter(pk=fundraiser.pk).update(title="@SUM(A1:A9)")
    services.refund_request(donation=paid, by=manager, amount="500", reason="=cmd|' /C calc'!A0")
    services.refund_request(donation=paid, by=manager, amount="200", reason=" +1+1")
    Refund.objects.create(donation=paid, amount=Decimal("50"), currency="RUB", provider="sandbox", state="failed")
    client.force_login(manager)

    response = client.get(reverse("fundraising:refunds_csv", args=[campaign.slug]))
    donations = _csv_rows(client.get(reverse("fundraising:donations_csv", args=[campaign.slug])))

    rows = _csv_rows(response)
    assert response["Content-Disposition"] == f'attachment; filename="refunds-{campaign.slug}.csv"'
    assert rows[0][:9] == [
        "refund",
        "donation",
        "asked_at",
        "confirmed_at",
        "failed_after_made_at",
        "state",
        "origin",
        "amount",
        "currency",
    ]
    assert [(r[5], r[7]) for r in rows[1:]] == [("succeeded", "500.00"), ("succeeded", "200.00"), ("failed", "50.00")]
    assert [r[9] for r in rows[1:3]] == ["'=cmd|' /C calc'!A0", "'+1+1"]
    assert {r[11] for r in rows[1:]} == {"'=HYPERLINK(1)"}
    assert {r[14] for r in rows[1:]} == {"'@SUM(A1:A9)"}
    assert rows[1][10] == manager.email
    # The donations CSV agrees: the gift's refunded amount is the sum of its succeeded refunds.
    assert donations[1][5] == "700.00"
    assert donations[1][11] == "'@SUM(A1:A9)"


def test_the_donations_list_has_bounded_queries(client, manager, campaign, fundraiser, django_assert_max_num_queries):
    for n in range(60):
        make_donation(campaign, fundraiser=fundraiser, email=f"x{n}@example.org")
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("fundraising:manage_donations", args=[campaign.slug]))
    assert response.status_code == 200


def test_a_manager_creates_edits_and_ends_a_campaign(client, manager, community, commit):
    client.force_login(manager)

    response = client.post(
        reverse("fundraising:campaign_create", args=[community.slug]),
        {
            "title": "Spring run",
            "goal": "50000",
            "currency": "RUB",
            "status": "active",
            "suggested": "300 1000.50 300",
            "story": "Run with us: https://example.org/run",
            "allow_fundraisers": "on",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="Spring run")
    assert campaign.suggested_amounts == ["300.00", "1000.50"]
    assert campaign.story == "Run with us: https://example.org/run"

    end = reverse("fundraising:campaign_end", args=[campaign.slug])
    asked = client.post(end).content.decode()
    campaign.refresh_from_db()
    assert "0 donors will get an e-mail that the campaign has ended." in asked
    assert campaign.status == Campaign.Status.ACTIVE
    with commit():
        client.post(end, {"confirmed": "1"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED


def test_a_manager_hides_a_fundraiser_and_the_owner_is_told(client, manager, fundraiser, commit, mailoutbox):
    client.force_login(manager)

    url = reverse("fundraising:fundraiser_hide", args=[fundraiser.slug])
    asked = client.post(url, {"reason": "Wrong photo"}).content.decode()
    assert "will get your reason by e-mail" in asked
    assert 'name="reason" value="Wrong photo"' in asked
    assert Fundraiser.objects.get(pk=fundraiser.pk).status != Fundraiser.Status.HIDDEN
    with commit():
        client.post(url, {"reason": "Wrong photo", "confirmed": "1"})

    fundraiser.refresh_from_db()
    assert fundraiser.status == Fundraiser.Status.HIDDEN
    assert mailoutbox[0].to == [fundraiser.owner.email]
    assert "Wrong photo" in mailoutbox[0].body


def test_every_manager_page_with_totals_shows_confirmed_and_pending_money_apart(
    client, manager, campaign, community, paid
):
    from communities.insights.selectors import dashboard_build, period_for

    make_donation(campaign, amount="700", email="wait@example.org")
    Refund.objects.create(donation=paid, amount=Decimal("300"), currency="RUB", provider="sandbox")
    client.force_login(manager)

    listing = client.get(reverse("fundraising:manage_campaigns")).content.decode()
    page = client.get(reverse("fundraising:manage_campaign", args=[campaign.slug])).content.decode()
    dashboard = dashboard_build(
        community=community, period=period_for(key="month", zone=zoneinfo.ZoneInfo(community.timezone))
    )

    assert "RUB\u00a0700 awaiting payment (1 gift)" in listing
    assert "−RUB\u00a0300 refunds not yet confirmed" in listing
    assert "RUB\u00a02,500" in listing  # confirmed, as on the campaign page
    assert 'data-testid="money-split"' in page
    assert "RUB\u00a0700" in page
    assert "−RUB\u00a0300" in page
    raised = {card.key: card for card in dashboard.cards}["raised"]
    assert raised.value == Decimal("2500")  # the confirmed figure, pending money never added to it
    assert raised.note == "confirmed; not yet: RUB\u00a0700 awaiting payment, −RUB\u00a0300 refunds"
    assert dashboard.tables["campaigns"].rows == [[campaign.title, Decimal("2500"), "RUB", 1, Decimal("700")]]


@pytest.mark.parametrize("amount", ["$5", "5 USD", "€5"])
def test_an_amount_in_another_currency_is_refused_on_every_managers_money_form(
    client, manager, campaign, fundraiser, paid, amount
):
    # A rouble campaign: "$5" must not become 5 roubles refunded or recorded.
    client.force_login(manager)
    before = (Donation.objects.count(), Refund.objects.count())

    offline = client.post(reverse("fundraising:offline_new", args=[campaign.slug]), {"amount": amount})
    refund = client.post(
        reverse("fundraising:refund", args=[campaign.slug, paid.pk]),
        {"amount": amount, "reason": "asked", "confirmed": "1"},
    )

    assert "This page takes RUB only." in offline.content.decode()
    assert "This page takes RUB only." in refund.content.decode()
    assert (Donation.objects.count(), Refund.objects.count()) == before


def test_an_offline_gift_over_the_largest_amount_names_the_figure(client, manager, campaign):
    client.force_login(manager)

    response = client.post(reverse("fundraising:offline_new", args=[campaign.slug]), {"amount": "99999999999"})

    assert "The largest amount is RUB" in response.content.decode().replace("\xa0", " ")

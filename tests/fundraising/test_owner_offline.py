"""Owners record cash they collected for their own fundraiser; it counts once a manager confirms it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fundraising import services
from fundraising.models import Donation

pytestmark = pytest.mark.django_db


def record(client, fundraiser, **data):
    form = {"amount": "2 500", "donor_name": "Aunt Vera", "note": "cash at my birthday", **data}
    return client.post(reverse("fundraising:owner_offline_new", args=[fundraiser.slug]), form)


def test_an_owner_records_cash_which_waits_unconfirmed(client, owner, fundraiser, campaign):
    client.force_login(owner)

    response = record(client, fundraiser)

    assert response.status_code == 302
    gift = Donation.objects.get()
    assert (gift.status, gift.offline, gift.recorded_by, gift.amount) == ("pending", True, owner, Decimal("2500"))
    fundraiser.refresh_from_db()
    campaign.refresh_from_db()
    assert fundraiser.raised_amount == campaign.raised_amount == 0
    page = client.get(response["Location"]).content.decode()
    assert "Aunt Vera" in page
    assert "not counted yet" in page


def test_a_manager_confirms_it_and_it_counts_once(client, owner, manager, fundraiser, campaign, commit):
    client.force_login(owner)
    record(client, fundraiser)
    gift = Donation.objects.get()
    client.force_login(manager)
    listing = client.get(reverse("fundraising:manage_donations", args=[campaign.slug])).content.decode()
    assert "1 offline gift to confirm" in listing

    with commit():
        client.post(reverse("fundraising:offline_confirm", args=[campaign.slug, gift.pk]))
        again = client.post(reverse("fundraising:offline_confirm", args=[campaign.slug, gift.pk]), follow=True)

    fundraiser.refresh_from_db()
    campaign.refresh_from_db()
    assert fundraiser.raised_amount == campaign.raised_amount == Decimal("2500")
    assert campaign.donor_count == 1
    assert "not waiting for confirmation" in again.content.decode()


def test_a_manager_turns_a_gift_down_and_it_never_counts(client, owner, manager, fundraiser, campaign):
    client.force_login(owner)
    record(client, fundraiser)
    gift = Donation.objects.get()
    client.force_login(manager)

    reject = reverse("fundraising:offline_reject", args=[campaign.slug, gift.pk])
    assert "It will not count in the totals" in client.post(reject).content.decode()
    assert Donation.objects.get().status == Donation.Status.PENDING
    client.post(reject, {"confirmed": "1"})

    gift.refresh_from_db()
    campaign.refresh_from_db()
    assert gift.status == Donation.Status.CANCELLED
    assert campaign.raised_amount == 0


def test_only_the_owner_records_and_only_managers_confirm(client, member, owner, fundraiser, campaign):
    client.force_login(member)
    assert record(client, fundraiser).status_code == 404

    gift = services.donation_record_offline_by_owner(fundraiser=fundraiser, actor=owner, amount="100")
    with pytest.raises(services.FundraisingError):
        services.donation_offline_confirm(donation=gift, actor=owner)
    client.force_login(owner)
    assert client.post(reverse("fundraising:offline_confirm", args=[campaign.slug, gift.pk])).status_code == 404


def test_an_amount_that_is_not_money_is_an_error_next_to_the_field(client, owner, fundraiser):
    client.force_login(owner)

    response = record(client, fundraiser, amount="lots")

    assert response.status_code == 200
    assert "as a number" in response.content.decode()
    assert not Donation.objects.exists()


def test_unconfirmed_offline_gifts_do_not_expire_like_unpaid_online_ones(owner, fundraiser):
    gift = services.donation_record_offline_by_owner(
        fundraiser=fundraiser, actor=owner, amount="300", now=timezone.now() - timedelta(days=30)
    )

    services.donations_expire_pending()

    gift.refresh_from_db()
    assert gift.status == Donation.Status.PENDING


def test_an_owner_cannot_record_dollars_as_roubles(client, owner, fundraiser):
    client.force_login(owner)

    response = record(client, fundraiser, amount="$50")

    assert "This page takes RUB only." in response.content.decode()
    assert not Donation.objects.filter(provider="offline").exists()

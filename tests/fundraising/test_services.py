from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.sanitize import render_markdown
from fundraising import services
from fundraising.models import Campaign, Donation
from fundraising.services import donation_transition
from members.models import Activity, OutboundMessage
from tests.factories import UserFactory
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db
S = Donation.Status


def _succeed(campaign, fundraiser=None, amount="1000", **kwargs):
    donation = make_donation(campaign, fundraiser=fundraiser, amount=amount, **kwargs)
    donation, _ = donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


def test_a_gift_sends_a_receipt_and_a_note_to_the_fundraiser_owner(campaign, fundraiser, commit, mailoutbox, settings):
    settings.ORGANISATION_NAME = "Fond Teplo"
    with commit():
        donation = _succeed(campaign, fundraiser, amount="1500", language="ru", donor_name="Анна")

    receipt = next(m for m in mailoutbox if m.to == ["d@example.org"])
    assert "1\u00a0500\u00a0₽" in receipt.subject  # babel's no-break spaces survive the ledger
    assert "Fond Teplo" in receipt.body
    assert str(donation.pk) in receipt.body
    note = next(m for m in mailoutbox if m.to == [fundraiser.owner.email])
    assert "RUB\u00a01,500" in note.subject
    assert OutboundMessage.objects.filter(key=f"donation-receipt:{donation.pk}").exists()


def test_milestone_notes_go_once_each(campaign, fundraiser, commit, mailoutbox):
    with commit():
        _succeed(campaign, fundraiser, amount="5000", email="a@example.org")  # 50% of 10 000
        _succeed(campaign, fundraiser, amount="1000", email="b@example.org")
        _succeed(campaign, fundraiser, amount="4000", email="c@example.org")  # 100%
        _succeed(campaign, fundraiser, amount="4000", email="e@example.org")

    keys = set(OutboundMessage.objects.filter(key__startswith="milestone:").values_list("key", flat=True))
    assert keys == {f"milestone:{fundraiser.pk}:50", f"milestone:{fundraiser.pk}:100"}
    subjects = [m.subject for m in mailoutbox if "goal" in m.subject]
    assert sorted(subjects) == ["Half-way to your goal!", "You reached your goal!"]


def test_a_donor_with_an_account_gets_a_donated_activity(campaign, fundraiser):
    donor = UserFactory()
    _succeed(campaign, fundraiser, user=donor)

    assert Activity.objects.filter(user=donor, kind=Activity.Kind.DONATED, community=campaign.community).count() == 1


def test_opening_a_fundraiser_records_activity_and_shows_nothing_unsafe(campaign, owner):
    fundraiser = services.fundraiser_open(
        campaign=campaign,
        owner=owner,
        title="My birthday",
        goal="20000",
        story="Hi\n\n<script>alert(1)</script>",
        team_name="Office",
    )

    assert fundraiser.story == "Hi\n\n<script>alert(1)</script>"  # what the owner wrote, to edit later
    assert render_markdown(fundraiser.story) == "<p>Hi</p>\n"
    assert fundraiser.team.name == "Office"
    assert fundraiser.team.captain == owner
    assert Activity.objects.filter(user=owner, kind=Activity.Kind.FUNDRAISER_OPENED).exists()


def test_no_fundraisers_under_a_campaign_that_does_not_allow_them(campaign, owner):
    Campaign.objects.filter(pk=campaign.pk).update(allow_fundraisers=False)
    campaign.refresh_from_db()

    with pytest.raises(services.FundraisingError):
        services.fundraiser_open(campaign=campaign, owner=owner, title="x", goal="100")


def test_offline_donations_are_for_managers_and_count_at_once(campaign, fundraiser, manager, member):
    with pytest.raises(services.FundraisingError):
        services.donation_record_offline(campaign=campaign, actor=member, amount="5000")

    donation = services.donation_record_offline(
        campaign=campaign, actor=manager, amount="5000", fundraiser=fundraiser, donor_name="Cash box", note="event"
    )

    assert donation.status == S.SUCCEEDED
    assert donation.offline
    assert donation.recorded_by == manager
    fundraiser.refresh_from_db()
    fundraiser.team.refresh_from_db()
    assert fundraiser.raised_amount == fundraiser.team.raised_amount == Decimal("5000")
    campaign.refresh_from_db()
    assert campaign.raised_amount == Decimal("5000")


def test_refunds_are_for_managers(campaign, manager, owner):
    donation = make_paid(campaign, amount="800")

    with pytest.raises(services.FundraisingError):
        services.refund_request(donation=donation, by=owner)
    with pytest.raises(services.AmountInvalid, match="At most"):
        services.refund_request(donation=donation, by=manager, amount="800.01")
    services.refund_request(donation=donation, by=manager, amount="300", reason="asked")
    with pytest.raises(services.RefundRefused, match="pending"):
        services.refund_request(donation=make_donation(campaign, email="p@example.org"), by=manager)

    campaign.refresh_from_db()
    assert campaign.raised_amount == Decimal("500")


def test_abandoned_pending_donations_expire_once(campaign):
    now = timezone.now()
    old = make_donation(campaign, created_at=now - timedelta(days=4))
    fresh = make_donation(campaign, email="x@example.org", created_at=now - timedelta(hours=2))

    assert services.donations_expire_pending(now=now) == 1
    assert services.donations_expire_pending(now=now) == 0

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (S.CANCELLED, S.PENDING)


def test_ending_a_campaign_writes_to_each_donor_once(campaign, fundraiser, commit, mailoutbox):
    _succeed(campaign, fundraiser, email="a@example.org")
    _succeed(campaign, fundraiser, email="A@example.org")
    _succeed(campaign, email="b@example.org")
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    mailoutbox.clear()

    with commit():
        assert services.campaigns_due_to_end() == [campaign.pk]
        services.campaign_end(campaign_id=campaign.pk)
        services.campaign_end(campaign_id=campaign.pk)

    assert sorted(m.to[0].lower() for m in mailoutbox) == ["a@example.org", "b@example.org"]
    assert services.campaigns_due_to_end() == []


def test_hiding_a_fundraiser_tells_the_owner_why(fundraiser, manager, member, commit, mailoutbox):
    with pytest.raises(services.FundraisingError):
        services.fundraiser_hide(fundraiser=fundraiser, actor=member, reason="spam")

    with commit():
        services.fundraiser_hide(fundraiser=fundraiser, actor=manager, reason="The photo is not allowed.")
        services.fundraiser_hide(fundraiser=fundraiser, actor=manager, reason="The photo is not allowed.")

    assert [m.to[0] for m in mailoutbox] == [fundraiser.owner.email]
    assert "The photo is not allowed." in mailoutbox[0].body


def test_thanking_a_donor_goes_once_and_only_from_the_owner(campaign, fundraiser, manager, commit, mailoutbox):
    donation = _succeed(campaign, fundraiser)
    mailoutbox.clear()

    with pytest.raises(services.FundraisingError):
        services.donation_thank(donation=donation, actor=manager, note="Thanks")
    with commit():
        services.donation_thank(donation=donation, actor=fundraiser.owner, note="Thank you, friend!")
        services.donation_thank(donation=donation, actor=fundraiser.owner, note="Thank you, friend!")

    assert len(mailoutbox) == 1
    assert "Thank you, friend!" in mailoutbox[0].body


def test_totals_recompute_agrees_with_the_payment_path(campaign, fundraiser):
    _succeed(campaign, fundraiser, amount="100")
    _succeed(campaign, fundraiser, amount="250", email="z@example.org")
    before = Campaign.objects.values("raised_amount", "donor_count", "donation_count").get()
    Campaign.objects.update(raised_amount=0, donor_count=0, donation_count=0)

    services.totals_recompute(campaign_ids=[campaign.pk])

    assert Campaign.objects.values("raised_amount", "donor_count", "donation_count").get() == before


def test_russian_titles_make_readable_unique_addresses(campaign, owner):
    first = services.fundraiser_open(campaign=campaign, owner=owner, title="Тёплая зима: мой забег", goal="1000")
    second = services.fundraiser_open(campaign=campaign, owner=owner, title="Тёплая зима: мой забег", goal="1000")

    assert first.slug == "teplaya-zima-moy-zabeg"
    assert second.slug == "teplaya-zima-moy-zabeg-2"

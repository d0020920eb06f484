"""Property tests: whatever happens to a campaign's gifts, in whatever order, every stored total and every
rollup row equals a fresh aggregate of the donations, and Kindred agrees with the provider.

Random sequences of gifts, duplicate and out-of-order callbacks, failures, expiries, late payments,
partial refunds (by managers and at the provider), offline gifts and reconciliation runs go through the
real services and the sandbox provider's signed callbacks.
"""

import contextlib
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising import services
from fundraising.models import (
    Campaign,
    Donation,
    DonationChange,
    Fundraiser,
    Refund,
    SandboxPayment,
    SandboxRefund,
    Team,
)
from fundraising.money import from_minor_units
from fundraising.providers.sandbox import (
    SIGNATURE_HEADER,
    SandboxProvider,
    callback_body,
    sandbox_refund_add,
    sign,
)
from fundraising.services import checks, totals_aggregate
from fundraising.services.errors import ProviderUnavailable
from fundraising.services.rollups import rollups_check
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status

gift = st.tuples(st.just("give"), st.integers(1, 300_000), st.integers(0, 2), st.integers(0, 3))
on_gift = st.tuples(
    st.sampled_from(
        ["pay", "fail", "expire", "callback", "stale_callback", "refund", "provider_refund", "refund_fails"]
    ),
    st.integers(0, 20),
    st.integers(1, 200_000),
)
other = st.tuples(st.sampled_from(["offline", "reconcile"]), st.integers(1, 300_000), st.integers(0, 2))
operations = st.lists(st.one_of(gift, on_gift, other), min_size=1, max_size=25)


class World:
    def __init__(self, community, manager):
        self.client, self.manager = Client(), manager
        self.campaign = make_campaign(community, goal=Decimal("5000"))
        team = Team.objects.create(campaign=self.campaign, name="T", slug=f"t-{self.campaign.pk}", captain=manager)
        self.fundraisers = [None] + [
            Fundraiser.objects.create(
                campaign=self.campaign,
                owner=manager,
                team=team if n == 0 else None,
                title=f"F{n}",
                slug=f"f{n}-{self.campaign.pk}",
                goal=Decimal("3000"),
            )
            for n in range(2)
        ]
        self.gifts = []

    def run(self, op):
        getattr(self, op[0])(*op[1:])

    def give(self, cents, fundraiser, donor):
        donation = make_donation(
            self.campaign,
            fundraiser=self.fundraisers[fundraiser],
            amount=str(from_minor_units(cents, "RUB")),
            email=f"donor{donor}@example.org",
        )
        reference, _url = SandboxProvider().create_payment(donation)
        Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
        self.gifts.append(reference)

    def _reference(self, index):
        return self.gifts[index % len(self.gifts)] if self.gifts else None

    def _callback(self, reference, event="payment.succeeded", refund=None):
        body = callback_body(reference=reference, event=event, refund=refund)
        url = reverse("fundraising:callback", kwargs={"provider": "sandbox"})
        response = self.client.post(url, body, content_type="application/json", headers={SIGNATURE_HEADER: sign(body)})
        assert response.status_code == 200, response.content

    def _at_sandbox(self, reference, status):
        SandboxPayment.objects.filter(reference=reference, status=SandboxPayment.Status.PENDING).update(status=status)

    def pay(self, index, _cents):
        if reference := self._reference(index):
            self._at_sandbox(reference, SandboxPayment.Status.SUCCEEDED)
            self._callback(reference)

    def fail(self, index, _cents):
        if reference := self._reference(index):
            self._at_sandbox(reference, SandboxPayment.Status.FAILED)
            self._callback(reference, "payment.failed")

    def callback(self, index, _cents):
        """A repeated delivery of the same event."""
        if reference := self._reference(index):
            self._callback(reference)

    def stale_callback(self, index, _cents):
        """An out-of-order event that says the opposite of what the provider now answers."""
        if reference := self._reference(index):
            self._callback(reference, "payment.failed")

    def expire(self, index, _cents):
        if reference := self._reference(index):
            donation = Donation.objects.get(provider_reference=reference)
            if donation.status == S.PENDING:
                services.donation_transition(
                    donation_id=donation.pk, to=S.CANCELLED, source=DonationChange.Source.EXPIRY
                )

    def refund(self, index, cents):
        if reference := self._reference(index):
            donation = Donation.objects.get(provider_reference=reference)
            amount = str(from_minor_units(cents, "RUB"))
            # Not paid, or more than remains: refused, and nothing changes (checked after every step).
            with contextlib.suppress(services.FundraisingError):
                services.refund_request(donation=donation, by=self.manager, amount=amount)

    def provider_refund(self, index, cents):
        if reference := self._reference(index):
            payment = SandboxPayment.objects.get(reference=reference)
            try:
                made = sandbox_refund_add(payment=payment, amount=from_minor_units(cents, "RUB"))
            except ProviderUnavailable:
                return
            self._callback(reference, "refund.succeeded", made.reference)

    def refund_fails(self, index, cents):
        # A refund made, then failed at the provider (a bank returned it): it must count again, once.
        if reference := self._reference(index):
            refunds = list(SandboxPayment.objects.get(reference=reference).refunds.filter(failed=False))
            if refunds:
                made = refunds[cents % len(refunds)]
                SandboxRefund.objects.filter(pk=made.pk).update(failed=True)
                self._callback(reference, "refund.failed", made.reference)

    def offline(self, cents, fundraiser):
        services.donation_record_offline(
            campaign=self.campaign,
            actor=self.manager,
            amount=from_minor_units(cents, "RUB"),
            fundraiser=self.fundraisers[fundraiser],
        )

    def reconcile(self, _cents, _fundraiser):
        checks.payments_reconcile(sample=1000)


def _stored(obj):
    obj.refresh_from_db()
    return {"raised": obj.raised_amount, "donors": obj.donor_count, "donations": obj.donation_count}


def _assert_exact(world):
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert _stored(campaign) == totals_aggregate(Donation.objects.filter(campaign=campaign))
    for team in Team.objects.filter(campaign=campaign):
        assert _stored(team) == totals_aggregate(Donation.objects.filter(team=team))
    for fundraiser in Fundraiser.objects.filter(campaign=campaign):
        assert _stored(fundraiser) == totals_aggregate(Donation.objects.filter(fundraiser=fundraiser))
    for donation in Donation.objects.filter(campaign=campaign):
        refunded = donation.refunds.filter(state=Refund.State.SUCCEEDED).aggregate(t=Sum("amount", default=0))["t"]
        assert donation.refunded_amount == refunded
        assert 0 <= donation.refunded_amount <= donation.amount
    assert rollups_check(repair=False) == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_every_total_and_rollup_stays_exact(community, manager, ops):
    world = World(community, manager)
    for op in ops:
        world.run(op)
        _assert_exact(world)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_after_reconciliation_kindred_holds_what_the_provider_holds(community, manager, ops):
    world = World(community, manager)
    for op in ops:
        world.run(op)
    checks.payments_reconcile(sample=1000)

    for reference in world.gifts:
        payment = SandboxPayment.objects.get(reference=reference)
        donation = Donation.objects.get(provider_reference=reference)
        refunded = sum(r.amount_minor for r in payment.refunds.filter(failed=False))
        if payment.status == SandboxPayment.Status.SUCCEEDED:
            assert donation.status in (S.SUCCEEDED, S.REFUNDED)
            assert donation.refunded_amount == from_minor_units(refunded, "RUB")
        else:
            assert donation.status not in (S.SUCCEEDED, S.REFUNDED)
    _assert_exact(world)

"""The donation state machine and the totals it moves. Nothing else writes a donation's status.

Every change locks the campaign row first, then the donation: all changes of one campaign's donations
take turns, so the "is this a new donor?" check, the F() updates of the campaign, team and fundraiser
totals and the rewrite of the donation's rollup rows are never interleaved. Every change is written to
the donation's history (DonationChange).
"""

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from fundraising import selectors
from fundraising.models import (
    COUNTED_STATUSES,
    Campaign,
    Donation,
    DonationChange,
    Fundraiser,
    ProviderEvent,
    Team,
)
from fundraising.providers import get_provider
from fundraising.services import notifications, rollups
from fundraising.services.errors import (
    PaymentMismatch,
    ProviderUnavailable,
    TransitionRefused,
    UnknownPayment,
    UnknownRefund,
)

logger = logging.getLogger(__name__)
S = Donation.Status
Source = DonationChange.Source

# Called as hook(donation=..., now=...) after a subscription's donation changed status, once the
# transaction that changed it commits (monthly gifts register theirs: fundraising.services.subscriptions).
# A hook that fails is logged; the charging scan settles what it left.
SETTLED_HOOKS = []

# Refunds move a succeeded donation to refunded (fundraising.services.refunds). A failed or cancelled
# gift the provider reports as paid becomes succeeded: money a donor paid is never dropped.
ALLOWED_TRANSITIONS = {
    S.PENDING: {S.SUCCEEDED, S.FAILED, S.CANCELLED},
    S.FAILED: {S.SUCCEEDED},
    S.CANCELLED: {S.SUCCEEDED},
}


def donation_lock(donation_id):
    """Lock the donation's campaign, then the donation (inside a transaction); returns the donation."""
    campaign_id = Donation.objects.values_list("campaign_id", flat=True).get(pk=donation_id)
    list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk", flat=True))
    return Donation.objects.select_for_update().get(pk=donation_id)


def donation_transition(*, donation_id, to, now=None, source=Source.CALLBACK, by=None, note=""):
    """Move a donation to status `to` if allowed, and the totals and rollups with it.

    Returns (donation, changed). Already in `to`: nothing happens (a repeated callback). Any other move
    not in ALLOWED_TRANSITIONS raises TransitionRefused and changes nothing. `source` says what caused
    it (DonationChange.Source), `by` the person, if one did.
    """
    now = now or timezone.now()
    with transaction.atomic():
        donation = donation_lock(donation_id)
        if donation.status == to:
            return donation, False
        if to not in ALLOWED_TRANSITIONS.get(donation.status, ()):
            raise TransitionRefused(f"A {donation.status} donation cannot become {to}.")
        before = donation.status
        _apply(donation, to=to, now=now)
        history_record(donation, before=before, source=source, by=by, note=note, now=now)
    if donation.subscription_id:
        for hook in SETTLED_HOOKS:
            transaction.on_commit(lambda hook=hook: hook(donation=donation, now=now), robust=True)
    return donation, True


def history_record(donation, *, before, source, by=None, refund=None, reversal=False, note="", now=None):
    DonationChange.objects.create(
        donation=donation,
        at=now or timezone.now(),
        from_status=before,
        to_status=donation.status,
        refund=refund,
        refund_reversed=reversal,
        source=source,
        actor=by if by is not None and by.is_authenticated else None,
        note=note[:300],
    )


def _apply(donation, *, to, now):
    donation.status = to
    if to != S.SUCCEEDED:
        donation.save(update_fields=["status", "updated_at"])
        return
    donation.succeeded_at = now
    donation.save(update_fields=["status", "succeeded_at", "updated_at"])
    counted_change(donation, amount=donation.net_amount, donation_delta=1)
    notifications.donation_succeeded(donation=donation, now=now)


def counted_change(donation, *, amount, donation_delta):
    """Move the totals by exactly this donation's money, and rewrite its day's rollup rows.

    Called with the campaign and the donation locked, after the donation row is saved.
    """
    _totals_move(donation, amount=amount, donation_delta=donation_delta)
    if donation_delta == 1:
        rollups.donation_day_add(donation, amount=amount)  # constant time: no re-reading of the day
    else:
        rollups.donation_day_update(donation)


def _totals_move(donation, *, amount, donation_delta):
    """Move the campaign's, team's and fundraiser's totals by exactly this donation's money."""
    scopes = [(Campaign, "campaign_id", donation.campaign_id)]
    if donation.team_id:
        scopes.append((Team, "team_id", donation.team_id))
    if donation.fundraiser_id:
        scopes.append((Fundraiser, "fundraiser_id", donation.fundraiser_id))
    for model, field, pk in scopes:
        donor_delta = 0
        if donation_delta and not _other_counted_gift(donation, field, pk):
            donor_delta = donation_delta  # the donor's first gift here, or their last one leaving
        model.objects.filter(pk=pk).update(
            raised_amount=F("raised_amount") + amount,
            donation_count=F("donation_count") + donation_delta,
            donor_count=F("donor_count") + donor_delta,
        )
    transaction.on_commit(lambda: selectors.public_bodies_forget(donation))


def _other_counted_gift(donation, field, pk):
    return (
        Donation.objects.filter(**{field: pk}, donor_key=donation.donor_key, status__in=COUNTED_STATUSES)
        .filter(refunded_amount__lt=F("amount"))
        .exclude(pk=donation.pk)
        .exists()
    )


def totals_aggregate(queryset):
    """Fresh totals of some donations, as the denormalised fields should hold them."""
    return queryset.aggregate(**counted_aggregates())


def totals_recompute(*, campaign_ids):
    """Set every total of these campaigns (and their teams and fundraisers) from fresh aggregates.

    For repairs and the demo data; the payment path never needs it.
    """
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk__in=campaign_ids))
        for model, field in ((Campaign, "campaign"), (Team, "team"), (Fundraiser, "fundraiser")):
            totals_recompute_model(model, field, campaign_ids)


def totals_recompute_model(model, field, campaign_ids):
    campaign_filter = "pk__in" if model is Campaign else "campaign_id__in"
    rows = (
        Donation.objects.filter(campaign_id__in=campaign_ids, **{f"{field}__isnull": False})
        .values(field)
        .annotate(**counted_aggregates())
    )
    by_pk = {row[field]: row for row in rows}
    objects = list(model.objects.filter(**{campaign_filter: campaign_ids}))
    for obj in objects:
        row = by_pk.get(obj.pk, {"raised": 0, "donations": 0, "donors": 0})
        obj.raised_amount, obj.donation_count, obj.donor_count = row["raised"], row["donations"], row["donors"]
    model.objects.bulk_update(objects, ["raised_amount", "donation_count", "donor_count"], batch_size=500)


def counted_aggregates():
    counted = Q(status__in=COUNTED_STATUSES, refunded_amount__lt=F("amount"))
    return {
        "raised": Sum(F("amount") - F("refunded_amount"), filter=Q(status__in=COUNTED_STATUSES), default=0),
        "donations": Count("pk", filter=counted),
        "donors": Count("donor_key", filter=counted, distinct=True),
    }


PROVIDER_OUTCOMES = {"succeeded": S.SUCCEEDED, "failed": S.FAILED, "cancelled": S.CANCELLED}


def payment_callback_process(*, provider, request, now=None):
    """Verify a provider's callback, ask the provider what really happened, apply it once.

    Payment callbacks move the donation's status; refund callbacks (refunds made at the provider,
    chargebacks) also bring every refund of the payment as the provider lists it. Raises CallbackInvalid
    (forged or unreadable: nothing recorded), UnknownPayment, UnknownRefund (the provider does not list
    the refund named), PaymentMismatch (amount or currency differ: nothing changes) or
    ProviderUnavailable. Returns the outcome recorded.
    """
    callback = provider.verify_callback(request)
    if not callback.kind:
        return "ignored"
    reference = provider.payment_reference(callback)
    donation = Donation.objects.filter(provider=provider.name, provider_reference=reference or "").first()
    if donation is None:
        raise UnknownPayment(f"No donation for {provider.name} payment {reference}.")
    if ProviderEvent.objects.filter(provider=provider.name, event_id=callback.event_id).exists():
        return "duplicate"
    # Asked outside the transaction: no row stays locked while the provider answers.
    payment = provider.fetch_payment(reference)
    refunds = provider.fetch_refunds(reference) if callback.kind == "refund" else None
    if refunds is not None and callback.refund and callback.refund not in {r.reference for r in refunds}:
        raise UnknownRefund(f"{provider.name} lists no refund {callback.refund} of payment {reference}.")
    return _callback_apply(provider.name, callback, donation, payment, refunds, now)


def _callback_apply(provider_name, callback, donation, payment, refunds, now):
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(
                    provider=provider_name, event_id=callback.event_id, donation=donation, payload=callback.payload
                )
        except IntegrityError:
            return "duplicate"  # the same delivery, applied a moment ago by another process
        changes = payment_apply(donation=donation, payment=payment, refunds=refunds, source=Source.CALLBACK, now=now)
        event.outcome = _outcome(payment, changes)
        event.save(update_fields=["outcome"])
    return event.outcome


def _outcome(payment, changes):
    if any(c.startswith("refund reversed") for c in changes):
        return "refund reversed"
    if any(c.startswith("refund") for c in changes):
        return "refunded"
    if changes:
        return changes[0]
    return "pending" if payment.status not in PROVIDER_OUTCOMES else "unchanged"


def payment_apply(*, donation, payment, refunds=None, source, now=None):
    """Make the donation agree with the provider's answers (a PaymentStatus and, if asked, its refunds).

    Returns what changed, as short words ("succeeded", "refund 500.00"), for outcomes and repair notes.
    Raises PaymentMismatch when the provider's amount or currency differ from the donation's.
    """
    from fundraising.services.refunds import refunds_sync

    if payment.amount != donation.amount or payment.currency.upper() != donation.currency:
        logger.error("donation %s: provider says %s %s", donation.pk, payment.amount, payment.currency)
        raise PaymentMismatch("The payment's amount or currency differs from the donation.")
    changes = []
    target = PROVIDER_OUTCOMES.get(payment.status)
    if target is not None and _move(donation, target, source, now):
        changes.append(target)
    if refunds:
        changes += refunds_sync(donation_id=donation.pk, refunds=refunds, source=source, now=now)
    return changes


def _move(donation, target, source, now):
    try:
        _, changed = donation_transition(donation_id=donation.pk, to=target, now=now, source=source)
    except TransitionRefused:
        # A late "failed" or "cancelled" never undoes a payment the provider took.
        logger.info("donation %s: %s after %s ignored", donation.pk, target, donation.status)
        return False
    return changed


def donations_expire_pending(*, now=None, limit=2000):
    """Ask the provider about donations left pending longer than PENDING_DONATION_EXPIRE_DAYS.

    Paid ones become succeeded, failed ones failed, and those still unpaid are cancelled. A provider
    that does not answer leaves its donations pending until the next run. Returns how many were cancelled.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PENDING_DONATION_EXPIRE_DAYS)
    # Offline gifts an owner recorded wait for a manager, however long that takes.
    due = Donation.objects.filter(status=S.PENDING, created_at__lt=cutoff, offline=False).only(
        "pk", "provider", "provider_reference"
    )
    expired = 0
    for donation in due[:limit]:
        expired += _expire_one(donation, now)
    return expired


def _expire_one(donation, now):
    if donation.provider_reference:
        try:
            payment = get_provider(donation.provider).fetch_payment(donation.provider_reference)
        except (ProviderUnavailable, KeyError):
            logger.warning("donation %s: %s did not answer; it stays pending", donation.pk, donation.provider)
            return 0
        if payment.status != "pending":
            # A mismatch leaves the gift pending: reconciliation reports it to staff.
            with contextlib.suppress(PaymentMismatch):
                full = Donation.objects.get(pk=donation.pk)
                payment_apply(donation=full, payment=payment, source=Source.EXPIRY, now=now)
            return 0
    _, changed = donation_transition(donation_id=donation.pk, to=S.CANCELLED, now=now, source=Source.EXPIRY)
    return int(changed)

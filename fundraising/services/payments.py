"""The donation state machine and the totals it moves. Nothing else writes a donation's status.

Every transition locks the campaign row first, then the donation: all status changes of one
campaign's donations take turns, so the "is this a new donor?" check and the F() updates of the
campaign, team and fundraiser totals are never interleaved.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from fundraising import selectors
from fundraising.models import COUNTED_STATUSES, Campaign, Donation, Fundraiser, ProviderEvent, Team
from fundraising.services import notifications
from fundraising.services.errors import PaymentMismatch, TransitionRefused, UnknownPayment

logger = logging.getLogger(__name__)
S = Donation.Status

# Called as hook(donation=..., now=...) after a subscription's donation changed status, once the
# transaction that changed it commits (monthly gifts register theirs: fundraising.services.subscriptions).
# A hook that fails is logged; the charging scan settles what it left.
SETTLED_HOOKS = []

ALLOWED_TRANSITIONS = {
    S.PENDING: {S.SUCCEEDED, S.FAILED, S.CANCELLED},
    S.SUCCEEDED: {S.REFUNDED},
}


def donation_transition(*, donation_id, to, now=None, refund_amount=None, refund_reason=""):
    """Move a donation to `to` if allowed, and the totals with it. Returns (donation, changed).

    Already in `to`: nothing happens (a repeated callback). Any other move not in
    ALLOWED_TRANSITIONS raises TransitionRefused and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign_id = Donation.objects.values_list("campaign_id", flat=True).get(pk=donation_id)
        list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk", flat=True))
        donation = Donation.objects.select_for_update().get(pk=donation_id)
        if donation.status == to:
            return donation, False
        if to not in ALLOWED_TRANSITIONS.get(donation.status, ()):
            raise TransitionRefused(f"A {donation.status} donation cannot become {to}.")
        _apply(donation, to=to, now=now, refund_amount=refund_amount, refund_reason=refund_reason)
    if donation.subscription_id:
        for hook in SETTLED_HOOKS:
            transaction.on_commit(lambda hook=hook: hook(donation=donation, now=now), robust=True)
    return donation, True


def _apply(donation, *, to, now, refund_amount, refund_reason):
    if to == S.SUCCEEDED:
        donation.status, donation.succeeded_at = S.SUCCEEDED, now
        donation.save(update_fields=["status", "succeeded_at", "updated_at"])
        _totals_move(donation, amount=donation.amount, donation_delta=1)
        notifications.donation_succeeded(donation=donation, now=now)
    elif to == S.REFUNDED:
        refund = donation.amount if refund_amount is None else refund_amount
        if not 0 < refund <= donation.amount:
            raise TransitionRefused("A refund must be more than zero and at most the donation.")
        donation.status, donation.refunded_amount, donation.refund_reason = S.REFUNDED, refund, refund_reason
        donation.save(update_fields=["status", "refunded_amount", "refund_reason", "updated_at"])
        _totals_move(donation, amount=-refund, donation_delta=-1 if refund == donation.amount else 0)
    else:
        donation.status = to
        donation.save(update_fields=["status", "updated_at"])


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
    counted = Q(status__in=COUNTED_STATUSES, refunded_amount__lt=F("amount"))
    return queryset.aggregate(
        raised=Sum(F("amount") - F("refunded_amount"), filter=Q(status__in=COUNTED_STATUSES), default=0),
        donations=Count("pk", filter=counted),
        donors=Count("donor_key", filter=counted, distinct=True),
    )


def totals_recompute(*, campaign_ids):
    """Set every total of these campaigns (and their teams and fundraisers) from fresh aggregates.

    For repairs and the demo data; the payment path never needs it.
    """
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk__in=campaign_ids))
        for model, field in ((Campaign, "campaign"), (Team, "team"), (Fundraiser, "fundraiser")):
            _recompute_model(model, field, campaign_ids)


def _recompute_model(model, field, campaign_ids):
    campaign_filter = "pk__in" if model is Campaign else "campaign_id__in"
    rows = (
        Donation.objects.filter(campaign_id__in=campaign_ids, **{f"{field}__isnull": False})
        .values(field)
        .annotate(**_aggregates())
    )
    by_pk = {row[field]: row for row in rows}
    objects = list(model.objects.filter(**{campaign_filter: campaign_ids}))
    for obj in objects:
        row = by_pk.get(obj.pk, {"raised": 0, "donations": 0, "donors": 0})
        obj.raised_amount, obj.donation_count, obj.donor_count = row["raised"], row["donations"], row["donors"]
    model.objects.bulk_update(objects, ["raised_amount", "donation_count", "donor_count"], batch_size=500)


def _aggregates():
    counted = Q(status__in=COUNTED_STATUSES, refunded_amount__lt=F("amount"))
    return {
        "raised": Sum(F("amount") - F("refunded_amount"), filter=Q(status__in=COUNTED_STATUSES), default=0),
        "donations": Count("pk", filter=counted),
        "donors": Count("donor_key", filter=counted, distinct=True),
    }


PROVIDER_OUTCOMES = {"succeeded": S.SUCCEEDED, "failed": S.FAILED, "cancelled": S.CANCELLED, "refunded": S.REFUNDED}


def payment_callback_process(*, provider, request, now=None):
    """Verify a provider's callback, ask the provider what really happened, apply it once.

    Raises CallbackInvalid (forged or unreadable: nothing recorded), UnknownPayment, or
    PaymentMismatch (amount or currency differ: nothing changes). Returns the outcome recorded.
    """
    event_id, reference, payload = provider.verify_callback(request)
    if reference is None:
        return "ignored"
    donation = Donation.objects.filter(provider=provider.name, provider_reference=reference).first()
    if donation is None:
        raise UnknownPayment(f"No donation for {provider.name} payment {reference}.")
    if ProviderEvent.objects.filter(provider=provider.name, event_id=event_id).exists():
        return "duplicate"
    # Asked outside the transaction: no row stays locked while the provider answers.
    status, amount, currency = provider.fetch_payment(reference)
    return _callback_apply(provider.name, event_id, payload, donation, status, amount, currency, now)


def _callback_apply(provider_name, event_id, payload, donation, status, amount, currency, now):
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(
                    provider=provider_name, event_id=event_id, donation=donation, payload=payload
                )
        except IntegrityError:
            return "duplicate"  # the same delivery, applied a moment ago by another process
        if amount != donation.amount or currency.upper() != donation.currency:
            logger.error("payment %s: %s %s differs from donation %s", event_id, amount, currency, donation.pk)
            raise PaymentMismatch("The payment's amount or currency differs from the donation.")
        event.outcome = _outcome(donation, PROVIDER_OUTCOMES.get(status), now)
        event.save(update_fields=["outcome"])
    return event.outcome


def _outcome(donation, target, now):
    if target is None:
        return "pending"  # a late "pending" never undoes what already happened
    try:
        _, changed = donation_transition(donation_id=donation.pk, to=target, now=now)
    except TransitionRefused:
        logger.info("donation %s: %s after %s ignored", donation.pk, target, donation.status)
        return "ignored"
    return target if changed else "unchanged"


def donations_expire_pending(*, now=None):
    """Cancel donations left pending longer than PENDING_DONATION_EXPIRE_DAYS. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PENDING_DONATION_EXPIRE_DAYS)
    # Offline gifts an owner recorded wait for a manager, however long that takes.
    stale = Donation.objects.filter(status=S.PENDING, created_at__lt=cutoff, offline=False)
    ids = list(stale.values_list("pk", flat=True)[:2000])
    expired = 0
    for donation_id in ids:
        _, changed = donation_transition(donation_id=donation_id, to=S.CANCELLED, now=now)
        expired += changed
    return expired

"""Refunds: asked by a manager and made through the provider's refund API, or made at the provider (its
dashboard, a lost chargeback) and brought in by callbacks and reconciliation.

A refund counts once, when the provider confirms it: its row turns succeeded, the donation's
refunded_amount grows by it (the sum of its succeeded refunds), and the totals and the day's rollup
rows go down by it in the same transaction; the donor is told by e-mail.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fundraising.models import Donation, DonationChange, Refund
from fundraising.money import MAX_AMOUNT, AmountError, amount_parse, money_format
from fundraising.providers import get_provider
from fundraising.services import notifications
from fundraising.services.donations import AmountInvalid, require_manager
from fundraising.services.errors import FundraisingError, PaymentMismatch, ProviderUnavailable
from fundraising.services.payments import counted_change, donation_lock, history_record
from members.models import AuditEntry
from members.services import audit_record

logger = logging.getLogger(__name__)
S = Donation.Status
Source = DonationChange.Source


class RefundRefused(FundraisingError):
    """A refund that cannot be made: the donation is not paid, nothing is left, or the provider said no."""


def refund_request(*, donation, by, amount=None, reason="", currency=None, language=None, now=None):
    """A manager refunds a paid donation, in whole (`amount` empty) or in part, through its provider.

    `amount` is what the manager typed (read in `language`, or a Decimal), `currency` an optional ISO
    code that must be the donation's. An offline gift's refund (cash handed back) counts at once; an
    online one is asked of the provider and counts when the provider confirms it (at once for most
    answers, or later by callback or reconciliation). Returns the Refund. Raises FundraisingError for
    someone who is not a manager, RefundRefused and AmountInvalid; nothing changes then.
    """
    require_manager(by, donation.campaign.community)
    now = now or timezone.now()
    refund = _refund_open(donation, by=by, amount=amount, reason=reason, currency=currency, language=language, now=now)
    if donation.offline:
        with transaction.atomic():
            locked = donation_lock(donation.pk)
            _apply_locked(locked, Refund.objects.select_for_update().get(pk=refund.pk), Source.MANAGER, by, now)
        return _audited(Refund.objects.get(pk=refund.pk), donation, by, now)
    try:
        answer = get_provider(donation.provider).refund_create(donation, refund)
    except (ProviderUnavailable, KeyError) as exc:
        logger.warning("refund %s of donation %s refused: %s", refund.pk, donation.pk, exc)
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.FAILED, error=str(exc)[:300])
        found = _refunds_made_there(donation, now)
        made = Refund.objects.get(pk=refund.pk)
        if made.state == Refund.State.SUCCEEDED:
            return _audited(made, donation, by, now)  # the answer was lost, but the provider made it
        if found:
            raise RefundRefused(
                _(
                    "The payment service had already refunded %(amount)s of this donation (from its own "
                    "dashboard); Kindred has counted it now and the donor is told. Nothing more was refunded."
                )
                % {"amount": money_format(found, donation.currency)}
            ) from exc
        raise RefundRefused(
            _("The payment service did not make the refund (%(error)s). Nothing was refunded; try again later.")
            % {"error": str(exc)[:200]}
        ) from exc
    made = refund_confirm(refund_id=refund.pk, answer=answer, source=Source.MANAGER, by=by, now=now)
    return _audited(made, donation, by, now)


def _refunds_made_there(donation, now):
    """After the provider refused a refund: bring in the refunds it already made (at its dashboard, a
    chargeback) that Kindred had not heard of, often the very reason it refused. Returns their sum."""
    before = Donation.objects.values_list("refunded_amount", flat=True).get(pk=donation.pk)
    try:
        listed = get_provider(donation.provider).fetch_refunds(donation.provider_reference)
        refunds_sync(donation_id=donation.pk, refunds=listed, source=Source.RECONCILIATION, now=now)
    except (ProviderUnavailable, KeyError, PaymentMismatch) as exc:
        logger.warning("donation %s: the provider's refunds could not be brought in: %s", donation.pk, exc)
        return 0
    return Donation.objects.values_list("refunded_amount", flat=True).get(pk=donation.pk) - before


def _audited(refund, donation, by, now):
    # Who refunded what is kept for the organisation's records (members.services.audit_record).
    audit_record(
        actor=by,
        action=AuditEntry.Action.REFUNDED,
        community=donation.campaign.community,
        target=donation,
        summary=f"{refund.amount} {refund.currency} of {refund.donation.amount}",
        now=now,
    )
    return refund


def _refund_open(donation, *, by, amount, reason, currency, language, now):
    with transaction.atomic():
        donation = donation_lock(donation.pk)
        if donation.status != S.SUCCEEDED:
            raise RefundRefused(
                _("Only a paid donation can be refunded; this one is %(status)s.")
                % {"status": donation.get_status_display()}
            )
        remaining = donation.amount - donation.refunded_amount - _pending_total(donation)
        if remaining <= 0:
            raise RefundRefused(_("Nothing is left to refund: earlier refunds cover the whole donation."))
        value = _amount(amount, remaining, donation, currency, language)
        return Refund.objects.create(
            donation=donation,
            amount=value,
            currency=donation.currency,
            reason=reason.strip()[:200],
            origin=Refund.Origin.MANAGER,
            actor=by,
            provider=donation.provider,
            created_at=now,
        )


def _pending_total(donation):
    return donation.refunds.filter(state=Refund.State.PENDING).aggregate(total=Sum("amount", default=0))["total"]


def _amount(amount, remaining, donation, currency, language):
    if amount in (None, ""):
        if currency and currency.upper() != donation.currency:
            raise AmountInvalid(_("This donation is in %(currency)s.") % {"currency": donation.currency})
        return remaining
    try:
        value = amount_parse(
            amount,
            currency=currency,
            expected_currency=donation.currency,
            minimum="0.01",
            maximum=MAX_AMOUNT,
            language=language,
        )
    except AmountError as exc:
        raise AmountInvalid(str(exc)) from exc
    if value > remaining:
        raise AmountInvalid(
            _("At most %(amount)s can still be refunded.") % {"amount": money_format(remaining, donation.currency)}
        )
    return value


def refund_confirm(*, refund_id, answer, source, by=None, now=None):
    """Apply the provider's answer about one refund (a RefundStatus). Returns the Refund.

    Succeeded: it counts (once). Failed: it is marked failed. Pending: it waits. Raises PaymentMismatch
    when the provider's amount or currency differ from the refund's; nothing changes then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        donation = donation_lock(Refund.objects.values_list("donation_id", flat=True).get(pk=refund_id))
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if answer.amount != refund.amount or answer.currency.upper() != refund.currency:
            raise PaymentMismatch("The provider's refund differs from the one asked for.", code="refund_differs")
        if not refund.provider_reference:
            refund.provider_reference = answer.reference
            refund.save(update_fields=["provider_reference"])
        _state_apply(donation, refund, answer.state, source, by, now)
    return refund


def _state_apply(donation, refund, state, source, by, now):
    """Returns "counted" when the refund counted just now, "reversed" when it stopped counting, or None.

    The provider's present answer decides, whatever order its callbacks came in: a refund it reports
    failed after reporting it succeeded (Stripe: the donor's bank sent the money back) counts no more.
    """
    if state == "succeeded" and refund.state != Refund.State.SUCCEEDED:
        _apply_locked(donation, refund, source, by, now)
        return "counted"
    if state == "failed" and refund.state == Refund.State.SUCCEEDED:
        _reverse_locked(donation, refund, source, now)
        return "reversed"
    if state == "failed" and refund.state == Refund.State.PENDING:
        refund.state = Refund.State.FAILED
        refund.save(update_fields=["state"])
        if refund.origin == Refund.Origin.MANAGER and source != Source.MANAGER:
            # The manager left thinking it was on its way (YooKassa cancels, Stripe fails a pending one).
            notifications.refund_failed(donation=donation, refund=refund)
    return None


def _apply_locked(donation, refund, source, by, now):
    """Count a refund: the donation, the totals and the day's rollup go down by it, the donor is told."""
    if donation.status != S.SUCCEEDED or refund.amount > donation.amount - donation.refunded_amount:
        logger.error("refund %s of %s does not fit donation %s", refund.pk, refund.amount, donation.pk)
        raise PaymentMismatch("The refund is more than what remains of the donation.", code="refund_too_large")
    refund.state, refund.confirmed_at = Refund.State.SUCCEEDED, now
    refund.save(update_fields=["state", "confirmed_at"])
    before = donation.status
    donation.refunded_amount += refund.amount
    whole = donation.refunded_amount == donation.amount
    if whole:
        donation.status = S.REFUNDED
    donation.save(update_fields=["refunded_amount", "status", "updated_at"])
    counted_change(donation, amount=-refund.amount, donation_delta=-1 if whole else 0)
    history_record(donation, before=before, source=source, by=by, refund=refund, note=refund.reason, now=now)
    notifications.donation_refunded(donation=donation, refund=refund)


def _reverse_locked(donation, refund, source, now):
    """A counted refund the provider reports failed: the money is the organisation's again and counts
    again (totals, rollups, the donation back to succeeded); the managers are told to return it another way."""
    if refund.amount > donation.refunded_amount:
        logger.error("refund %s of %s is more than donation %s has refunded", refund.pk, refund.amount, donation.pk)
        raise PaymentMismatch("The refund is more than what the donation has refunded.", code="refund_unknown")
    refund.state, refund.reversed_at = Refund.State.FAILED, now
    refund.save(update_fields=["state", "reversed_at"])
    before = donation.status
    donation.refunded_amount -= refund.amount
    donation.status = S.SUCCEEDED
    donation.save(update_fields=["refunded_amount", "status", "updated_at"])
    counted_change(donation, amount=refund.amount, donation_delta=1 if before == S.REFUNDED else 0)
    history_record(donation, before=before, source=source, refund=refund, reversal=True, now=now)
    notifications.refund_failed(donation=donation, refund=refund)


def refunds_sync(*, donation_id, refunds, source, now=None):
    """Make the donation's refunds agree with the provider's list of them (RefundStatus items).

    A refund Kindred asked for is found by its provider reference or the key it sent; any other is a
    refund made at the provider (or a chargeback) and is recorded as such. Each counts once. Returns
    what counted ("refund 500.00 RUB"). Raises PaymentMismatch for a refund in another currency or
    above what remains; nothing changes then.
    """
    now = now or timezone.now()
    counted = []
    with transaction.atomic():
        donation = donation_lock(donation_id)
        for status in refunds:
            if status.currency.upper() != donation.currency:
                raise PaymentMismatch("A refund's currency differs from the donation's.", code="refund_currency")
            refund = _match(donation, status)
            if refund is None and status.state == "failed":
                continue  # a refund that never happened: nothing to record
            refund = refund or _provider_refund(donation, status, now)
            if not refund.provider_reference:
                refund.provider_reference = status.reference
                refund.save(update_fields=["provider_reference"])
            effect = _state_apply(donation, refund, status.state, source, None, now)
            if effect == "counted":
                counted.append(f"refund {refund.amount} {refund.currency}")
            elif effect == "reversed":
                counted.append(f"refund reversed {refund.amount} {refund.currency}")
    return counted


def _match(donation, status):
    refunds = Refund.objects.select_for_update().filter(donation=donation)
    found = refunds.filter(provider=donation.provider, provider_reference=status.reference).first()
    if found is None and status.kindred_refund:
        # Asked a moment ago, the provider's answer not yet recorded: every provider carries the key back.
        # Never matched by amount alone: a dashboard refund of the same sum is another refund.
        found = refunds.filter(idempotency_key=status.kindred_refund).first()
    return found


def _provider_refund(donation, status, now):
    chargeback = status.kind == "chargeback"
    return Refund.objects.create(
        donation=donation,
        amount=status.amount,
        currency=donation.currency,
        reason=(status.reason or "")[:200],
        origin=Refund.Origin.CHARGEBACK if chargeback else Refund.Origin.PROVIDER,
        provider=donation.provider,
        provider_reference=status.reference,
        created_at=now,
    )


# A refund asked this long ago and still without the provider's answer was cut off on the way (the
# process stopped between recording it and asking the provider, or the answer was lost).
UNANSWERED_AFTER = timedelta(minutes=15)


def refunds_unanswered_settle(*, now=None, limit=200):
    """Settle manager refunds that never got the provider's answer: the provider's list decides (found by
    the key Kindred sent: it counts); one the provider does not list was never made and is marked failed,
    so it no longer holds back the amount it asked for. Returns the refunds that counted."""
    now = now or timezone.now()
    counted = []
    stale = Refund.objects.filter(
        state=Refund.State.PENDING, provider_reference="", created_at__lt=now - UNANSWERED_AFTER
    ).select_related("donation")
    for refund in stale.order_by("created_at")[:limit]:
        donation = refund.donation
        try:
            listed = get_provider(donation.provider).fetch_refunds(donation.provider_reference)
            refunds_sync(donation_id=donation.pk, refunds=listed, source=Source.RECONCILIATION, now=now)
        except (ProviderUnavailable, KeyError, PaymentMismatch) as exc:
            logger.warning("refund %s: %s", refund.pk, exc)
            continue
        refund.refresh_from_db()
        if refund.state == Refund.State.SUCCEEDED:
            counted.append(refund)
        elif refund.state == Refund.State.PENDING and not refund.provider_reference:
            Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(state=Refund.State.FAILED)
    return counted


def refunds_pending_check(*, now=None, limit=500):
    """Ask the provider about refunds still waiting for it (reconciliation). Returns the refunds that counted."""
    confirmed = refunds_unanswered_settle(now=now)
    waiting = Refund.objects.filter(state=Refund.State.PENDING).exclude(provider_reference="").order_by("created_at")
    for refund in waiting[:limit]:
        try:
            answer = get_provider(refund.provider).fetch_refund(refund.provider_reference)
            before = refund.state
            refund = refund_confirm(refund_id=refund.pk, answer=answer, source=Source.RECONCILIATION, now=now)
        except (ProviderUnavailable, KeyError, PaymentMismatch) as exc:
            logger.warning("refund %s: %s", refund.pk, exc)
            continue
        if before != refund.state and refund.state == Refund.State.SUCCEEDED:
            confirmed.append(refund)
    return confirmed

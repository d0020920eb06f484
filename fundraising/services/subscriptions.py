"""Monthly gifts: starting one, charging each month exactly once, retries, and the donor's changes.

A month's charge is a SubscriptionCharge row, unique per (subscription, period): the scan that opens
due months and the scan that charges them may run in two beats or in a worker killed half-way, and
still a month is charged once. An attempt is claimed with a conditional update before the provider is
called, under an idempotency key derived from subscription, month and attempt; an attempt left
"processing" by a dead worker is finished later with the same key (or by asking the provider about
the payment it already made), never with a new one.
"""

import calendar
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fundraising.models import Campaign, Donation, Subscription, SubscriptionCharge
from fundraising.providers import get_provider
from fundraising.providers.base import SavedMethod
from fundraising.services import notifications, payments
from fundraising.services.donations import check_open, donor_fields, giving_consents_record, parse_amount
from fundraising.services.errors import FundraisingError, ProviderUnavailable

logger = logging.getLogger(__name__)
S = Subscription.Status
C = SubscriptionCharge.Status
D = Donation.Status

CHARGE_HOUR = 9  # a month's charge opens at 09:00 in the organisation's time zone
RETRY_AFTER_DAYS = (1, 3, 7)  # a failed month is tried again this many days after its first attempt
STALE_CLAIM = timedelta(minutes=15)  # an attempt "processing" longer than this was left by a dead worker
CARD_EXPIRY_NOTICE_DAYS = 30


class SubscriptionRefused(FundraisingError):
    """The donor (or manager) may not do this to the monthly gift, or not in its current state."""


# --- dates ------------------------------------------------------------------------------------


def period_of(moment: datetime) -> date:
    """The month (its first day) a moment falls in, in the organisation's time zone."""
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    return date(local.year, local.month, 1)


def period_next(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def charge_moment(period: date, day: int) -> datetime:
    """When `period`'s charge opens: `day` of that month (the last day when the month is shorter) at
    CHARGE_HOUR in the organisation's time zone."""
    last = calendar.monthrange(period.year, period.month)[1]
    local_day = date(period.year, period.month, min(day, last))
    return datetime.combine(local_day, time(CHARGE_HOUR), tzinfo=ZoneInfo(settings.TIME_ZONE))


def next_opening(day: int, *, after: datetime) -> tuple[date, datetime]:
    """The first (period, moment) for `day` whose moment is later than `after`, from the month after."""
    period = period_next(period_of(after))
    return period, charge_moment(period, day)


# --- starting ---------------------------------------------------------------------------------


def subscription_start(*, campaign, fundraiser=None, amount, day, donor, user=None, language="en", now=None):
    """Start a monthly gift: a pending subscription, its first month's charge and the first donation,
    paid on the provider's page, which saves the payment method. Returns (subscription, checkout_url).

    `amount` is a Decimal or typed text in the campaign's currency; `day` 1-31; `donor` as for
    donation_start (an e-mail is required: the receipts and the link to manage the gift go there).
    Raises FundraisingError (closed campaign, provider down, no e-mail), AmountInvalid, SubscriptionRefused.
    """
    check_open(campaign, fundraiser)
    value = parse_amount(amount, campaign.currency)
    if not 1 <= int(day) <= 31:
        raise SubscriptionRefused(_("Choose a day of the month from 1 to 31."))
    fields = donor_fields(donor)
    if not fields["donor_email"]:
        raise SubscriptionRefused(_("A monthly gift needs an e-mail for its receipts."))
    now = now or timezone.now()
    provider = get_provider()
    with transaction.atomic():
        subscription = Subscription.objects.create(
            campaign=campaign,
            fundraiser=fundraiser,
            team_id=fundraiser.team_id if fundraiser else None,
            amount=value,
            currency=campaign.currency,
            day=int(day),
            donor_name=fields["donor_name"],
            donor_email=fields["donor_email"],
            donor_key=fields["donor_key"],
            user=user if user and user.is_authenticated else None,
            language=language,
            anonymous=fields["anonymous"],
            provider=provider.name,
            created_at=now,
        )
        donation = _attempt_donation(subscription, now=now, extra=fields)
        giving_consents_record(
            donor, user=subscription.user, email=subscription.donor_email, language=language, now=now
        )
        SubscriptionCharge.objects.create(
            subscription=subscription,
            period=period_of(now),
            status=C.PROCESSING,
            scheduled_at=now,
            next_attempt_at=now,
            attempts=1,
            via_checkout=True,
            donation=donation,
        )
    return subscription, _checkout_create(provider, donation)


def _attempt_donation(subscription, *, now, extra=None):
    """A pending donation for one attempt at a month: the subscription's money and attribution."""
    fields = {
        "donor_name": subscription.donor_name,
        "donor_email": subscription.donor_email,
        "donor_key": subscription.donor_key,
        "anonymous": subscription.anonymous,
        **(extra or {}),
    }
    return Donation.objects.create(
        campaign_id=subscription.campaign_id,
        fundraiser_id=subscription.fundraiser_id,
        team_id=subscription.team_id,
        amount=subscription.amount,
        currency=subscription.currency,
        user_id=subscription.user_id,
        language=subscription.language,
        provider=subscription.provider,
        subscription=subscription,
        created_at=now,
        **fields,
    )


def _checkout_create(provider, donation):
    try:
        reference, checkout_url = provider.create_recurring_payment(donation)
    except ProviderUnavailable:
        logger.exception("provider %s refused the first monthly payment %s", provider.name, donation.pk)
        payments.donation_transition(donation_id=donation.pk, to=D.FAILED)
        raise FundraisingError(_("The payment service is not answering. Please try again in a few minutes.")) from None
    Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    return checkout_url


# --- settling an attempt ----------------------------------------------------------------------


def subscription_donation_settled(*, donation, now=None):
    """Apply a subscription donation's final status to its month and the subscription. Idempotent.

    Registered with payments.SETTLED_HOOKS: runs after any change of a subscription's donation (callbacks, off-session
    charges, expiry). Success: the month is paid, a saved method from a checkout is kept, the
    subscription is active. Failure: the month is retried after RETRY_AFTER_DAYS, then it is past due
    and the donor is asked (by e-mail) to update the card.
    """
    now = now or timezone.now()
    if donation.status not in (D.SUCCEEDED, D.FAILED, D.CANCELLED):
        return
    charge = SubscriptionCharge.objects.filter(donation_id=donation.pk).select_related("subscription").first()
    if charge is None or charge.status != C.PROCESSING:
        return
    method = _saved_method(charge, donation) if donation.status == D.SUCCEEDED and charge.via_checkout else None
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=charge.subscription_id)
        charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
        if charge.status != C.PROCESSING or charge.donation_id != donation.pk:
            return  # settled a moment ago by another process
        if donation.status == D.SUCCEEDED:
            _settle_success(subscription, charge, method, now)
        else:
            _settle_failure(subscription, charge, now)


def _saved_method(charge, donation):
    try:
        return get_provider(donation.provider).saved_method(donation.provider_reference)
    except ProviderUnavailable:
        logger.warning("could not read the saved method of donation %s; asked again later", donation.pk)
        raise


def _settle_success(subscription, charge, method, now):
    charge.status, charge.settled_at, charge.claimed_at = C.SUCCEEDED, now, None
    charge.save(update_fields=["status", "settled_at", "claimed_at"])
    changed = ["status"]
    if method is not None:
        subscription.payment_method_id, subscription.payment_customer_id = method.id, method.customer
        subscription.card_label, subscription.card_expires_on = method.label[:60], method.expires_on
        changed += ["payment_method_id", "payment_customer_id", "card_label", "card_expires_on"]
    first = subscription.status == S.PENDING
    if first:
        subscription.started_at = now
        subscription.next_period = period_next(charge.period)
        subscription.next_charge_at = charge_moment(subscription.next_period, subscription.day)
        changed += ["started_at", "next_period", "next_charge_at"]
    elif subscription.status == S.PAST_DUE:
        # Months missed while past due are not charged afterwards: the gift goes on from the next one.
        subscription.recovered_at, subscription.past_due_since = now, None
        subscription.next_period, subscription.next_charge_at = next_opening(subscription.day, after=now)
        changed += ["recovered_at", "past_due_since", "next_period", "next_charge_at"]
    if subscription.status in (S.PENDING, S.PAST_DUE):
        subscription.status = S.ACTIVE
    subscription.save(update_fields=changed)
    if first:
        notifications.subscription_started(subscription=subscription)


def _settle_failure(subscription, charge, now):
    charge.failure_count += 1
    charge.claimed_at = None
    retries_left = not charge.via_checkout and charge.failure_count <= len(RETRY_AFTER_DAYS)
    if retries_left and subscription.status == S.ACTIVE:
        charge.status = C.DUE
        charge.next_attempt_at = charge.scheduled_at + timedelta(days=RETRY_AFTER_DAYS[charge.failure_count - 1])
    else:
        charge.status, charge.settled_at = C.FAILED, now
    charge.save(update_fields=["status", "next_attempt_at", "settled_at", "claimed_at", "failure_count"])
    if charge.status == C.FAILED and not charge.via_checkout and subscription.status == S.ACTIVE:
        subscription.status, subscription.past_due_since = S.PAST_DUE, now
        subscription.save(update_fields=["status", "past_due_since"])
        notifications.subscription_past_due(subscription=subscription, charge=charge)


# --- the charging scans -----------------------------------------------------------------------


def subscriptions_open_due(*, now=None, batch=1000) -> int:
    """Open the month's charge of every active subscription whose day has come. Returns how many opened.

    Each subscription is locked (skipping ones another scan holds) and moved to its next month in the
    same transaction that creates the charge, so two scans never open one month twice; the unique
    (subscription, period) would refuse it anyway.
    """
    now = now or timezone.now()
    opened = 0
    while True:
        with transaction.atomic():
            due = list(
                Subscription.objects.select_for_update(skip_locked=True)
                .filter(status=S.ACTIVE, next_charge_at__lte=now)
                .order_by("next_charge_at")[:batch]
            )
            charges = [_open_months(subscription, now) for subscription in due]
            created = SubscriptionCharge.objects.bulk_create(
                [c for months in charges for c in months], ignore_conflicts=True
            )
            Subscription.objects.bulk_update(due, ["next_period", "next_charge_at"], batch_size=1000)
        opened += len(created)
        if len(due) < batch:
            return opened


def _open_months(subscription, now):
    """The charges of every month whose moment has passed (several when the beat was stopped)."""
    months = []
    while subscription.next_charge_at <= now:
        moment = subscription.next_charge_at
        months.append(
            SubscriptionCharge(
                subscription=subscription, period=subscription.next_period, scheduled_at=moment, next_attempt_at=moment
            )
        )
        subscription.next_period = period_next(subscription.next_period)
        subscription.next_charge_at = charge_moment(subscription.next_period, subscription.day)
    return months


def subscription_charges_due_ids(*, now=None, after=0, limit=2000) -> list[int]:
    """Ids (above `after`, ascending) of charges to attempt now: due ones, and attempts a dead worker
    left processing (not the donor's own checkout, which its callback or the pending-donation expiry
    settles, unless that settling itself was lost)."""
    now = now or timezone.now()
    due = Q(status=C.DUE, next_attempt_at__lte=now)
    stale = Q(status=C.PROCESSING, via_checkout=False, claimed_at__lt=now - STALE_CLAIM)
    # A checkout whose donation is settled but whose month is not (the settling hook failed).
    stale |= Q(status=C.PROCESSING, via_checkout=True, donation__status__in=(D.SUCCEEDED, D.FAILED, D.CANCELLED))
    charges = SubscriptionCharge.objects.filter(due | stale, pk__gt=after).order_by("pk")
    return list(charges.values_list("pk", flat=True)[:limit])


def subscription_charge_attempt(*, charge_id, now=None) -> str:
    """Charge one month once: claim the attempt, call the provider with the attempt's key, settle.

    Returns what happened: "claimed-elsewhere", "cancelled", or the donation's status afterwards.
    """
    now = now or timezone.now()
    claim = _claim(charge_id, now)
    if claim is None:
        return "claimed-elsewhere"
    charge, donation = claim
    if donation is None:
        return "cancelled"
    if donation.status != D.PENDING:  # a dead worker got as far as the provider's answer
        subscription_donation_settled(donation=donation, now=now)
        return donation.status
    status = _provider_charge(charge, donation)
    if status in (D.SUCCEEDED, D.FAILED, D.CANCELLED):
        donation, _changed = payments.donation_transition(donation_id=donation.pk, to=status, now=now)
        subscription_donation_settled(donation=donation, now=now)
    return status


def _claim(charge_id, now):
    """Take the attempt: a due charge gets a new attempt and donation; a stale one keeps both."""
    with transaction.atomic():
        charge = (
            SubscriptionCharge.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "donation")
            .filter(pk=charge_id)
            .first()
        )
        if charge is None:
            return None
        subscription = charge.subscription
        if charge.status == C.PROCESSING and charge.via_checkout:
            settled = charge.donation is not None and charge.donation.status != D.PENDING
            return (charge, charge.donation) if settled else None
        if charge.status == C.PROCESSING and charge.claimed_at < now - STALE_CLAIM:
            charge.claimed_at = now
            charge.save(update_fields=["claimed_at"])
            return charge, charge.donation
        if charge.status != C.DUE or charge.next_attempt_at > now:
            return None
        if subscription.status != S.ACTIVE or not subscription.payment_method_id:
            charge.status, charge.settled_at = C.CANCELLED, now
            charge.save(update_fields=["status", "settled_at"])
            return charge, None
        donation = _attempt_donation(subscription, now=now)
        charge.status, charge.claimed_at, charge.donation = C.PROCESSING, now, donation
        charge.attempts = F("attempts") + 1
        charge.save(update_fields=["status", "claimed_at", "donation", "attempts"])
        charge.refresh_from_db(fields=["attempts"])
        return charge, donation


def _provider_charge(charge, donation):
    """Ask the provider to charge (or, when a dead worker already did, what became of the payment)."""
    subscription = charge.subscription
    provider = get_provider(subscription.provider)
    try:
        if donation.provider_reference:
            status, _amount, _currency = provider.fetch_payment(donation.provider_reference)
            return status
        method = SavedMethod(id=subscription.payment_method_id, customer=subscription.payment_customer_id)
        reference, status = provider.charge_saved(donation=donation, method=method, idempotency_key=charge.provider_key)
    except ProviderUnavailable:
        logger.warning("charge %s: provider unavailable, tried again with the same key", charge.pk)
        return "pending"
    if reference:
        Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    return status


def subscriptions_charge_due(*, now=None) -> dict:
    """The beat's run: open the months that are due, then attempt every due charge. Returns counts."""
    now = now or timezone.now()
    opened = subscriptions_open_due(now=now)
    outcomes: dict[str, int] = {}
    last = 0
    while ids := subscription_charges_due_ids(now=now, after=last):
        for charge_id in ids:
            outcome = subscription_charge_attempt(charge_id=charge_id, now=now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        last = ids[-1]
    return {"opened": opened, **outcomes}


# --- the donor's (and managers') changes ------------------------------------------------------


def subscription_may_change(subscription, *, by_email=None, by=None) -> bool:
    """The donor (proved by their verified e-mail or their account) or a manager of its community."""
    from communities.selectors import is_manager

    if by_email and by_email.strip().lower() == subscription.donor_key:
        return True
    if by is not None and by.is_authenticated:
        if by.email.lower() == subscription.donor_key:
            return True
        return is_manager(by, subscription.campaign.community)
    return False


def _locked(subscription, by_email, by):
    locked = Subscription.objects.select_for_update().select_related("campaign__community").get(pk=subscription.pk)
    if not subscription_may_change(locked, by_email=by_email, by=by):
        raise SubscriptionRefused(_("Only the donor may change this monthly gift."))
    return locked


@transaction.atomic
def subscription_change(*, subscription, amount=None, day=None, by_email=None, by=None, now=None):
    """Change the amount (typed text or Decimal) and/or the day (1-31) from the next month on."""
    subscription = _locked(subscription, by_email, by)
    if subscription.status == S.CANCELLED:
        raise SubscriptionRefused(_("This monthly gift has been stopped."))
    if amount not in (None, ""):
        subscription.amount = parse_amount(amount, subscription.currency)
    if day not in (None, ""):
        if not 1 <= int(day) <= 31:
            raise SubscriptionRefused(_("Choose a day of the month from 1 to 31."))
        subscription.day = int(day)
        if subscription.next_period:
            subscription.next_charge_at = charge_moment(subscription.next_period, subscription.day)
    subscription.save(update_fields=["amount", "day", "next_charge_at"])
    return subscription


@transaction.atomic
def subscription_pause(*, subscription, by_email=None, by=None, now=None):
    """Pause: no month is charged until it is resumed. Pausing a paused gift changes nothing."""
    subscription = _locked(subscription, by_email, by)
    if subscription.status == S.PAUSED:
        return subscription
    if subscription.status != S.ACTIVE:
        raise SubscriptionRefused(_("Only an active monthly gift can be paused."))
    subscription.status, subscription.paused_at = S.PAUSED, now or timezone.now()
    subscription.save(update_fields=["status", "paused_at"])
    _cancel_due_charges(subscription, now or timezone.now())
    return subscription


@transaction.atomic
def subscription_resume(*, subscription, by_email=None, by=None, now=None):
    """Resume a paused gift from the next time its day comes."""
    now = now or timezone.now()
    subscription = _locked(subscription, by_email, by)
    if subscription.status == S.ACTIVE:
        return subscription
    if subscription.status != S.PAUSED:
        raise SubscriptionRefused(_("Only a paused monthly gift can be resumed."))
    if not subscription.campaign.is_active:
        fund = _general_fund(exclude=subscription.campaign)
        if fund is None:
            raise SubscriptionRefused(_("The campaign has ended; this monthly gift cannot go on."))
        _move_to_fund(subscription, fund)
    subscription.status, subscription.paused_at, subscription.cancel_reason = S.ACTIVE, None, ""
    subscription.next_period, subscription.next_charge_at = _next_uncharged(subscription, now)
    subscription.save(update_fields=["status", "paused_at", "cancel_reason", "next_period", "next_charge_at"])
    return subscription


def _next_uncharged(subscription, now):
    """This month if its day is still ahead and it was not charged, otherwise the next month."""
    period = period_of(now)
    moment = charge_moment(period, subscription.day)
    if moment > now and not subscription.charges.filter(period=period).exists():
        return period, moment
    return next_opening(subscription.day, after=now)


@transaction.atomic
def subscription_cancel(*, subscription, by_email=None, by=None, reason="", now=None):
    """Stop the monthly gift for good; the donor is told by e-mail. Cancelling twice changes nothing."""
    subscription = _locked(subscription, by_email, by)
    return _cancel(subscription, reason=reason, now=now or timezone.now())


def _cancel(subscription, *, reason, now):
    if subscription.status == S.CANCELLED:
        return subscription
    subscription.status, subscription.cancelled_at, subscription.cancel_reason = S.CANCELLED, now, reason[:200]
    subscription.next_charge_at = None
    subscription.save(update_fields=["status", "cancelled_at", "cancel_reason", "next_charge_at"])
    _cancel_due_charges(subscription, now)
    notifications.subscription_cancelled(subscription=subscription)
    return subscription


def _cancel_due_charges(subscription, now):
    subscription.charges.filter(status=C.DUE).update(status=C.CANCELLED, settled_at=now)


def subscription_card_update_start(*, subscription, by_email=None, by=None, now=None):
    """A past-due donor pays the failed month on the provider's page with a new card, which is saved
    for the following months. Returns the checkout URL. Raises SubscriptionRefused when not past due."""
    now = now or timezone.now()
    provider = get_provider(subscription.provider)
    with transaction.atomic():
        subscription = _locked(subscription, by_email, by)
        if subscription.status != S.PAST_DUE:
            raise SubscriptionRefused(_("The card can be updated here when a monthly payment has failed."))
        charge = subscription.charges.select_for_update().filter(status=C.FAILED).order_by("-period").first()
        if charge is None:
            raise SubscriptionRefused(_("There is no failed payment to make again."))
        donation = _attempt_donation(subscription, now=now)
        charge.status, charge.via_checkout, charge.donation, charge.claimed_at = C.PROCESSING, True, donation, now
        charge.attempts += 1
        charge.save(update_fields=["status", "via_checkout", "donation", "claimed_at", "attempts"])
    return _checkout_create(provider, donation)


# --- campaigns that end, cards that expire ----------------------------------------------------


def subscriptions_campaign_ended(*, campaign, now=None) -> int:
    """A campaign ended: its live monthly gifts move to the organisation's general fund (the campaign
    whose slug is SUBSCRIPTIONS_GENERAL_FUND) or, with SUBSCRIPTIONS_ON_CAMPAIGN_END=ask, are paused
    and the donor is asked (resuming moves the gift to the fund). With no fund to go to, they stop.
    Each donor is told by e-mail. Returns how many gifts moved, paused or stopped; again: 0."""
    now = now or timezone.now()
    fund = _general_fund(exclude=campaign)
    ask = settings.SUBSCRIPTIONS_ON_CAMPAIGN_END == "ask"
    live = Subscription.objects.filter(campaign=campaign, status__in=(S.ACTIVE, S.PAST_DUE, S.PAUSED, S.PENDING))
    if ask:
        live = live.exclude(status=S.PAUSED, cancel_reason="campaign-ended")
    count = 0
    for subscription_id in live.values_list("pk", flat=True):
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().select_related("campaign").get(pk=subscription_id)
            _campaign_ended_one(subscription, fund=fund, ask=ask, now=now)
        count += 1
    return count


def _campaign_ended_one(subscription, *, fund, ask, now):
    old = subscription.campaign
    if fund is None or subscription.status == S.PENDING:
        _cancel(subscription, reason=_("The campaign has ended."), now=now)
    elif ask:
        subscription.status, subscription.paused_at, subscription.cancel_reason = S.PAUSED, now, "campaign-ended"
        subscription.save(update_fields=["status", "paused_at", "cancel_reason"])
        _cancel_due_charges(subscription, now)
        notifications.subscription_campaign_ended_ask(subscription=subscription, fund=fund)
    else:
        _move_to_fund(subscription, fund)
        notifications.subscription_moved(subscription=subscription, old_campaign=old)


def _general_fund(*, exclude):
    slug = settings.SUBSCRIPTIONS_GENERAL_FUND
    if not slug:
        return None
    return Campaign.objects.filter(slug=slug, status=Campaign.Status.ACTIVE).exclude(pk=exclude.pk).first()


def _move_to_fund(subscription, fund):
    subscription.campaign, subscription.fundraiser, subscription.team = fund, None, None
    subscription.save(update_fields=["campaign", "fundraiser", "team"])


def subscriptions_card_expiring(*, now=None) -> int:
    """Tell donors whose saved card expires within CARD_EXPIRY_NOTICE_DAYS (once per card)."""
    now = now or timezone.now()
    soon = (now + timedelta(days=CARD_EXPIRY_NOTICE_DAYS)).date()
    expiring = Subscription.objects.filter(status=S.ACTIVE, card_expires_on__isnull=False, card_expires_on__lte=soon)
    sent = 0
    for subscription in expiring.iterator():
        notifications.subscription_card_expiring(subscription=subscription)
        sent += 1
    return sent


payments.SETTLED_HOOKS.append(subscription_donation_settled)

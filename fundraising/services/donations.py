"""Starting a donation, offline gifts, refunds and thanks."""

import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.selectors import is_manager
from fundraising.models import Donation, DonationChange
from fundraising.money import AmountError, amount_parse
from fundraising.providers import get_provider
from fundraising.services import notifications
from fundraising.services.errors import FundraisingError, ProviderUnavailable
from fundraising.services.payments import donation_transition
from members.services import consents_given

logger = logging.getLogger(__name__)


class AmountInvalid(FundraisingError):
    pass


def donor_key_for(email):
    return email.strip().lower() if email else f"donation:{uuid.uuid4().hex}"


def donation_start(*, campaign, fundraiser=None, amount, currency=None, donor, user=None, language="en", now=None):
    """Record a pending donation and create its payment at the provider. Returns (donation, checkout_url).

    `donor` holds name, email, anonymous, message, message_private, share_with_owner (name and e-mail
    shown to the fundraiser's owner; ignored without a fundraiser), dedication_kind, dedication_name,
    and `reports` when a signed-in donor was asked whether they want monthly reports (recorded as their
    consent, source "giving").
    """
    check_open(campaign, fundraiser)
    value = parse_amount(amount, campaign.currency, currency=currency)
    provider = get_provider()
    donation = Donation.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        team_id=fundraiser.team_id if fundraiser else None,
        amount=value,
        currency=campaign.currency,
        user=user if user and user.is_authenticated else None,
        language=language,
        provider=provider.name,
        created_at=now or timezone.now(),
        **donor_fields(donor),
    )
    giving_consents_record(donor, user=donation.user, email=donation.donor_email, language=language, now=now)
    return donation, _payment_create(provider, donation)


def giving_consents_record(donor, *, user, email, language, now=None):
    """The answers a donor gave on the give page: reports go to an account's own consent (and stay in
    step under the e-mail), or under the e-mail alone for a visitor; statements under the e-mail."""
    from fundraising.services.donor_consents import donor_consents_set

    choices = {kind: bool(donor[kind]) for kind in ("reports", "statements") if kind in donor}
    if "reports" in choices and user is not None:
        consents_given(user=user, choices={"reports": choices["reports"]}, source="giving", now=now)
    if choices and email:
        donor_consents_set(by_email=email, choices=choices, source="giving", language=language, now=now)


def parse_amount(amount, expected_currency, *, currency=None):
    """An online gift's amount (typed text or Decimal) within DONATION_MIN..MAX; AmountInvalid if not.

    Typed text is read the way the active language writes numbers (fundraising.money.amount_parse).
    """
    language = translation.get_language() or "en"
    try:
        return amount_parse(amount, currency=currency, expected_currency=expected_currency, language=language)
    except AmountError as exc:
        raise AmountInvalid(str(exc)) from exc


def donor_fields(donor):
    """A donation's donor columns from a form's cleaned data (name, email, anonymous, message...)."""
    email = (donor.get("email") or "").strip()
    kind = donor.get("dedication_kind") or ""
    return {
        "donor_name": (donor.get("name") or "").strip(),
        "donor_email": email,
        "donor_key": donor_key_for(email),
        "anonymous": bool(donor.get("anonymous")),
        "message": (donor.get("message") or "").strip(),
        "message_private": bool(donor.get("message_private")),
        "share_with_owner": bool(donor.get("share_with_owner")),
        "dedication_kind": kind,
        "dedication_name": (donor.get("dedication_name") or "").strip() if kind else "",
    }


def check_open(campaign, fundraiser):
    """Raise FundraisingError unless the campaign (and fundraiser, if any) take donations."""
    if not campaign.is_active:
        raise FundraisingError(_("This campaign is not taking donations."))
    if fundraiser is not None and (fundraiser.campaign_id != campaign.pk or not fundraiser.is_active):
        raise FundraisingError(_("This fundraiser is not taking donations."))


def _payment_create(provider, donation):
    try:
        reference, checkout_url = provider.create_payment(donation)
    except ProviderUnavailable as exc:
        logger.exception("provider %s refused donation %s", provider.name, donation.pk)
        donation_transition(
            donation_id=donation.pk,
            to=Donation.Status.FAILED,
            source=DonationChange.Source.CHECKOUT,
            note=str(exc)[:300],
        )
        raise FundraisingError(_("The payment service is not answering. Please try again in a few minutes.")) from None
    Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    donation.provider_reference = reference
    return checkout_url


def require_manager(actor, community):
    if not is_manager(actor, community):
        raise FundraisingError(_("Only the campaign's managers may do this."))


@transaction.atomic
def donation_record_offline(
    *,
    campaign,
    actor,
    amount,
    donor_name="",
    donor_email="",
    fundraiser=None,
    note="",
    anonymous=False,
    language=None,
    now=None,
):
    """A manager records cash or a bank transfer; it counts at once, credited to a fundraiser if given.

    `amount` is a Decimal or what the manager typed, read in `language` (the page's). Raises
    FundraisingError (not a manager, another campaign's fundraiser) or AmountInvalid.
    """
    require_manager(actor, campaign.community)
    if fundraiser is not None and fundraiser.campaign_id != campaign.pk:
        raise FundraisingError(_("This fundraiser belongs to another campaign."))
    try:
        value = amount_parse(
            amount, minimum="0.01", maximum="9999999999.99", expected_currency=campaign.currency, language=language
        )
    except AmountError as exc:
        raise AmountInvalid(str(exc)) from exc
    donation = Donation.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        team_id=fundraiser.team_id if fundraiser else None,
        amount=value,
        currency=campaign.currency,
        donor_name=donor_name.strip(),
        donor_email=donor_email.strip(),
        donor_key=donor_key_for(donor_email),
        anonymous=anonymous,
        provider="offline",
        offline=True,
        recorded_by=actor,
        offline_note=note,
        language=language or settings.LANGUAGE_CODE,  # the receipt's language: the page the gift was recorded on
    )
    donation, _changed = donation_transition(
        donation_id=donation.pk, to=Donation.Status.SUCCEEDED, now=now, source=DonationChange.Source.MANAGER, by=actor
    )
    return donation


@transaction.atomic
def donation_record_offline_by_owner(
    *, fundraiser, actor, amount, donor_name="", donor_email="", anonymous=False, note="", language=None, now=None
):
    """A fundraiser's owner records cash or a transfer they collected for their own fundraiser.

    The gift waits, pending and not counted, until one of the campaign's managers confirms it
    (donation_offline_confirm): a volunteer cannot raise their own total on their word alone.
    `language` is the receipt's (the page's). Raises FundraisingError (not the owner, fundraiser
    closed) or AmountInvalid.
    """
    if not actor.is_authenticated or fundraiser.owner_id != actor.pk:
        raise FundraisingError(_("Only the fundraiser's owner may record gifts for it."))
    if not fundraiser.is_active:
        raise FundraisingError(_("This fundraiser is not taking donations."))
    try:
        value = amount_parse(
            amount, minimum="0.01", maximum="9999999999.99", expected_currency=fundraiser.campaign.currency
        )
    except AmountError as exc:
        raise AmountInvalid(str(exc)) from exc
    return Donation.objects.create(
        campaign_id=fundraiser.campaign_id,
        fundraiser=fundraiser,
        team_id=fundraiser.team_id,
        amount=value,
        currency=fundraiser.campaign.currency,
        donor_name=donor_name.strip(),
        donor_email=donor_email.strip(),
        donor_key=donor_key_for(donor_email),
        anonymous=anonymous,
        provider="offline",
        offline=True,
        recorded_by=actor,
        offline_note=note.strip(),
        language=language or settings.LANGUAGE_CODE,  # the receipt's language: the page it was recorded on
        created_at=now or timezone.now(),
    )


def _offline_awaiting(donation, actor):
    require_manager(actor, donation.campaign.community)
    if not (donation.offline and donation.status == Donation.Status.PENDING):
        raise FundraisingError(_("This gift is not waiting for confirmation."))


def donation_offline_confirm(*, donation, actor, now=None):
    """A manager confirms an owner's offline gift: it counts in the totals from now on, once."""
    _offline_awaiting(donation, actor)
    donation, _changed = donation_transition(
        donation_id=donation.pk, to=Donation.Status.SUCCEEDED, now=now, source=DonationChange.Source.MANAGER, by=actor
    )
    return donation


def donation_offline_reject(*, donation, actor, now=None):
    """A manager turns down an owner's offline gift (the money never reached the organisation)."""
    _offline_awaiting(donation, actor)
    donation, _changed = donation_transition(
        donation_id=donation.pk, to=Donation.Status.CANCELLED, now=now, source=DonationChange.Source.MANAGER, by=actor
    )
    return donation


@transaction.atomic
def donation_thank(*, donation, actor, note, now=None):
    """The fundraiser's owner thanks a donor by e-mail, once per donation."""
    donation = (
        Donation.objects.select_for_update(of=("self",)).select_related("fundraiser", "campaign").get(pk=donation.pk)
    )
    if donation.fundraiser is None or donation.fundraiser.owner_id != actor.pk:
        raise FundraisingError(_("Only the fundraiser's owner may thank its donors."))
    if donation.status != Donation.Status.SUCCEEDED or not donation.donor_email:
        raise FundraisingError(_("This donor cannot be thanked by e-mail."))
    if donation.thanked_at:
        return donation
    notifications.donation_thank(donation=donation, note=note.strip())
    donation.thanked_at = now or timezone.now()
    donation.save(update_fields=["thanked_at", "updated_at"])
    return donation

"""What fundraising forgets when a person deletes their account (registered in FundraisingConfig.ready()).

Gifts keep their amounts, dates and totals and lose the donor's name, e-mail and message; a fundraiser
stays under "a former supporter", or is hidden when its community asks for that.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.models import Community
from fundraising.models import (
    Donation,
    DonorConsent,
    DonorConsentRecord,
    Fundraiser,
    ProviderEvent,
    Subscription,
    SubscriptionCharge,
    Team,
)
from fundraising.selectors import public_body_key
from members.services import personal_data_section, personal_text, retention_rule, user_anonymiser


@user_anonymiser(covers=["fundraising.Donation", "fundraising.ProviderEvent"])
def donations_anonymise(*, departing):
    """The person's gifts, made signed in or under their e-mail, keep the money and lose the person.

    All of them get one pseudonymous donor key, so campaign donor counts do not change.
    """
    gifts = Donation.objects.filter(Q(user=departing.user) | Q(donor_email__iexact=departing.email))
    ProviderEvent.objects.filter(donation__in=gifts.values("pk")).update(payload={})
    gifts.update(
        user=None,
        donor_name="",
        donor_email="",
        donor_key=f"former:{departing.token}",
        message="",
        anonymous=True,
    )


@user_anonymiser(covers=["fundraising.Subscription", "fundraising.SubscriptionCharge"])
def subscriptions_stop(*, departing):
    """The person's monthly gifts stop at once (no month is charged again, nobody is e-mailed) and lose
    the donor's name, e-mail and saved payment method; the months already paid stay as gifts."""
    theirs = Subscription.objects.filter(Q(user=departing.user) | Q(donor_email__iexact=departing.email))
    now = timezone.now()
    SubscriptionCharge.objects.filter(
        subscription__in=theirs.values("pk"), status=SubscriptionCharge.Status.DUE
    ).update(status=SubscriptionCharge.Status.CANCELLED)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The donor deleted their account.")
    theirs.exclude(status=Subscription.Status.CANCELLED).update(
        status=Subscription.Status.CANCELLED, cancelled_at=now, cancel_reason=reason, next_charge_at=None
    )
    theirs.update(
        user=None,
        donor_name="",
        donor_email="",
        donor_key=f"former:{departing.token}",
        payment_method_id="",
        payment_customer_id="",
        card_label="",
    )


@user_anonymiser(covers=["fundraising.DonorConsent", "fundraising.DonorConsentRecord"])
def donor_consents_forget(*, departing):
    """What the person agreed to receive as a donor (reports, statements), and every answer, under their e-mail."""
    key = departing.email.strip().lower()
    DonorConsent.objects.filter(donor_key=key).delete()
    DonorConsentRecord.objects.filter(donor_key=key).delete()


@user_anonymiser(covers=["fundraising.Fundraiser", "fundraising.Team", "fundraising.Campaign"])
def fundraisers_release(*, departing):
    """The owner's fundraisers lose their owner; in communities that chose so, they are hidden too.

    Teams they captained and campaigns they created stay without them (their links are set to null).
    """
    owned = Fundraiser.objects.filter(owner=departing.user)
    hide = owned.filter(
        campaign__community__departed_fundraisers=Community.DepartedFundraisers.HIDE,
        status=Fundraiser.Status.ACTIVE,
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The owner deleted their account.")
    hide.update(status=Fundraiser.Status.HIDDEN, hidden_reason=reason, hidden_at=timezone.now())
    keys = [
        public_body_key("fundraiser", pk, lang)
        for pk in owned.values_list("pk", flat=True)
        for lang, _n in settings.LANGUAGES
    ]
    owned.update(owner=None)
    cache.delete_many(keys)


@retention_rule
def expired_gifts(*, now):
    """Gifts never paid (cancelled while pending) lose the donor's name, e-mail and message
    EXPIRED_GIFT_RETENTION_DAYS after they were started; amount and dates stay."""
    cutoff = now - timedelta(days=settings.EXPIRED_GIFT_RETENTION_DAYS)
    never_paid = Donation.objects.filter(
        status=Donation.Status.CANCELLED, succeeded_at__isnull=True, created_at__lt=cutoff
    ).exclude(donor_email="", donor_name="", message="")
    ProviderEvent.objects.filter(donation__in=never_paid.values("pk")).update(payload={})
    key = Concat(Value("expired:"), Cast("pk", CharField()))
    return never_paid.update(donor_name="", donor_email="", donor_key=key, message="")


personal_text("fundraising.Fundraiser", "title", "story", "hidden_reason")
personal_text("fundraising.FundraiserUpdate", "title", "body")
personal_text("fundraising.Campaign", "title", "summary", "story")
personal_text("fundraising.CampaignUpdate", "title", "body")
personal_text("fundraising.Team", "name")
personal_text("fundraising.Donation", "donor_name", "message", "dedication_name", "offline_note")
personal_text("fundraising.Refund", "reason", "error")
personal_text("fundraising.DonationChange", "note")
personal_text("fundraising.SandboxPayment", "description")
personal_text("fundraising.ProviderEvent", "payload")


@personal_data_section("donations")
def donations_export(*, user, emails):
    """Gifts made signed in, or under one of the person's verified addresses (as a guest)."""
    gifts = Donation.objects.filter(Q(user=user) | Q(donor_email__in=emails) | Q(donor_key__in=emails))
    return [
        {
            "campaign": d.campaign.title,
            "fundraiser": d.fundraiser.title if d.fundraiser else None,
            "amount": str(d.amount),
            "currency": d.currency,
            "status": d.status,
            "name": d.donor_name,
            "email": d.donor_email,
            "anonymous": d.anonymous,
            "message": d.message,
            "message_private": d.message_private,
            "shared_with_owner": d.share_with_owner,
            "dedication": d.dedication_name,
            "refunded": str(d.refunded_amount),
            "created_at": d.created_at.isoformat(),
            "succeeded_at": d.succeeded_at.isoformat() if d.succeeded_at else None,
        }
        for d in gifts.select_related("campaign", "fundraiser").order_by("created_at", "pk")
    ]


@personal_data_section("fundraisers")
def fundraisers_export(*, user, emails):
    """The person's fundraisers with their updates."""
    owned = Fundraiser.objects.filter(owner=user).select_related("campaign", "team").prefetch_related("updates")
    return [
        {
            "title": f.title,
            "campaign": f.campaign.title,
            "team": f.team.name if f.team else None,
            "story": f.story,
            "goal": str(f.goal),
            "raised": str(f.raised_amount),
            "status": f.status,
            "created_at": f.created_at.isoformat(),
            "updates": [
                {"title": u.title, "text": u.body, "published_at": u.published_at.isoformat()}
                for u in sorted(f.updates.all(), key=lambda u: u.published_at)
            ],
        }
        for f in owned.order_by("created_at", "pk")
    ]


def _when(moment):
    return moment.isoformat() if moment else None


@personal_data_section("monthly_gifts")
def subscriptions_export(*, user, emails):
    """Monthly gifts started signed in, or under one of the person's verified addresses, with their months."""
    theirs = Subscription.objects.filter(Q(user=user) | Q(donor_email__in=emails) | Q(donor_key__in=emails))
    return [
        {
            "campaign": s.campaign.title,
            "fundraiser": s.fundraiser.title if s.fundraiser else None,
            "amount": str(s.amount),
            "currency": s.currency,
            "day": s.day,
            "status": s.status,
            "name": s.donor_name,
            "email": s.donor_email,
            "anonymous": s.anonymous,
            "card": s.card_label,
            "created_at": _when(s.created_at),
            "started_at": _when(s.started_at),
            "paused_at": _when(s.paused_at),
            "cancelled_at": _when(s.cancelled_at),
            "cancel_reason": s.cancel_reason,
            "next_charge_at": _when(s.next_charge_at),
            "months": [
                {"month": c.period.isoformat()[:7], "status": c.status, "settled_at": _when(c.settled_at)}
                for c in sorted(s.charges.all(), key=lambda c: c.period)
            ],
        }
        for s in theirs.select_related("campaign", "fundraiser")
        .prefetch_related("charges")
        .order_by("created_at", "pk")
    ]


@personal_data_section("teams")
def teams_export(*, user, emails):
    """Teams the person captains."""
    return [
        {"name": t.name, "campaign": t.campaign.title, "raised": str(t.raised_amount), "currency": t.campaign.currency}
        for t in Team.objects.filter(captain=user).select_related("campaign").order_by("pk")
    ]


@personal_data_section("donor_consents")
def donor_consents_export(*, user, emails):
    """What the person agreed to receive as a donor under each verified address, and every answer given."""
    current = DonorConsent.objects.filter(donor_key__in=emails).order_by("donor_key")
    answers = DonorConsentRecord.objects.filter(donor_key__in=emails).order_by("recorded_at", "pk")
    return [
        {
            "email": c.email,
            "reports": c.reports,
            "statements": c.statements,
            "language": c.language,
            "answers": [
                {"kind": a.kind, "granted": a.granted, "source": a.source, "recorded_at": a.recorded_at.isoformat()}
                for a in answers
                if a.donor_key == c.donor_key
            ],
        }
        for c in current
    ]

"""Campaigns, fundraisers, teams and donations.

Totals on Campaign, Team and Fundraiser are denormalised for O(1) pages. Only
fundraising.services.payments moves them, in the same transaction as the donation's status change.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageField

CURRENCIES = [("RUB", "RUB"), ("EUR", "EUR"), ("USD", "USD"), ("GBP", "GBP")]


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class Totals(models.Model):
    """Raised money (succeeded less refunds), distinct donors and counted donations."""

    raised_amount = money_field(_("raised"), default=0, editable=False)
    donor_count = models.PositiveIntegerField(_("donors"), default=0, editable=False)
    donation_count = models.PositiveIntegerField(_("donations"), default=0, editable=False)

    class Meta:
        abstract = True

    @property
    def progress_percent(self):
        """Raised as a whole percentage of the goal, as it is: 267 for a campaign far past its goal."""
        goal = getattr(self, "goal", None)
        if not goal:
            return 0
        return int(self.raised_amount * 100 / goal)

    @property
    def progress_bar_percent(self):
        """The bar's width: full once the goal is reached."""
        return min(100, self.progress_percent)


class Campaign(Totals):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=240, blank=True, help_text=_("One sentence for share cards."))
    story = models.TextField(_("story"), blank=True, help_text=_("Simple formatting and links."))
    cover = UploadedImageField(_("cover image"), upload_to="fundraising/campaigns/", blank=True)
    goal = money_field(_("goal"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default=settings.DEFAULT_CURRENCY)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.DRAFT)
    suggested_amounts = models.JSONField(_("suggested amounts"), default=list, blank=True)
    allow_fundraisers = models.BooleanField(_("supporters may open fundraisers"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gt=0), name="campaign_goal_positive"),
            models.CheckConstraint(condition=Q(raised_amount__gte=0), name="campaign_raised_not_negative"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fundraising:campaign", kwargs={"slug": self.slug})

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class CampaignUpdate(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=now)

    class Meta:
        verbose_name = _("campaign update")
        verbose_name_plural = _("campaign updates")
        ordering = ["-published_at"]

    def __str__(self):
        return self.title


class Team(Totals):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    captain = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    goal = money_field(_("goal"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["-raised_amount", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="team_slug_unique_per_campaign"),
            models.UniqueConstraint(Lower("name"), "campaign", name="team_name_unique_per_campaign"),
            models.CheckConstraint(condition=Q(raised_amount__gte=0), name="team_raised_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fundraising:team", kwargs={"slug": self.campaign.slug, "team": self.slug})


class Fundraiser(Totals):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        HIDDEN = "hidden", _("hidden")
        ENDED = "ended", _("ended")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fundraisers")
    # Empty once the owner deleted their account: the page stays under "a former supporter".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="fundraisers"
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="fundraisers")
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fundraisers",
        verbose_name=_("event"),
    )
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    story = models.TextField(_("story"), blank=True, help_text=_("Simple formatting and links."))
    cover = UploadedImageField(_("image"), upload_to="fundraising/fundraisers/", blank=True)
    goal = money_field(_("goal"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.ACTIVE)
    hidden_reason = models.TextField(_("why it was hidden"), blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        verbose_name = _("fundraiser")
        verbose_name_plural = _("fundraisers")
        ordering = ["-raised_amount", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gt=0), name="fundraiser_goal_positive"),
            models.CheckConstraint(condition=Q(raised_amount__gte=0), name="fundraiser_raised_not_negative"),
        ]
        indexes = [models.Index(fields=["campaign", "status", "-raised_amount"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fundraising:fundraiser", kwargs={"slug": self.slug})

    @property
    def owner_label(self):
        """The owner's name as pages show it; "a former supporter" once they deleted their account."""
        if self.owner is None:
            return _("a former supporter")
        return self.owner.name or self.owner.get_short_name()

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class FundraiserUpdate(models.Model):
    fundraiser = models.ForeignKey(Fundraiser, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=now)

    class Meta:
        verbose_name = _("fundraiser update")
        verbose_name_plural = _("fundraiser updates")
        ordering = ["-published_at"]

    def __str__(self):
        return self.title


def new_idempotency_key():
    return secrets.token_hex(16)


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    class Dedication(models.TextChoices):
        NONE = "", _("no dedication")
        HONOUR = "honour", _("in honour of")
        MEMORY = "memory", _("in memory of")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="donations")
    fundraiser = models.ForeignKey(
        Fundraiser, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="donations")
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    donor_name = models.CharField(_("name"), max_length=150, blank=True)
    donor_email = models.EmailField(_("e-mail"), blank=True)
    # Who counts as one donor: the lower-cased e-mail, or this donation alone when there is none.
    donor_key = models.CharField(max_length=254, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    message = models.TextField(_("message"), max_length=1000, blank=True)
    message_private = models.BooleanField(_("message only for the organisers"), default=False)
    # The fundraiser's owner sees only what the public sees, unless the donor chose to share this.
    share_with_owner = models.BooleanField(_("name and e-mail shared with the fundraiser's owner"), default=False)
    dedication_kind = models.CharField(_("dedication"), max_length=8, choices=Dedication, blank=True, default="")
    dedication_name = models.CharField(_("dedicated to"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_idempotency_key, editable=False)
    offline = models.BooleanField(_("offline"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offline_note = models.CharField(_("note"), max_length=200, blank=True)
    subscription = models.ForeignKey(
        "Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("monthly gift"),
    )
    # The sum of the donation's succeeded refunds (Refund rows), kept here for O(1) totals.
    refunded_amount = money_field(_("refunded"), default=0)
    thanked_at = models.DateTimeField(_("thanked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="donation_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="donation_provider_reference_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "-created_at"]),
            models.Index(fields=["fundraiser", "status", "-created_at"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["donor_key"]),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.get_status_display()})"

    @property
    def public_name(self):
        return "" if self.anonymous else self.donor_name

    # What a peer fundraiser's owner may see: the public fields, plus name and e-mail when shared.
    # A private message and an anonymous donor's identity are for the community's managers only.

    @property
    def owner_name(self):
        return self.donor_name if self.share_with_owner else self.public_name

    @property
    def owner_email(self):
        return self.donor_email if self.share_with_owner else ""

    @property
    def public_message(self):
        return "" if self.message_private else self.message

    @property
    def counts(self):
        """Whether this donation is in the totals: succeeded (or refunded only in part)."""
        return self.status in COUNTED_STATUSES and self.refunded_amount < self.amount

    @property
    def net_amount(self):
        return self.amount - self.refunded_amount if self.status in COUNTED_STATUSES else 0

    @property
    def refundable_amount(self):
        """What a new refund may still return (pending refunds are not subtracted here)."""
        return self.amount - self.refunded_amount if self.status == self.Status.SUCCEEDED else 0


COUNTED_STATUSES = (Donation.Status.SUCCEEDED, Donation.Status.REFUNDED)


class Refund(models.Model):
    """Money returned to a donor: asked by a manager, made at the provider's dashboard, or a lost chargeback.

    Only a succeeded refund counts; the donation's refunded_amount is the sum of its succeeded refunds.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    class Origin(models.TextChoices):
        MANAGER = "manager", _("by a manager")
        PROVIDER = "provider", _("at the payment provider")
        CHARGEBACK = "chargeback", _("chargeback")

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin, default=Origin.MANAGER)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    error = models.CharField(_("error"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_idempotency_key, editable=False)
    created_at = models.DateTimeField(_("created at"), default=now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Set when the provider reported the refund failed after it had succeeded (it counts no more).
    reversed_at = models.DateTimeField(_("failed after it was made, at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="refund_provider_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.get_state_display()})"


class DonationChange(models.Model):
    """A donation's history: every status change and refund, with who or what caused it."""

    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("checkout")
        CALLBACK = "callback", _("provider's notification")
        RECONCILIATION = "reconciliation", _("reconciliation with the provider")
        EXPIRY = "expiry", _("expiry")
        MANAGER = "manager", _("manager")

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("at"), default=now)
    from_status = models.CharField(_("from"), max_length=10, choices=Donation.Status, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Donation.Status)
    refund = models.ForeignKey(Refund, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The refund failed at the provider after it had counted: its money counts again.
    refund_reversed = models.BooleanField(_("refund failed after it was made"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=Source)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("donation change")
        verbose_name_plural = _("donation changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.donation_id}: {self.from_status} -> {self.to_status}"


class ProviderEvent(models.Model):
    """A provider's callback, recorded once under (provider, event_id) together with its effect."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event"), max_length=200)
    donation = models.ForeignKey(Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), default=now)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")]

    def __str__(self):
        return f"{self.provider}:{self.event_id}"


class SandboxPayment(models.Model):
    """The built-in test provider's own record of a payment, as a real provider keeps one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    reference = models.CharField(max_length=64, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True)
    return_url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    save_card = models.BooleanField(default=False)
    card = models.ForeignKey("SandboxCard", on_delete=models.SET_NULL, null=True, blank=True, related_name="payments")
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("sandbox payment")
        verbose_name_plural = _("sandbox payments")

    def __str__(self):
        return self.reference


class SandboxRefund(models.Model):
    """The sandbox's own record of a refund of one of its payments."""

    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="refunds")
    reference = models.CharField(max_length=64, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    kindred_refund = models.CharField(max_length=64, blank=True)
    # Failed after it was made, as a bank can return a real one (the test page's "make it fail").
    failed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.reference


class DonationDay(models.Model):
    """Counted donations summed per day (in the community's time zone), campaign, fundraiser, team and
    currency: what the dashboard reads instead of every donation. Written only by
    fundraising.services.rollups: with every counted change of a donation, and by its checks and rebuilds."""

    day = models.DateField(_("day"))
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    fundraiser = models.ForeignKey(Fundraiser, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    amount = money_field(_("raised"))
    donations = models.PositiveIntegerField(_("donations"))
    last_donation_at = models.DateTimeField(_("last donation"))
    refreshed_at = models.DateTimeField(_("refreshed at"), default=now)

    class Meta:
        verbose_name = _("donations of a day")
        verbose_name_plural = _("donations by day")
        ordering = ["-day"]
        constraints = [
            # One row per day and combination; no fundraiser or no team counts as one value (0).
            models.UniqueConstraint(
                "day",
                "campaign",
                Coalesce("fundraiser", 0),
                Coalesce("team", 0),
                "currency",
                name="donation_day_unique",
            )
        ]
        indexes = [
            models.Index(fields=["community", "day"]),
            models.Index(fields=["day"]),
            # The organisation's top fundraisers and teams of a year read these alone (index-only scans).
            models.Index(
                fields=["day", "fundraiser", "currency", "amount", "donations", "last_donation_at"],
                condition=Q(fundraiser__isnull=False),
                name="donation_day_fundraisers",
            ),
            models.Index(
                fields=["day", "team", "currency", "amount", "donations"],
                condition=Q(team__isnull=False),
                name="donation_day_teams",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.amount} {self.currency}"


class CampaignDay(models.Model):
    """DonationDay summed per campaign (without fundraisers and teams): a few rows per campaign and day,
    for the dashboard's totals, money over time and money by campaign. Written with DonationDay."""

    day = models.DateField(_("day"))
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    amount = money_field(_("raised"))
    donations = models.PositiveIntegerField(_("donations"))

    class Meta:
        verbose_name = _("campaign's donations of a day")
        verbose_name_plural = _("campaigns' donations by day")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["day", "campaign", "currency"], name="campaign_day_unique")]
        indexes = [models.Index(fields=["community", "day"]), models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.amount} {self.currency}"


class Subscription(models.Model):
    """A donor's monthly gift: charged on `day` of each month with the payment method saved by the first
    payment. Each charge is an ordinary Donation (with its attribution), one SubscriptionCharge per month.
    Only fundraising.services.subscriptions writes it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the first payment")
        ACTIVE = "active", _("active")
        PAST_DUE = "past_due", _("past due")
        PAUSED = "paused", _("paused")
        CANCELLED = "cancelled", _("cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="subscriptions")
    fundraiser = models.ForeignKey(
        Fundraiser, on_delete=models.PROTECT, null=True, blank=True, related_name="subscriptions"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="subscriptions")
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    day = models.PositiveSmallIntegerField(_("day of the month"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    donor_name = models.CharField(_("name"), max_length=150, blank=True)
    donor_email = models.EmailField(_("e-mail"))
    donor_key = models.CharField(max_length=254, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="subscriptions"
    )
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    provider = models.CharField(_("provider"), max_length=20)
    payment_method_id = models.CharField(_("saved payment method"), max_length=200, blank=True)
    payment_customer_id = models.CharField(_("customer at the provider"), max_length=200, blank=True)
    card_label = models.CharField(_("card"), max_length=60, blank=True)
    card_expires_on = models.DateField(_("card expires"), null=True, blank=True)
    # The month (its first day) whose charge opens next, and when it opens.
    next_period = models.DateField(_("next month charged"), null=True, blank=True)
    next_charge_at = models.DateTimeField(_("next charge"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("past due since"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it stopped"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("monthly gift")
        verbose_name_plural = _("monthly gifts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subscription_amount_positive"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="subscription_day_in_month"),
        ]
        indexes = [
            models.Index(fields=["status", "next_charge_at"]),
            models.Index(fields=["donor_key"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} / {self.day} ({self.get_status_display()})"

    @property
    def is_live(self):
        """Still giving or able to give again (not waiting for a first payment, not stopped)."""
        return self.status in (self.Status.ACTIVE, self.Status.PAST_DUE, self.Status.PAUSED)


class SubscriptionCharge(models.Model):
    """One month of a monthly gift: charged once, retried after failures. The unique (subscription, period)
    is what keeps two beats or a restarted worker from charging a month twice."""

    class Status(models.TextChoices):
        DUE = "due", _("due")
        PROCESSING = "processing", _("being charged")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not charged")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="charges")
    period = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DUE)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The donor pays this attempt on the provider's page (first payment, new card) rather than off-session.
    via_checkout = models.BooleanField(default=False)
    donation = models.ForeignKey(Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    failure_count = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("monthly charge")
        verbose_name_plural = _("monthly charges")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period"], name="subscription_charge_once_per_period")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"{self.subscription_id} {self.period:%Y-%m} ({self.status})"

    @property
    def provider_key(self):
        """The idempotency key the provider gets for this attempt: the same attempt never charges twice."""
        return f"kindred-sub-{self.subscription_id}-{self.period:%Y%m}-{self.attempts}"


class SandboxCard(models.Model):
    """A test card the sandbox saved at a first monthly payment; `fails` makes later charges fail."""

    token = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4, default="4242")
    expires_on = models.DateField()
    fails = models.BooleanField(_("later charges fail"), default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("sandbox card")
        verbose_name_plural = _("sandbox cards")

    def __str__(self):
        return f"•••• {self.last4}"


class DonorConsent(models.Model):
    """What a donor (one e-mail, with or without an account) agreed to receive: the monthly reports on
    the campaigns they give to, and their annual statement each January. The current answers; every
    answer given is kept in DonorConsentRecord."""

    donor_key = models.CharField(max_length=254, unique=True)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    reports = models.BooleanField(_("monthly reports"), default=False)
    statements = models.BooleanField(_("annual statement by e-mail"), default=False)
    updated_at = models.DateTimeField(_("updated at"), default=now)

    class Meta:
        verbose_name = _("donor's consent")
        verbose_name_plural = _("donors' consents")
        indexes = [
            models.Index(fields=["reports"], condition=Q(reports=True), name="donorconsent_reports"),
            models.Index(fields=["statements"], condition=Q(statements=True), name="donorconsent_statements"),
        ]

    def __str__(self):
        return self.email


class DonorConsentRecord(models.Model):
    """One answer a donor gave, where they were asked (giving, their donor page, an e-mail's link)."""

    class Kind(models.TextChoices):
        REPORTS = "reports", _("monthly reports")
        STATEMENTS = "statements", _("annual statement by e-mail")

    donor_key = models.CharField(max_length=254, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind)
    granted = models.BooleanField()
    source = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("donor's consent record")
        verbose_name_plural = _("donors' consent records")

    def __str__(self):
        return f"{self.donor_key} {self.kind} {self.granted}"

import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageField
from members.models import TIME_ZONE_CHOICES


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("waiting for approval")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        COMPLETED = "completed", _("completed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("anyone with the link")
        MEMBERS = "members", _("community members only")

    class Format(models.TextChoices):
        OFFLINE = "offline", _("in person")
        ONLINE = "online", _("online")

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="events", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=False)
    description = models.TextField(_("description"), blank=True, help_text=_("Simple formatting and links."))
    cover = UploadedImageField(_("cover image"), upload_to="events/covers/", blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default=settings.TIME_ZONE)
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.OFFLINE)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("For example, the café's name."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True, help_text=_("Shown only to people who registered."))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True, help_text=_("Empty means unlimited."))
    registration_deadline = models.DateTimeField(_("registration closes"), null=True, blank=True)
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="hosted_events", verbose_name=_("hosts"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(_("who can see it"), max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    reminders_enabled = models.BooleanField(
        _("send reminders"), default=True, help_text=_("E-mail registered people before the start.")
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="event_slug_unique_per_community"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def is_online(self):
        return self.format == self.Format.ONLINE

    @property
    def is_open_status(self):
        return self.status == self.Status.PUBLISHED

    @property
    def map_url(self):
        """An OpenStreetMap search for the address: works on every phone without a third-party script."""
        from urllib.parse import urlencode

        query = self.address or self.place
        if self.is_online or not query:
            return ""
        return "https://www.openstreetmap.org/search?" + urlencode({"query": query})


class RegistrationQuestion(models.Model):
    """A host's extra question on the registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("short text")
        CHOICE = "choice", _("choice")
        YES_NO = "yes_no", _("yes or no")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True, help_text=_("For a choice: the options."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("did not come")

    # Statuses that hold a place at the event (or held one: attendance is counted against capacity).
    SEATED = (Status.CONFIRMED, Status.ATTENDED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.CONFIRMED)
    position = models.PositiveIntegerField(
        _("waitlist position"), null=True, blank=True, help_text=_("Lower goes first when a place frees up.")
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    # A guest's answer to "remind me before the event", asked unticked (members have their consent).
    guest_reminders = models.BooleanField(_("guest asked for reminders"), default=False)
    # A guest's language, for e-mails sent later by a worker (members have theirs on the account).
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The e-mail the place was taken with, lower case (the member's or the guest's): one place per
    # e-mail per event, whether the person registered signed in or as a guest.
    email_key = models.CharField(max_length=254, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False) & ~Q(status="cancelled"),
                name="registration_one_active_per_user",
            ),
            models.UniqueConstraint(
                "event",
                Lower("guest_email"),
                condition=Q(user__isnull=True) & ~Q(guest_email="") & ~Q(status="cancelled"),
                name="registration_one_active_per_guest_email",
            ),
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=~Q(email_key="") & ~Q(status="cancelled"),
                name="registration_one_active_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "position"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self):
        return f"{self.display_name} → {self.event}"

    @property
    def display_name(self):
        if self.user_id:
            return self.user.name or self.user.email
        return self.guest_name or self.guest_email

    @property
    def email(self):
        return self.user.email if self.user_id else self.guest_email

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def has_seat(self):
        return self.status in self.SEATED

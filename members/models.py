import zoneinfo
from email.utils import make_msgid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageField
from members.phones import phone_normalise

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. E-mail is the login; one `name` field, as people write it."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default=settings.TIME_ZONE)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    bio = models.TextField(_("about me"), blank=True)
    avatar = UploadedImageField(_("photo"), upload_to="avatars/", blank=True)
    # Current consents; every change is also kept in ConsentRecord with its time.
    consent_news = models.BooleanField(_("news and calls to action"), default=False)
    consent_reminders = models.BooleanField(_("event reminders"), default=True)
    consent_reports = models.BooleanField(_("monthly reports"), default=False)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log into the admin site and see organisation pages.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Two-factor sign-in: when it becomes required (staff, managers), and whether an app is set up
    # (kept in step with allauth.mfa's authenticators by members.signals). Read on every request, so
    # nothing else is queried to enforce it.
    mfa_due_at = models.DateTimeField(_("two-factor sign-in required from"), null=True, blank=True)
    mfa_enabled = models.BooleanField(_("two-factor sign-in on"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    def clean(self):
        """Phones are kept as E.164 whichever way they were typed (see members.phones)."""
        super().clean()
        try:
            self.phone = phone_normalise(self.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


def new_message_id():
    """A globally unique RFC 5322 Message-ID (with its angle brackets) for one ledger row."""
    return make_msgid(domain=settings.MESSAGE_ID_DOMAIN)


class OutboundMessage(models.Model):
    """The ledger of every e-mail Kindred sends.

    A row is written, under its unique key, before a worker sends it: the key makes a repeated
    request a no-op, and the row survives a lost task so a sweep can queue it again. A worker claims
    it (queued → sending, with a lease) before handing it to the mail server; every send of the row
    carries the same Message-ID, so a resend after a crash is recognisable as the same message.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent: opted out")

    class Category(models.TextChoices):
        """What the message is for; all but transactional ones follow the person's consents."""

        TRANSACTIONAL = "transactional", _("account and service messages")
        NEWS = "news", _("news and calls to action")
        REMINDERS = "reminders", _("event reminders")
        REPORTS = "reports", _("reports and check-ins")

    key = models.CharField(_("key"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category, default=Category.TRANSACTIONAL)
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    template = models.CharField(_("template"), max_length=100)
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Small text files sent with the message, e.g. an event's .ics: [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # While "sending": until when the worker that claimed it holds it; after that the sweep takes it up.
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True, default=new_message_id, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["community", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"


class ConsentRecord(models.Model):
    """Each time a person gives or withdraws a consent, as the law on personal data asks."""

    class Kind(models.TextChoices):
        NEWS = "news", _("news and calls to action")
        REMINDERS = "reminders", _("event reminders")
        REPORTS = "reports", _("monthly reports")
        PERSONAL_DATA = "personal_data", _("processing of personal data")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    # Set when the choice is about one community's messages only (CommunityPreference).
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("consent"), max_length=16, choices=Kind)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded at"), default=now)
    source = models.CharField(_("source"), max_length=40, blank=True, help_text=_("sign-up, profile, import, link"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["user", "kind", "-recorded_at"])]

    def __str__(self):
        return f"{self.user} {self.kind}={self.granted}"


class CommunityPreference(models.Model):
    """A person's choice for one community: may its messages of one category reach them.

    A message of that category from that community goes out only when the person's own consent
    (User.consent_*) is given and no preference here says no; every change is also a ConsentRecord.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_preferences")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("messages"), max_length=16, choices=OutboundMessage.Category)
    allowed = models.BooleanField(_("allowed"))
    recorded_at = models.DateTimeField(_("recorded at"), default=now)

    class Meta:
        verbose_name = _("community preference")
        verbose_name_plural = _("community preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "community", "category"], name="community_preference_unique")
        ]

    def __str__(self):
        return f"{self.user} {self.community_id} {self.category}={self.allowed}"


class Activity(models.Model):
    """One thing a person did (or that happened to them) in a community.

    Every app writes here through members.services.activity_record; the member timeline,
    engagement scores and the dashboard read it.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        REMOVED = "removed", _("was removed")
        ROLE_CHANGED = "role_changed", _("role changed")
        REQUESTED = "requested", _("asked to join")
        INVITED = "invited", _("was invited")
        IMPORTED = "imported", _("was imported")
        CONTACTED = "contacted", _("was contacted")
        NOTE = "note", _("note")
        TAGGED = "tagged", _("was tagged")
        MESSAGED = "messaged", _("was sent a message")
        REGISTERED = "registered", _("registered for an event")
        ATTENDED = "attended", _("attended an event")
        NO_SHOW = "no_show", _("did not come to an event")
        HOSTED = "hosted", _("hosted an event")
        DONATED = "donated", _("donated")
        FUNDRAISER_OPENED = "fundraiser_opened", _("opened a fundraiser")
        REPLIED = "replied", _("replied to a check-in")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="activities", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("who did it, when not the person themselves"),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["community", "user", "-occurred_at"]),
            models.Index(fields=["community", "-occurred_at"]),
            models.Index(fields=["user", "-occurred_at"]),
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.occurred_at:%Y-%m-%d}"


class JobRun(models.Model):
    """One run of a periodic task (those in the beat schedule), written by members.jobs."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCESS = "success", _("succeeded")
        FAILURE = "failure", _("failed")

    task = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    started_at = models.DateTimeField(_("started at"), default=now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome, default=Outcome.RUNNING)
    result = models.CharField(_("result"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["task", "-started_at"]),
            models.Index(fields=["task", "outcome", "-started_at"]),
        ]

    def __str__(self):
        return f"{self.task} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class JobNote(models.Model):
    """Something a periodic check found and repaired (a payment Kindred had missed, a total that drifted),
    shown to staff on the jobs page next to the job that found it."""

    task = models.CharField(_("task"), max_length=200)
    # What kind of note it is (members.jobs.JOB_NOTE_TEXTS): its text is made from `data` when shown,
    # in the reader's language. Notes of no kind show `message`.
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    message = models.CharField(_("what was found and done"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=now)

    class Meta:
        verbose_name = _("job note")
        verbose_name_plural = _("job notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["task", "-created_at"])]

    def __str__(self):
        return f"{self.task}: {self.message or self.kind}"


class AuditEntry(models.Model):
    """Who did something a careful organisation must be able to account for, and when.

    Written by the services that do it (members.services.audit_record); staff read it at /staff/audit/.
    `summary` names no person: the people involved are linked (and unlinked when they are deleted).
    """

    class Action(models.TextChoices):
        DATA_EXPORTED = "data_exported", _("downloaded their personal data")
        PERSON_VIEWED = "person_viewed", _("viewed a person's details")
        LIST_DOWNLOADED = "list_downloaded", _("downloaded a list of people or gifts")
        ROLE_CHANGED = "role_changed", _("changed a role")
        REFUNDED = "refunded", _("refunded a gift")
        ACCOUNT_DELETED = "account_deleted", _("deleted an account")
        IMPORTED = "imported", _("imported people")
        BULK_MESSAGE = "bulk_message", _("sent a message to many people")

    occurred_at = models.DateTimeField(_("when"), default=now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("what"), max_length=20, choices=Action)
    community = models.ForeignKey(
        "communities.Community", verbose_name=_("community"), on_delete=models.SET_NULL, null=True, blank=True
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(_("object"), max_length=80, blank=True, help_text=_("model label and id"))
    summary = models.CharField(_("details"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["action", "-occurred_at"]), models.Index(fields=["community", "-occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

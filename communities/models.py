import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageField
from members.models import TIME_ZONE_CHOICES


def new_token():
    return secrets.token_urlsafe(32)


class Community(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEERS = "volunteers", _("volunteer movement")
        PATIENTS = "patients", _("patient community")
        DONORS = "donors", _("donor club")
        TRUSTEES = "trustees", _("trustee board")
        TEAM = "team", _("team")
        OTHER = "other", _("other")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("anyone can join")
        APPROVAL = "approval", _("a manager approves requests")
        INVITATION = "invitation", _("by invitation only")

    class DepartedFundraisers(models.TextChoices):
        """What happens to a supporter's fundraisers when they delete their account."""

        KEEP = "keep", _('stay open under "a former supporter"')
        HIDE = "hide", _("are hidden")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.VOLUNTEERS)
    description = models.TextField(_("description"), blank=True, help_text=_("Simple formatting and links."))
    cover = UploadedImageField(_("cover image"), upload_to="communities/covers/", blank=True, max_bytes=5 * 1024 * 1024)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    join_policy = models.CharField(_("join policy"), max_length=12, choices=JoinPolicy, default=JoinPolicy.OPEN)
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default=settings.TIME_ZONE)
    departed_fundraisers = models.CharField(
        _("fundraisers of people who delete their account"),
        max_length=8,
        choices=DepartedFundraisers,
        default=DepartedFundraisers.KEEP,
        help_text=_("Their donations and totals stay either way; only the name goes."),
    )
    lapsed_after_days = models.PositiveSmallIntegerField(
        _("lapsed after (days)"), default=60, help_text=_("A member with no activity for this long is lapsed.")
    )
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communities:detail", kwargs={"slug": self.slug})


class Tag(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        # "Волонтёр" and "волонтёр" are one tag.
        constraints = [models.UniqueConstraint(Lower("name"), "community", name="tag_unique_per_community")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person in a community. A pending membership is a join request."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("manager")
        HOST = "host", _("host")
        MEMBER = "member", _("member")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACTIVE = "active", _("active")
        LEFT = "left", _("left")
        REMOVED = "removed", _("removed")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        INVITATION = "invitation", _("invitation")
        IMPORT = "import", _("import")
        EVENT = "event", _("event")

    class Stage(models.TextChoices):
        NEW = "new", _("new")
        CONTACTED = "contacted", _("contacted")
        ACTIVE = "active", _("active")
        LAPSED = "lapsed", _("lapsed")

    class Level(models.TextChoices):
        CORE = "core", _("core")
        CONTRIBUTOR = "contributor", _("contributor")
        PARTICIPANT = "participant", _("participant")
        OBSERVER = "observer", _("observer")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.SIGNUP)
    stage = models.CharField(_("onboarding stage"), max_length=10, choices=Stage, default=Stage.NEW)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), default=now)
    message = models.TextField(_("message to the managers"), blank=True)
    # A member asking to become a host (to propose and run events); managers decide on the requests page.
    host_requested_at = models.DateTimeField(_("asked to host"), null=True, blank=True)
    host_request_message = models.TextField(_("why they want to host"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="memberships", verbose_name=_("tags"))
    # Recomputed in batches by members.tasks.engagement_refresh; never per request.
    engagement_score = models.FloatField(_("engagement score"), default=0)
    engagement_level = models.CharField(_("engagement"), max_length=12, choices=Level, default=Level.OBSERVER)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="membership_unique")]
        indexes = [
            models.Index(fields=["community", "status", "role"]),
            models.Index(fields=["community", "stage"]),
            models.Index(fields=["community", "engagement_level"]),
            models.Index(fields=["community", "last_activity_at"]),
            models.Index(fields=["community", "joined_at"]),
        ]

    def __str__(self):
        return f"{self.user} in {self.community}"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_manager(self):
        return self.is_active and self.role == self.Role.MANAGER


class Invitation(models.Model):
    """A personal, single-use invitation sent to one e-mail address."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role, default=Membership.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    message = models.TextField(_("personal note"), blank=True)
    created_at = models.DateTimeField(_("sent at"), default=now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and community; accepted or revoked ones stay as history.
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.community}"

    def get_absolute_url(self):
        return reverse("communities:invitation", kwargs={"token": self.token})


class InviteLink(models.Model):
    """A shareable link that lets several people join, up to a limit and until a date."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invite_links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    max_uses = models.PositiveIntegerField(_("use limit"), default=50)
    uses = models.PositiveIntegerField(_("used"), default=0)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        verbose_name = _("invite link")
        verbose_name_plural = _("invite links")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(uses__lte=models.F("max_uses")), name="invite_link_uses")]

    def __str__(self):
        return f"{self.community} link ({self.uses}/{self.max_uses})"

    def get_absolute_url(self):
        return reverse("communities:invite_link", kwargs={"token": self.token})


class Announcement(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=now)
    recipients = models.PositiveIntegerField(_("e-mailed to"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["community", "-published_at"])]

    def __str__(self):
        return self.title

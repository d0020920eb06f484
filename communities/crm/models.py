"""What a manager knows about each person: the contact log, and CSV imports of people."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership


class ContactLog(models.Model):
    """A manager's record of contact with a member: a call, a meeting, a message or a note."""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        MEETING = "meeting", _("meeting")
        MESSAGE = "message", _("message")
        NOTE = "note", _("note")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("reached")
        NO_ANSWER = "no_answer", _("no answer")
        LEFT_MESSAGE = "left_message", _("left a message")
        CALL_BACK = "call_back", _("asked to call back")
        NOT_INTERESTED = "not_interested", _("not interested")
        NONE = "", _("—")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="contacts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.CALL)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True, default="")
    note = models.TextField(_("note"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged at"), default=now)

    class Meta:
        db_table = "communities_contactlog"  # made in the communities app; the table keeps its name
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["membership", "-created_at"]),
            models.Index(fields=["follow_up_on"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.membership}"


class MemberImport(models.Model):
    """A CSV of people uploaded into a community: previewed, then run by a worker."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("waiting for confirmation")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    content = models.TextField(_("CSV content"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("added existing"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "communities_memberimport"  # made in the communities app; the table keeps its name
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} → {self.community}"

    @property
    def percent(self):
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

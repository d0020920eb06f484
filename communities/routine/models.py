"""The manager's routine: the check-in queue, onboarding e-mails and calls to action."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership


class CheckinEntry(models.Model):
    """One reason to contact one member, in the community's check-in queue.

    Written in batches by communities.routine.services.checkins; `ref` names the occurrence (the event
    hosted, the contact whose follow-up is due...), so a done entry never comes back for the same
    occurrence and a refresh run twice adds nothing.
    """

    class Reason(models.TextChoices):
        NEW_MEMBER = "new_member", _("joined recently and nobody has called yet")
        LAPSED = "lapsed", _("has just lapsed")
        HOST = "host", _("hosts an upcoming event")
        FUNDRAISER_STALLED = "fundraiser_stalled", _("no donations to their fundraiser for two weeks")
        FUNDRAISER_GOAL = "fundraiser_goal", _("their fundraiser reached its goal")
        FOLLOW_UP = "follow_up", _("a follow-up is due")
        REPLIED = "replied", _("answered the weekly check-in")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="checkin_entries")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="checkin_entries")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    ref = models.CharField(max_length=80)
    details = models.JSONField(_("details"), default=dict, blank=True)
    due_on = models.DateField(_("due on"))
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("added at"), default=now)

    class Meta:
        db_table = "communities_checkinentry"  # made in the communities app; the table keeps its name
        verbose_name = _("check-in queue entry")
        verbose_name_plural = _("check-in queue")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "reason", "ref"], name="checkin_entry_once_per_occurrence")
        ]
        indexes = [models.Index(fields=["community", "done_at", "due_on"])]

    def __str__(self):
        return f"{self.membership}: {self.get_reason_display()}"


class OnboardingStep(models.Model):
    """A community's own text for one onboarding e-mail; communities without one get the defaults."""

    class Week(models.IntegerChoices):
        FIRST = 1, _("week 1: how to take part")
        SECOND = 2, _("week 2: how to open a fundraiser")
        FOURTH = 4, _("week 4: upcoming events")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="onboarding_steps")
    week = models.PositiveSmallIntegerField(_("week"), choices=Week)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    subject_ru = models.CharField(_("subject (Russian)"), max_length=200)
    body_en = models.TextField(_("text (English)"), help_text=_("Simple formatting and links."))
    body_ru = models.TextField(_("text (Russian)"), help_text=_("Simple formatting and links."))
    enabled = models.BooleanField(_("send this e-mail"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "communities_onboardingstep"  # made in the communities app; the table keeps its name
        verbose_name = _("onboarding e-mail")
        verbose_name_plural = _("onboarding e-mails")
        ordering = ["community", "week"]
        constraints = [models.UniqueConstraint(fields=["community", "week"], name="onboarding_step_unique")]

    def __str__(self):
        return f"{self.community}: week {self.week}"


class CallToAction(models.Model):
    """A manager's call to action (a mobilisation) sent to all members or a directory segment."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="calls_to_action")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Simple formatting and links."))
    button_label = models.CharField(_("button label"), max_length=60)
    link = models.URLField(_("link for details"), blank=True)
    segment = models.JSONField(_("segment"), default=list, blank=True, help_text=_("directory filters"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=now)

    class Meta:
        db_table = "communities_calltoaction"  # made in the communities app; the table keeps its name
        verbose_name = _("call to action")
        verbose_name_plural = _("calls to action")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self):
        return self.title


class CallToActionResponse(models.Model):
    """One recipient of a call to action: the e-mail, the first click on its link, the "I'm in"."""

    call = models.ForeignKey(CallToAction, on_delete=models.CASCADE, related_name="responses")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="call_responses")
    message = models.ForeignKey(
        "members.OutboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened the link"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        db_table = "communities_calltoactionresponse"  # made in the communities app; the table keeps its name
        verbose_name = _("call to action recipient")
        verbose_name_plural = _("call to action recipients")
        constraints = [models.UniqueConstraint(fields=["call", "membership"], name="call_response_once")]

    def __str__(self):
        return f"{self.call} → {self.membership}"

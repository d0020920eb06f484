import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Membership
from events.models import TIME_ZONE_CHOICES, Event, RegistrationQuestion
from members.forms import REMINDERS_MEANS
from members.models import User


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    """Times are typed in the event's own time zone (the one chosen in the form)."""

    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    registration_deadline = forms.DateTimeField(
        label=_("Registration closes"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=_("Empty: registration stays open until the start."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    hosts = forms.ModelMultipleChoiceField(
        label=_("Hosts"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The community's hosts and managers who run the event with you."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "starts_at",
            "ends_at",
            "timezone",
            "format",
            "place",
            "address",
            "online_url",
            "capacity",
            "registration_deadline",
            "visibility",
            "hosts",
            "reminders_enabled",
            "cover",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "format": forms.RadioSelect}

    def __init__(self, *args, community=None, choose_hosts=False, **kwargs):
        super().__init__(*args, **kwargs)
        community = community or (self.instance.community if self.instance.pk else None)
        if choose_hosts and community is not None:
            self.fields["hosts"].queryset = User.objects.filter(
                memberships__community=community,
                memberships__status=Membership.Status.ACTIVE,
                memberships__role__in=[Membership.Role.HOST, Membership.Role.MANAGER],
            ).order_by("name", "email")
        else:
            del self.fields["hosts"]
        self.fields["format"].widget = forms.Select(choices=Event.Format.choices)
        zone_name = (self.instance.pk and self.instance.timezone) or (community.timezone if community else None)
        if zone_name:
            self.fields["timezone"].initial = zone_name
        if self.instance.pk:
            # Show the stored times as wall-clock times in the event's zone.
            zone = self.instance.zone
            for name in ("starts_at", "ends_at", "registration_deadline"):
                value = getattr(self.instance, name)
                if value:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def _zone(self):
        try:
            return zoneinfo.ZoneInfo(self.cleaned_data.get("timezone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def clean(self):
        cleaned = super().clean()
        zone = self._zone()
        for name in ("starts_at", "ends_at", "registration_deadline"):
            value = cleaned.get(name)
            if isinstance(value, datetime):
                # The browser sends a wall-clock time; read it in the event's zone, not the viewer's.
                cleaned[name] = timezone.make_aware(value.replace(tzinfo=None), zone)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        deadline = cleaned.get("registration_deadline")
        if deadline and ends and deadline > ends:
            self.add_error("registration_deadline", _("Registration must close before the event ends."))
        if cleaned.get("format") == Event.Format.ONLINE and not cleaned.get("online_url"):
            self.add_error("online_url", _("An online event needs its link."))
        if cleaned.get("format") == Event.Format.OFFLINE and not (cleaned.get("place") or cleaned.get("address")):
            self.add_error("address", _("Say where people meet."))
        return cleaned

    def event_fields(self):
        data = dict(self.cleaned_data)
        if not data.get("cover"):
            data.pop("cover", None)
        if "hosts" in data:
            data["hosts"] = list(data["hosts"])
        return data


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Answer"), choices=RegistrationQuestion.Kind.choices)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_("For a choice: one option per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Message to the people registered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def answer_fields(questions):
    """Form fields for the event's custom questions, named by question id."""
    fields = {}
    for question in questions:
        name = f"q_{question.pk}"
        if question.kind == RegistrationQuestion.Kind.CHOICE:
            choices = [("", "—")] + [(c, c) for c in question.choices]
            fields[name] = forms.ChoiceField(label=question.label, choices=choices, required=question.required)
        elif question.kind == RegistrationQuestion.Kind.YES_NO:
            choices = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
            fields[name] = forms.ChoiceField(label=question.label, choices=choices, required=question.required)
        else:
            fields[name] = forms.CharField(label=question.label, max_length=500, required=question.required)
    return fields


class RegistrationForm(forms.Form):
    """A member's registration: only the custom questions, if the event has any."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields.update(answer_fields(self.questions))

    def answers(self):
        return {str(q.pk): self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}


class GuestRegistrationForm(RegistrationForm):
    guest_name = forms.CharField(label=_("Your name"), max_length=150)
    guest_email = forms.EmailField(label=_("E-mail"), help_text=_("We send the confirmation here."))
    guest_reminders = forms.BooleanField(
        label=_("Remind me before the event"), required=False, help_text=REMINDERS_MEANS
    )

    field_order = ["guest_name", "guest_email", "guest_reminders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)

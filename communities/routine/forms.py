from django import forms
from django.utils.translation import gettext_lazy as _

from communities.crm.models import ContactLog
from communities.routine.models import OnboardingStep
from config.sanitize import MultiLineField, SingleLineField
from members.models import OutboundMessage

OUTCOMES = [(value, label) for value, label in ContactLog.Outcome.choices if value]


class LogCallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES)
    note = MultiLineField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_on = forms.DateField(
        label=_("Call again on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(label=_("Snooze until"), widget=forms.DateInput(attrs={"type": "date"}))


class AssignForm(forms.Form):
    manager = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", _("Nobody"))] + [(m.pk, str(m)) for m in managers]


class ReplyNoteForm(forms.Form):
    note = MultiLineField(
        label=_("Anything you would like to tell us? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OnboardingStepForm(forms.ModelForm):
    class Meta:
        model = OnboardingStep
        fields = ["enabled", "subject_en", "body_en", "subject_ru", "body_ru"]
        widgets = {"body_en": forms.Textarea(attrs={"rows": 6}), "body_ru": forms.Textarea(attrs={"rows": 6})}


STATUS_CHOICES = [("", _("All"))] + list(OutboundMessage.Status.choices)


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("State"), choices=STATUS_CHOICES, required=False)
    q = SingleLineField(label=_("Recipient"), required=False, max_length=200)
    # One sending of the grouped list (its template, subject and day), to see its recipients.
    template = forms.CharField(required=False, max_length=100)
    subject = forms.CharField(required=False, max_length=250)
    day = forms.DateField(required=False)

    def sending(self):
        """{"template", "subject", "day"} of the chosen sending, or None."""
        data = self.cleaned_data
        if data.get("template") and data.get("day"):
            return {"template": data["template"], "subject": data.get("subject", ""), "day": data["day"]}
        return None

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())


class CallToActionForm(forms.Form):
    title = SingleLineField(label=_("Title"), max_length=200)
    body = MultiLineField(
        label=_("Text"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text, or simple HTML: paragraphs, bold, lists and links."),
    )
    button_label = SingleLineField(label=_("Button label"), max_length=60, initial=_("I'm in"))
    link = forms.URLField(
        label=_("Link for details"), required=False, help_text=_("Optional: shown next to the button.")
    )

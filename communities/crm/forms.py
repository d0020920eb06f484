"""Forms of the member directory and the member page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.crm.imports import MAX_BYTES
from communities.crm.models import ContactLog
from communities.models import Tag


class ContactLogForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=ContactLog.Kind.choices,
        initial=ContactLog.Kind.CALL,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("— not applicable —")), *[c for c in ContactLog.Outcome.choices if c[0]]],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the community's managers see notes."),
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class TagAddForm(forms.Form):
    name = forms.CharField(
        label=_("Tag"),
        max_length=Tag._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "kd-tag-names"}),
    )


class DirectoryMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text. Each person receives it by e-mail, addressed to them by name."),
    )


def add_service_errors(form, error):
    """Show a service's CrmInputError next to the fields it names (or at the top)."""
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Up to 5 MB. Save your spreadsheet as CSV (comma or semicolon separated)."),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files and import them one by one.")
            )
        return upload

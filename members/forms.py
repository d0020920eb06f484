from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageFormField
from config.sanitize import SingleLineField
from members.models import TIME_ZONE_CHOICES, User
from members.phones import phone_normalise


def supported_language(code):
    """The site language closest to `code` ('ru-RU' -> 'ru'), else the default."""
    codes = {c for c, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0]
    return code if code in codes else settings.LANGUAGE_CODE


# What each consent means, said the same way wherever it is asked (unticked every time).
NEWS_MEANS = _(
    "Your communities' news, calls to help when they are needed, and a few e-mails in your first weeks in a community."
)
REMINDERS_MEANS = _("A reminder before an event you registered for.")
REPORTS_MEANS = _("Monthly reports on what was raised and done, and weekly check-ins from your community's managers.")


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = SingleLineField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    personal_data = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        help_text=_("Kindred keeps your name, e-mail and what you do in communities to run them. Required by law."),
        error_messages={"required": _("Without this consent we cannot create your account.")},
    )

    news = forms.BooleanField(label=_("News and calls to action"), required=False, help_text=NEWS_MEANS)
    reminders = forms.BooleanField(label=_("Event reminders"), required=False, help_text=REMINDERS_MEANS)
    reports = forms.BooleanField(label=_("Reports and check-ins"), required=False, help_text=REPORTS_MEANS)

    field_order = ["name", "email", "password1", "password2", "personal_data", "news", "reminders", "reports"]

    def signup(self, request, user):
        from members import services
        from members.models import ConsentRecord

        user.name = self.cleaned_data["name"].strip()
        user.language = supported_language(translation.get_language())
        user.save(update_fields=["name", "language"])
        services.consent_record(user=user, kind=ConsentRecord.Kind.PERSONAL_DATA, granted=True, source="sign-up")
        choices = {category: self.cleaned_data.get(category, False) for category in ("news", "reminders", "reports")}
        services.consents_given(user=user, choices=choices, source="sign-up")


class ProfileForm(forms.ModelForm):
    """The account page: who you are, how we speak to you, what we may send you."""

    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    # A phone's photo as it is (a few MB): it is stored re-encoded and small (config/images.py).
    avatar = UploadedImageFormField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    avatar_remove = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = User
        fields = [
            "name",
            "phone",
            "city",
            "bio",
            "language",
            "timezone",
            "consent_news",
            "consent_reminders",
            "consent_reports",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "bio": _("A few words for the managers and members of your communities. Plain text."),
            "consent_news": _("News of your communities and calls to help when they are needed."),
            "consent_reminders": _("Reminders before events you registered for."),
            "consent_reports": _("Once a month: what was raised and done."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bio"].max_length = 2000
        limit = settings.IMAGE_UPLOAD_MAX_BYTES / 1024 / 1024
        self.fields["avatar"].help_text = _("JPEG, PNG, WebP or GIF, up to %(limit)s MB.") % {
            "limit": f"{limit:.1f}".removesuffix(".0")
        }

    def clean_phone(self):
        return phone_normalise(self.cleaned_data["phone"])

    def clean_bio(self):
        bio = self.cleaned_data["bio"]
        if len(bio) > 2000:
            raise forms.ValidationError(_("Please keep it under 2,000 characters."))
        return bio

    @property
    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be deleted for good."),
        error_messages={"required": _("Tick this box to confirm.")},
    )

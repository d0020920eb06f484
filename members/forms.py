from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import TIME_ZONE_CHOICES, User


def supported_language(code):
    """The site language closest to `code` ('ru-RU' -> 'ru'), else the default."""
    codes = {c for c, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0]
    return code if code in codes else settings.LANGUAGE_CODE


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.name = self.cleaned_data["name"].strip()
        user.language = supported_language(translation.get_language())
        user.save(update_fields=["name", "language"])


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]

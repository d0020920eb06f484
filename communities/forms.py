from django import forms
from django.contrib.auth import password_validation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership
from communities.services.community import RESERVED_SLUGS
from members.forms import NEWS_MEANS, REPORTS_MEANS
from members.models import User

ROLE_CHOICES = [(value, capfirst(label)) for value, label in Membership.Role.choices]


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "name",
            "slug",
            "kind",
            "description",
            "cover",
            "visibility",
            "join_policy",
            "timezone",
            "departed_fundraisers",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        labels = {
            "name": _("Name of the community"),
            "slug": _("Address"),
            "kind": _("Kind"),
            "description": _("Description"),
            "cover": _("Cover image"),
            "visibility": _("Who can see it"),
            "join_policy": _("Who can join"),
            "timezone": _("Time zone"),
            "departed_fundraisers": _("When a supporter deletes their account, their fundraisers"),
        }
        help_texts = {
            "slug": _("The community's address: /c/<slug>/. Leave empty to make one from the name."),
            "description": _("Plain text, or simple HTML: paragraphs, bold, lists and links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["departed_fundraisers"].required = False

    def clean_departed_fundraisers(self):
        # Optional on the form: an older client that does not send it keeps what is set.
        value = self.cleaned_data.get("departed_fundraisers")
        return value or self.instance.departed_fundraisers or Community.DepartedFundraisers.KEEP

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved. Choose another one."))
        return slug


class JoinConsentsForm(forms.Form):
    """Asked, unticked, on joining: may this community e-mail its news and its reports and check-ins."""

    news = forms.BooleanField(label=_("Send me this community's news"), required=False, help_text=NEWS_MEANS)
    reports = forms.BooleanField(
        label=_("Send me this community's reports and check-ins"), required=False, help_text=REPORTS_MEANS
    )

    def choices(self):
        return {category: self.cleaned_data.get(category, False) for category in ("news", "reports")}


class JoinRequestForm(JoinConsentsForm):
    field_order = ["message", "news", "reports"]
    message = forms.CharField(
        label=_("A message to the managers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, how you would like to help."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Membership.Role.MEMBER)
    message = forms.CharField(
        label=_("Personal note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteLinkForm(forms.Form):
    max_uses = forms.IntegerField(label=_("How many people can use it"), min_value=1, max_value=10000, initial=50)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=30)


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, or simple HTML: paragraphs, bold, lists and links."),
    )


class GiveRoleForm(forms.Form):
    email = forms.EmailField(label=_("Member's e-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Membership.Role.HOST)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class InvitationSignUpForm(forms.Form):
    """The short sign-up on an invitation: the address is the invitation's, so only name and password."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )

    # The same consent and wording as the ordinary sign-up (members.forms.SignupForm).
    personal_data = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        help_text=_("Kindred keeps your name, e-mail and what you do in communities to run them. Required by law."),
        error_messages={"required": _("Without this consent we cannot create your account.")},
    )
    consent_news = forms.BooleanField(
        label=_("News of your communities and calls to help when they are needed."), required=False
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email, name=self.data.get("name", "")))
        return password

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership
from communities.services.community import RESERVED_SLUGS
from members.models import User


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name", "slug", "kind", "description", "cover", "visibility", "join_policy", "timezone"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "slug": _("The community's address: /c/<slug>/. Leave empty to make one from the name."),
            "description": _("Plain text, or simple HTML: paragraphs, bold, lists and links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved. Choose another one."))
        return slug


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("A message to the managers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, how you would like to help."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
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
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.HOST)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class InvitationSignUpForm(forms.Form):
    """The short sign-up on an invitation: the address is the invitation's, so only name and password."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email, name=self.data.get("name", "")))
        return password

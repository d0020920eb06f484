"""Forms validate what people type; services decide. Amounts are parsed by fundraising.money."""

from decimal import Decimal

from babel.numbers import format_decimal
from django import forms
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from config.images import UploadedImageFormField
from config.sanitize import MultiLineField, SingleLineField
from fundraising.models import CURRENCIES, Campaign, Donation, Team
from fundraising.money import MAX_AMOUNT, AmountError, amount_parse, currency_symbol

MARKDOWN_HELP = _(
    "Write as in a message: an empty line starts a new paragraph, links work as they are, "
    "lines starting with “- ” become a list (Markdown formatting is understood)."
)


def _locale():
    return "ru" if (translation.get_language() or "en").startswith("ru") else "en"


class AmountField(forms.CharField):
    """An amount typed in the page's language ("1,500.50", "1 500,50 ₽"), cleaned to a Decimal.

    Reading follows fundraising.money.amount_parse; an initial Decimal is shown the page's way.
    """

    def __init__(self, *, minimum="0.01", maximum=MAX_AMOUNT, currency=None, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        self.currency = currency  # ISO 4217 code; another currency typed ("$5" on a rouble page) is refused
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": "30"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise forms.ValidationError(_("Enter an amount as a number, like 500 or 500.50."))
        try:
            return amount_parse(
                value,
                minimum=self.minimum,
                maximum=self.maximum,
                expected_currency=self.currency,
                language=translation.get_language() or "en",
            )
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def currency_set(self, currency):
        """Amounts are in ``currency`` (ISO 4217): shown next to the box and the only one accepted."""
        self.currency = currency
        self.suffix = currency_symbol(currency)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_decimal(value, format="#,##0.##", locale=_locale())
        return value


DAY_CHOICES = [(str(d), str(d)) for d in range(1, 32)]


class GiveForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("once", _("Once")), ("monthly", _("Monthly"))],
        initial="once",
        required=False,  # a form posted without it (older pages, scripts) gives once
        widget=forms.RadioSelect,
    )
    day = forms.TypedChoiceField(
        label=_("Day of the month"),
        choices=DAY_CHOICES,
        coerce=int,
        required=False,
        help_text=_("Later months are charged on this day (the last day in shorter months)."),
    )
    preset = forms.ChoiceField(label=_("Amount"), required=False, widget=forms.RadioSelect)
    amount = SingleLineField(
        label=_("Other amount"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    name = SingleLineField(
        label=_("Your name"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail for the receipt"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    anonymous = forms.BooleanField(label=_("Give anonymously (your name is not shown on the page)"), required=False)
    message = MultiLineField(
        label=_("Message (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    message_private = forms.BooleanField(
        label=_("Only the organisers may read my message"),
        required=False,
        help_text=_("The community's managers read it; the page and the fundraiser's owner do not show it."),
    )
    share_with_owner = forms.BooleanField(
        label=_("Share my name and e-mail with the person who runs this fundraiser"),
        required=False,
        help_text=_("So they can thank you in person. Without this they see only what the page shows."),
    )
    dedication_kind = forms.ChoiceField(
        label=_("Dedicate this gift"), choices=Donation.Dedication.choices, required=False
    )
    dedication_name = SingleLineField(label=_("In honour or memory of"), max_length=150, required=False)

    reports = forms.BooleanField(
        label=_("Send me a monthly report on the campaigns I give to"),
        required=False,
        help_text=_("What was raised and done, once a month. You can stop it from any report."),
    )
    statements = forms.BooleanField(
        label=_("E-mail me a statement of my gifts each January"),
        required=False,
        help_text=_("A PDF of the year's gifts with our legal details, for a tax deduction."),
    )

    def __init__(self, *args, campaign, fundraiser=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if fundraiser is None:
            del self.fields["share_with_owner"]
        # Reports are asked of every visitor (recorded under their e-mail) and of a signed-in donor who
        # has not agreed to them yet (recorded as the account's consent).
        if user is not None and user.is_authenticated and user.consent_reports:
            del self.fields["reports"]
        self.fields["preset"].choices = [(a, a) for a in campaign.suggested_amounts]
        self.fields["amount"].suffix = currency_symbol(campaign.currency)

    def clean(self):
        data = super().clean()
        typed = (data.get("amount") or "").strip()
        raw = typed or data.get("preset")
        if not raw:
            self.add_error("amount", _("Choose an amount or type your own."))
        else:
            # A typed amount is read the page's way; a suggested one is stored as "1500.00".
            language = (translation.get_language() or "en") if typed else None
            try:
                data["value"] = amount_parse(raw, expected_currency=self.campaign.currency, language=language)
            except AmountError as exc:
                self.add_error("amount", str(exc))
        if data.get("dedication_kind") and not (data.get("dedication_name") or "").strip():
            self.add_error("dedication_name", _("Whom is the gift dedicated to?"))
        if not data.get("anonymous") and not (data.get("name") or "").strip():
            self.add_error("name", _("Tell us your name, or give anonymously."))
        if data.get("frequency") == "monthly" and not data.get("day"):
            self.add_error("day", _("Choose the day of the month for your monthly gift."))
        return data


class DonorFindForm(forms.Form):
    email = forms.EmailField(
        label=_("The e-mail you gave with"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class DonorConsentsForm(forms.Form):
    reports = forms.BooleanField(
        label=_("A monthly report on the campaigns I give to"),
        required=False,
        help_text=_("What was raised and done, once a month."),
    )
    statements = forms.BooleanField(
        label=_("My annual statement by e-mail each January"),
        required=False,
        help_text=_("A PDF of the year's gifts with our legal details, for a tax deduction."),
    )


class SubscriptionChangeForm(forms.Form):
    amount = forms.CharField(
        label=_("Monthly amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    day = forms.TypedChoiceField(label=_("Day of the month"), choices=DAY_CHOICES, coerce=int)


class CampaignForm(forms.ModelForm):
    goal = AmountField(label=_("Goal"), minimum="1")
    suggested = SingleLineField(
        label=_("Suggested amounts"),
        required=False,
        help_text=_("Up to six amounts in the campaign's currency, separated by spaces."),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "summary",
            "story",
            "cover",
            "currency",
            "goal",
            "starts_on",
            "ends_on",
            "status",
            "allow_fundraisers",
        ]
        help_texts = {"story": MARKDOWN_HELP, "goal": _("In the campaign's currency, chosen above.")}
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = CURRENCIES
        if self.instance.status != Campaign.Status.ENDED:
            # Ending has its own button, which also writes to the donors.
            self.fields["status"].choices = [c for c in Campaign.Status.choices if c[0] != Campaign.Status.ENDED]
        if self.instance.pk:
            self.fields["suggested"].initial = " ".join(self.instance.suggested_amounts)
            if self.instance.donation_count:
                self.fields["goal"].currency_set(self.instance.currency)

    def service_data(self):
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["suggested_amounts"] = self.cleaned_data["suggested"].replace(";", " ").split()
        return data


class FundraiserForm(forms.Form):
    title = SingleLineField(label=_("Title"), max_length=160)
    goal = AmountField(label=_("Goal"), minimum="1")
    story = MultiLineField(
        label=_("Your story"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Why this matters to you."),
    )
    cover = UploadedImageFormField(label=_("Image"), required=False)

    def __init__(self, *args, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].currency_set(currency)
        self.fields["story"].help_text = format_lazy("{} {}", self.fields["story"].help_text, MARKDOWN_HELP)


class FundraiserOpenForm(FundraiserForm):
    team = forms.ModelChoiceField(
        label=_("Join a team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    team_name = SingleLineField(label=_("Or start a new team"), max_length=120, required=False)
    event = forms.ModelChoiceField(
        label=_("For an event"), queryset=None, required=False, empty_label=_("Not for an event")
    )

    def __init__(self, *args, campaign, events=None, **kwargs):
        super().__init__(*args, currency=campaign.currency, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(campaign=campaign)
        if events is None:
            del self.fields["event"]
        else:
            self.fields["event"].queryset = events


class UpdateForm(forms.Form):
    title = SingleLineField(label=_("Title"), max_length=160)
    body = MultiLineField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP)


class OfflineDonationForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    donor_name = SingleLineField(label=_("Donor's name"), max_length=150, required=False)
    donor_email = forms.EmailField(
        label=_("Donor's e-mail"), required=False, help_text=_("If given, the donor gets a receipt.")
    )
    fundraiser = forms.ModelChoiceField(
        label=_("Credit to a fundraiser"), queryset=None, required=False, empty_label=_("The campaign itself")
    )
    anonymous = forms.BooleanField(label=_("Anonymous on public pages"), required=False)
    note = MultiLineField(label=_("Note (cash at an event, bank transfer…)"), max_length=200, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fundraiser"].queryset = campaign.fundraisers.order_by("title")
        self.fields["amount"].currency_set(campaign.currency)


class OwnerOfflineDonationForm(OfflineDonationForm):
    """What a fundraiser's owner collected in cash or by transfer; credited to their own fundraiser."""

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, campaign=campaign, **kwargs)
        del self.fields["fundraiser"]
        self.fields["note"].label = _("How it came (cash at my birthday, a transfer to my card…)")


class RefundForm(forms.Form):
    amount = AmountField(
        label=_("Amount to refund"),
        required=False,
        help_text=_("Leave empty to refund everything that remains."),
    )
    reason = MultiLineField(label=_("Reason"), max_length=200)

    def __init__(self, *args, currency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if currency:
            self.fields["amount"].currency_set(currency)


class SandboxRefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount to refund"), max_length=30)


class HideForm(forms.Form):
    reason = MultiLineField(
        label=_("Why is it hidden?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The owner receives this by e-mail."),
    )


class ThankForm(forms.Form):
    note = MultiLineField(label=_("Your thank-you note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

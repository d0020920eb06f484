"""The dashboard's period filter: a calendar period, or custom dates."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.insights.selectors import DEFAULT_PERIOD, MAX_DAYS, PERIOD_CHOICES

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or DEFAULT_PERIOD
        if data["period"] != "custom":
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if not start:
            self.add_error("date_from", _("Choose the first day."))
        if not end:
            self.add_error("date_to", _("Choose the last day."))
        for name, day in (("date_from", start), ("date_to", end)):
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a day between 2000 and 2100."))
                return data
        if start and end and start > end:
            self.add_error("date_to", _("The last day must not be before the first."))
        elif start and end and (end - start).days >= MAX_DAYS:
            self.add_error("date_to", _("Choose at most three years."))
        return data

    def period_args(self):
        """Keyword arguments for dashboard.period_for; this month when the input is not valid."""
        if not self.is_valid():
            return {"key": DEFAULT_PERIOD}
        data = self.cleaned_data
        return {"key": data["period"], "date_from": data.get("date_from"), "date_to": data.get("date_to")}

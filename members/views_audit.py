"""The audit log for staff (/staff/audit/): who exported, viewed, downloaded, changed roles, refunded,
deleted, imported or messaged many people; filterable, and downloadable as CSV with the same filters."""

import csv

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community
from members.models import AuditEntry
from members.services import audit_entries


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("everything"))] + AuditEntry.Action.choices,
    )
    actor = forms.CharField(label=gettext_lazy("Who (name or e-mail)"), required=False, max_length=100)
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), required=False, queryset=Community.objects.order_by("name")
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_entries(**{k: v for k, v in filters.items() if v not in (None, "")})


@staff_member_required
def audit_page(request):
    form, entries = _filtered(request)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/audit.html", {"form": form, "page": page, "query": query.urlencode()})


class _Echo:
    def write(self, value):
        return value


@staff_member_required
def audit_csv(request):
    _form, entries = _filtered(request)
    writer = csv.writer(_Echo())
    header = [_("When (UTC)"), _("Who"), _("What"), _("Community"), _("About"), _("Object"), _("Details")]

    def lines():
        yield writer.writerow(header)
        for e in entries.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    e.occurred_at.isoformat(),
                    e.actor.email if e.actor else "",
                    e.get_action_display(),
                    e.community.name if e.community else "",
                    e.person.email if e.person else "",
                    e.target,
                    e.summary,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kindred-audit-{timezone.localdate().isoformat()}.csv"'
    return response

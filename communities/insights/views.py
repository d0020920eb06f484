"""The manager dashboard: a community's (its managers and staff) and the organisation's (staff only),
with every table as CSV under export/<table>.csv and the same period in the address."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.insights.forms import PeriodForm
from communities.insights.selectors import dashboard_build, period_for, scope_zone
from communities.selectors import community_for_manager
from communities.selectors_public import pending_count


def _dashboard(request, community):
    form = PeriodForm(request.GET or None)
    period = period_for(zone=scope_zone(community), **form.period_args())
    return form, dashboard_build(community=community, period=period)


def _context(form, dashboard, request):
    charts = {key: table.chart_data() for key, table in dashboard.tables.items() if table.chart}
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return {"form": form, "dashboard": dashboard, "charts": charts, "query": query}


def _csv(dashboard, table_key, name):
    table = dashboard.tables.get(table_key)
    if table is None:
        raise Http404("No such table.")
    out = io.StringIO()
    writer = csv.writer(out)
    data = table.as_dict()
    writer.writerow(data["columns"])
    writer.writerows(data["rows"])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    period = dashboard.period
    response["Content-Disposition"] = f'attachment; filename="{name}-{table_key}-{period.start}-{period.end}.csv"'
    return response


def _staff_only(user):
    # A 404 as for other communities' pages: the organisation's page is not advertised to others.
    if not user.is_staff:
        raise Http404("No such page.")


@login_required
@require_GET
def community_dashboard(request, slug):
    community = community_for_manager(request.user, slug)
    form, dashboard = _dashboard(request, community)
    context = _context(form, dashboard, request)
    context.update(community=community, tab="dashboard", pending_count=pending_count(community))
    return render(request, "communities/dashboard/community.html", context)


@login_required
@require_GET
def community_dashboard_export(request, slug, table):
    community = community_for_manager(request.user, slug)
    _form, dashboard = _dashboard(request, community)
    return _csv(dashboard, table, community.slug)


@login_required
@require_GET
def organisation_dashboard(request):
    _staff_only(request.user)
    form, dashboard = _dashboard(request, None)
    return render(request, "communities/dashboard/organisation.html", _context(form, dashboard, request))


@login_required
@require_GET
def organisation_dashboard_export(request, table):
    _staff_only(request.user)
    _form, dashboard = _dashboard(request, None)
    return _csv(dashboard, table, "organisation")

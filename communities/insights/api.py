"""The dashboard's figures as JSON: a community's for its managers (and staff), the organisation's for
staff. The same period parameters and the same figures as the pages (communities/dashboard.py)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.crm.selectors import community_for_manager_by_id
from communities.insights.forms import PeriodForm
from communities.insights.selectors import dashboard_build, period_for, scope_zone


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=["week", "month", "quarter", "year", "custom"], required=False, help_text="Default: month."
    )
    date_from = serializers.DateField(required=False, help_text="First day of a custom period (YYYY-MM-DD).")
    date_to = serializers.DateField(required=False, help_text="Last day of a custom period, inclusive.")


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    step = serializers.ChoiceField(choices=["day", "week", "month"], help_text="The step of the series.")


class CardSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text="A count, a percent, or an amount as a decimal string.")
    previous = serializers.JSONField(help_text="The same figure in the previous period; empty when not compared.")
    change_percent = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=["count", "money", "percent"])
    currency = serializers.CharField(allow_blank=True)
    trend = serializers.ListField(child=serializers.JSONField())


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class RecurringSerializer(serializers.Serializer):
    mrr = serializers.DictField(child=serializers.CharField(), help_text="Monthly recurring revenue by currency.")
    active_donors = serializers.IntegerField(help_text="Donors with an active monthly gift.")
    new_donors = serializers.IntegerField(help_text="Donors whose monthly gift started this calendar month.")
    churned = serializers.IntegerField(help_text="Monthly gifts stopped this calendar month.")
    churn_percent = serializers.CharField(help_text="Stopped, as a share of the gifts live on the 1st.")
    failed = serializers.IntegerField(help_text="Failed monthly charge attempts this calendar month.")
    recovered = serializers.IntegerField(help_text="Gifts back to active after a failure this calendar month.")


class DashboardSerializer(serializers.Serializer):
    community = serializers.IntegerField(allow_null=True, help_text="Empty for the organisation.")
    period = PeriodSerializer()
    currency = serializers.CharField(help_text="The currency of the money cards and series.")
    other_currencies = serializers.DictField(child=serializers.CharField(), help_text="Raised in other currencies.")
    cards = CardSerializer(many=True)
    tables = serializers.DictField(child=TableSerializer())
    recurring = RecurringSerializer(allow_null=True, help_text="Monthly giving this calendar month.")


def _period(request, community):
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return period_for(zone=scope_zone(community), **form.period_args())


def _respond(request, community):
    dashboard = dashboard_build(community=community, period=_period(request, community))
    return Response(DashboardSerializer(dashboard.as_dict()).data)


class CommunityDashboard(APIView):
    """A community's dashboard, for its managers and staff; 404 for anyone else."""

    @extend_schema(parameters=[PeriodQuerySerializer], responses=DashboardSerializer)
    def get(self, request, community_pk):
        return _respond(request, community_for_manager_by_id(request.user, community_pk))


class OrganisationDashboard(APIView):
    """The whole organisation's dashboard, for staff; 404 for anyone else."""

    @extend_schema(parameters=[PeriodQuerySerializer], responses=DashboardSerializer)
    def get(self, request):
        if not request.user.is_staff:
            raise Http404("No such page.")
        return _respond(request, None)

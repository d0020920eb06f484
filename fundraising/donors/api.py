"""The API for donors as people: managers read a community's donors and monthly gifts (and stop one);
a donor reads and changes their own through the session their signed link opened (or their account).

Managers' routes answer 404 outside the communities they manage, as the pages do. The donor's routes
answer 403 until a donor link (or a sign-in) has proved an e-mail; their writes check CSRF like a form.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Community
from communities.selectors import communities_managed_by
from fundraising import selectors, services
from fundraising.donors import selectors as donor_selectors
from fundraising.models import Donation, Subscription
from fundraising.views.donor import donor_email


def community_for_manager_by_id(user, community_id):
    """The community with this id if the person manages it (staff: any); NotFound (404) otherwise."""
    managed = Community.objects.all() if user.is_authenticated and user.is_staff else communities_managed_by(user)
    community = managed.filter(pk=community_id).first()
    if community is None:
        raise NotFound("No such community.")
    return community


class DonorRowSerializer(serializers.Serializer):
    donor_key = serializers.CharField()
    email = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    first_gift = serializers.DateTimeField()
    last_gift = serializers.DateTimeField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    gifts = serializers.IntegerField()
    fundraisers = serializers.CharField()
    recurring = serializers.CharField(allow_null=True)


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = [
            "id",
            "campaign",
            "fundraiser",
            "team",
            "amount",
            "currency",
            "day",
            "status",
            "donor_name",
            "donor_email",
            "card_label",
            "card_expires_on",
            "next_charge_at",
            "started_at",
            "paused_at",
            "past_due_since",
            "cancelled_at",
        ]


class GiftSerializer(serializers.ModelSerializer):
    class Meta:
        model = Donation
        fields = [
            "id",
            "campaign",
            "fundraiser",
            "amount",
            "refunded_amount",
            "currency",
            "status",
            "created_at",
            "subscription",
        ]


class DonorList(generics.ListAPIView):
    """A community's donors, one per e-mail and currency; `q`, `recurring` and `sort` as on the page."""

    serializer_class = DonorRowSerializer

    def get_queryset(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        filters = donor_selectors.donor_filters_parse(self.request.query_params)
        return donor_selectors.donors(community=community, filters=filters)


class SubscriptionList(generics.ListAPIView):
    """A community's monthly gifts (not the ones still waiting for a first payment); `status` filters."""

    serializer_class = SubscriptionSerializer

    def get_queryset(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        gifts = Subscription.objects.filter(campaign__community=community).exclude(status=Subscription.Status.PENDING)
        status = self.request.query_params.get("status")
        if status:
            if status not in Subscription.Status.values:
                raise ValidationError({"status": [f"One of {', '.join(Subscription.Status.values)}."]})
            gifts = gifts.filter(status=status)
        return gifts.order_by("-created_at")


class SubscriptionCancel(APIView):
    """A manager stops a monthly gift; the donor is told by e-mail. Stopping it again changes nothing."""

    @extend_schema(request=None, responses=SubscriptionSerializer)
    def post(self, request, community_pk, pk):
        community = community_for_manager_by_id(request.user, community_pk)
        subscription = Subscription.objects.filter(pk=pk, campaign__community=community).first()
        if subscription is None:
            raise NotFound("No such monthly gift here.")
        try:
            subscription = services.subscription_cancel(subscription=subscription, by=request.user)
        except services.FundraisingError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
        return Response(SubscriptionSerializer(subscription).data)


class _DonorSession(APIView):
    permission_classes = [AllowAny]

    def donor(self, request):
        email = donor_email(request)
        if not email:
            raise PermissionDenied("Open the link from a receipt or from “find my gifts” first.")
        return email


class MyGifts(_DonorSession):
    """The donor's own gifts and monthly gifts (by the e-mail their link proved)."""

    @extend_schema(
        responses=inline_serializer(
            "MyGifts", {"gifts": GiftSerializer(many=True), "subscriptions": SubscriptionSerializer(many=True)}
        )
    )
    def get(self, request):
        email = self.donor(request)
        return Response(
            {
                "gifts": GiftSerializer(selectors.donor_gifts(email)[:500], many=True).data,
                "subscriptions": SubscriptionSerializer(selectors.donor_subscriptions(email), many=True).data,
            }
        )


ACTIONS = {
    "pause": services.subscription_pause,
    "resume": services.subscription_resume,
    "cancel": services.subscription_cancel,
}


class MySubscriptionAction(_DonorSession):
    """pause, resume, cancel, or change (`amount`, `day`) one of the donor's monthly gifts."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        SessionAuthentication().enforce_csrf(request)  # a donor session is a cookie: as safe as a form

    @extend_schema(
        request=inline_serializer(
            "SubscriptionChange",
            {"amount": serializers.CharField(required=False), "day": serializers.IntegerField(required=False)},
        ),
        responses=SubscriptionSerializer,
    )
    def post(self, request, pk, action):
        email = self.donor(request)
        subscription = Subscription.objects.filter(pk=pk, donor_key=email).first()
        if subscription is None or action not in (*ACTIONS, "change"):
            raise NotFound("No such monthly gift or action.")
        try:
            if action == "change":
                subscription = services.subscription_change(
                    subscription=subscription,
                    amount=request.data.get("amount"),
                    day=_day(request.data.get("day")),
                    by_email=email,
                )
            else:
                subscription = ACTIONS[action](subscription=subscription, by_email=email)
        except services.AmountInvalid as exc:
            raise ValidationError({"amount": [str(exc)]}) from exc
        except services.FundraisingError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
        return Response(SubscriptionSerializer(subscription).data)


def _day(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"day": ["A day of the month from 1 to 31."]}) from None

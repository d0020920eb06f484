"""Fundraising API: public reads of campaigns, fundraisers, teams and gifts; starting a donation.

Donor e-mails, private messages and anonymous donors' names are included only for the community's
managers (and the donor themselves); a peer fundraiser's owner gets the public fields plus the name
and e-mail of donors who chose to share them; everyone else gets the public fields.
"""

from django.utils import translation
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.sanitize import MultiLineSerializerField, SingleLineSerializerField, render_markdown
from fundraising import selectors, services
from fundraising.models import Campaign, Donation, Fundraiser, Refund, Team
from fundraising.throttle import GiveThrottle

TOTALS = ["raised_amount", "donor_count", "donation_count"]


class StoryHtmlMixin(serializers.Serializer):
    """`story` is the Markdown the author wrote; `story_html` is it rendered and sanitised."""

    story_html = serializers.SerializerMethodField()

    def get_story_html(self, obj) -> str:
        return render_markdown(obj.story)


class CampaignSerializer(StoryHtmlMixin, serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "url",
            "community",
            "title",
            "summary",
            "story",
            "story_html",
            "goal",
            "currency",
            "starts_on",
            "ends_on",
            "status",
            "suggested_amounts",
            "allow_fundraisers",
            *TOTALS,
        ]


class TeamSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "url", "campaign", "name", "goal", *TOTALS]


class FundraiserSerializer(StoryHtmlMixin, serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Fundraiser
        fields = [
            "id",
            "slug",
            "url",
            "campaign",
            "team",
            "event",
            "title",
            "story",
            "story_html",
            "goal",
            "status",
            "owner_name",
            *TOTALS,
        ]

    def get_owner_name(self, obj) -> str:
        return str(obj.owner_label)


class DonationSerializer(serializers.ModelSerializer):
    """Public fields; `donor_email`, a private message and an anonymous name only for those who may see them."""

    donor_name = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    donor_email = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = [
            "id",
            "campaign",
            "fundraiser",
            "team",
            "amount",
            "currency",
            "donor_name",
            "donor_email",
            "anonymous",
            "message",
            "message_private",
            "share_with_owner",
            "dedication_kind",
            "dedication_name",
            "status",
            "offline",
            "refunded_amount",
            "created_at",
            "succeeded_at",
        ]

    def _view(self, obj):
        """Which fields: "full" (the community's managers, the donor), "owner" (the fundraiser's owner) or "public"."""
        campaigns, fundraisers, user_id = self.context.get("private_scope") or (set(), set(), None)
        if obj.campaign_id in campaigns or (user_id and obj.user_id == user_id):
            return "full"
        return "owner" if obj.fundraiser_id in fundraisers else "public"

    def get_donor_name(self, obj) -> str:
        view = self._view(obj)
        return obj.donor_name if view == "full" else obj.owner_name if view == "owner" else obj.public_name

    def get_message(self, obj) -> str:
        return obj.message if self._view(obj) == "full" else obj.public_message

    def get_donor_email(self, obj) -> str | None:
        view = self._view(obj)
        if view == "full":
            return obj.donor_email
        return (obj.owner_email or None) if view == "owner" else None


class DonationStartSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    fundraiser = serializers.IntegerField(required=False, allow_null=True)
    amount = SingleLineSerializerField(max_length=30)
    currency = SingleLineSerializerField(max_length=3, required=False)
    name = SingleLineSerializerField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField()
    anonymous = serializers.BooleanField(default=False)
    message = MultiLineSerializerField(max_length=1000, required=False, allow_blank=True)
    message_private = serializers.BooleanField(default=False)
    share_with_owner = serializers.BooleanField(
        default=False, help_text="Show the donor's name and e-mail to the fundraiser's owner."
    )
    dedication_kind = serializers.ChoiceField(choices=Donation.Dedication.choices, required=False, allow_blank=True)
    dedication_name = SingleLineSerializerField(max_length=150, required=False, allow_blank=True)


class RefundSerializer(serializers.ModelSerializer):
    """A refund as the campaign's managers see it; `state` is what the provider confirmed."""

    class Meta:
        model = Refund
        fields = [
            "id",
            "donation",
            "amount",
            "currency",
            "state",
            "origin",
            "reason",
            "provider",
            "provider_reference",
            "error",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class RefundRequestSerializer(serializers.Serializer):
    """A manager's refund: `amount` like "500.00" (empty: everything that remains), in the gift's currency;
    read the way the request's language writes numbers, as on the pages."""

    amount = serializers.CharField(max_length=30, required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PublicReadMixin:
    permission_classes = [AllowAny]


class CampaignViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_visible_to(self.request.user).order_by("-created_at")


class TeamViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer

    def get_queryset(self):
        campaigns = selectors.campaigns_visible_to(self.request.user).values("pk")
        teams = Team.objects.filter(campaign__in=campaigns).order_by("-raised_amount", "name")
        if campaign := self.request.query_params.get("campaign", "").strip():
            teams = teams.filter(campaign_id=campaign) if campaign.isdigit() else teams.none()
        return teams


class FundraiserViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FundraiserSerializer

    def get_queryset(self):
        fundraisers = selectors.fundraisers_visible_to(self.request.user).order_by("-raised_amount", "pk")
        if campaign := self.request.query_params.get("campaign", "").strip():
            fundraisers = fundraisers.filter(campaign_id=campaign) if campaign.isdigit() else fundraisers.none()
        return fundraisers


class DonationViewSet(PublicReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Gifts: counted public gifts of visible campaigns, plus everything the person may read in full."""

    serializer_class = DonationSerializer

    def get_queryset(self):
        donations = selectors.donations_listed_for(self.request.user).order_by("-created_at", "-pk")
        for field in ("campaign", "fundraiser"):
            if value := self.request.query_params.get(field, "").strip():
                donations = donations.filter(**{f"{field}_id": value}) if value.isdigit() else donations.none()
        return donations

    def get_throttles(self):
        # Starting a gift also counts against the give limit the web form shares.
        throttles = super().get_throttles()
        return [*throttles, GiveThrottle()] if self.action == "create" else throttles

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        if user.is_authenticated:
            campaigns = set(selectors.campaigns_managed_by(user).values_list("pk", flat=True))
            fundraisers = set(Fundraiser.objects.filter(owner=user).values_list("pk", flat=True))
            context["private_scope"] = (campaigns, fundraisers, user.pk)
        return context

    @extend_schema(
        request=DonationStartSerializer,
        responses={
            201: inline_serializer(
                "DonationStarted",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "checkout_url": serializers.CharField(),
                },
            )
        },
    )
    def create(self, request, *args, **kwargs):
        data = DonationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign, fundraiser = self._target(data.validated_data)
        try:
            donation, checkout_url = services.donation_start(
                campaign=campaign,
                fundraiser=fundraiser,
                amount=data.validated_data["amount"],
                currency=data.validated_data.get("currency"),
                donor=data.validated_data,
                user=request.user,
                language=translation.get_language(),
            )
        except services.AmountInvalid as exc:
            raise ValidationError({"amount": [str(exc)]}) from exc
        except services.FundraisingError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        body = {"id": donation.pk, "status": donation.status, "checkout_url": request.build_absolute_uri(checkout_url)}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=RefundRequestSerializer, responses={200: RefundSerializer(many=True), 201: RefundSerializer})
    @action(detail=True, methods=["get", "post"])
    def refunds(self, request, pk=None):
        """The gift's refunds (GET) or a new refund through the provider (POST), for the campaign's managers."""
        donation = self._managed_donation(pk)
        if request.method == "GET":
            return Response(RefundSerializer(donation.refunds.order_by("created_at", "pk"), many=True).data)
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            refund = services.refund_request(
                donation=donation, by=request.user, language=translation.get_language(), **data.validated_data
            )
        except services.AmountInvalid as exc:
            raise ValidationError({"amount": [str(exc)]}) from exc
        except services.FundraisingError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

    def _managed_donation(self, pk):
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        campaigns = selectors.campaigns_managed_by(self.request.user).values("pk")
        donation = (
            Donation.objects.filter(campaign__in=campaigns, pk=pk if str(pk).isdigit() else None)
            .select_related("campaign__community")
            .first()
        )
        if donation is None:
            raise NotFound()
        return donation

    def _target(self, data):
        campaign = selectors.campaigns_visible_to(self.request.user).filter(pk=data["campaign"]).first()
        if campaign is None:
            raise ValidationError({"campaign": ["No such campaign."]})
        fundraiser = None
        if data.get("fundraiser"):
            fundraiser = (
                selectors.fundraisers_visible_to(self.request.user)
                .filter(pk=data["fundraiser"], campaign=campaign, status=Fundraiser.Status.ACTIVE)
                .first()
            )
            if fundraiser is None:
                raise ValidationError({"fundraiser": ["No such fundraiser in this campaign."]})
        return campaign, fundraiser

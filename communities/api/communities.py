"""API for communities, their memberships and invitations: the same rules as the pages.

Anyone may list and read the communities they can see; staff create them; managers change them and
handle their people. A community outside the person's scope is a 404, and so is another community's
membership or invitation id.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from communities import selectors, selectors_public
from communities.models import TIME_ZONE_CHOICES, Community, Invitation, Membership
from communities.services import CommunityError
from communities.services import community as community_services
from communities.services import invitations as invitation_services
from communities.services import membership as membership_services
from config.ratelimit import send_limited_api
from config.sanitize import MultiLineSerializerField, SingleLineSerializerField

COMMUNITY_PK = OpenApiParameter("community_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Community id")


def _run(service, **kwargs):
    """Call a service; a rule it refuses becomes a 400 with the reason."""
    try:
        return service(**kwargs)
    except CommunityError as exc:
        raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from exc


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = SingleLineSerializerField()
    email = serializers.EmailField()


class CommunitySerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, default=None)
    my_status = serializers.CharField(source="viewer_status", read_only=True, default="")
    my_role = serializers.CharField(source="viewer_role", read_only=True, default="")

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "description",
            "cover",
            "visibility",
            "join_policy",
            "timezone",
            "created_at",
            "member_count",
            "my_status",
            "my_role",
        ]
        read_only_fields = fields


class CommunityInputSerializer(serializers.ModelSerializer):
    timezone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)

    class Meta:
        model = Community
        fields = ["name", "slug", "kind", "description", "visibility", "join_policy", "timezone"]
        extra_kwargs = {"slug": {"required": False}}

    def validate_slug(self, value):
        if value in community_services.RESERVED_SLUGS:
            raise serializers.ValidationError("This address is reserved. Choose another one.")
        return value


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "community",
            "user",
            "role",
            "status",
            "source",
            "stage",
            "joined_at",
            "requested_at",
            "message",
        ]
        read_only_fields = fields


class JoinConsentsSerializer(serializers.Serializer):
    news = serializers.BooleanField(default=False, help_text="This community may e-mail its news.")
    reports = serializers.BooleanField(default=False, help_text="This community may e-mail reports and check-ins.")


class JoinSerializer(serializers.Serializer):
    message = MultiLineSerializerField(required=False, allow_blank=True, max_length=2000, default="")
    consents = JoinConsentsSerializer(
        required=False, allow_null=True, help_text="Asked on joining; left out: not asked."
    )


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = PersonSerializer(read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "message", "status", "invited_by", "created_at", "expires_at", "accepted_at"]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        return invitation_services.invitation_status(invitation)


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    message = MultiLineSerializerField(required=False, allow_blank=True, max_length=2000, default="")


class CommunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Communities the person can see. Staff create; managers update; anyone signed in joins or leaves."""

    serializer_class = CommunitySerializer

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors_public.community_list_for(self.request.user)

    def _output(self, community, code=status.HTTP_200_OK):
        return Response(CommunitySerializer(self.get_queryset().get(pk=community.pk)).data, status=code)

    @extend_schema(request=CommunityInputSerializer, responses={201: CommunitySerializer})
    def create(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Only the organisation's staff can create communities.")
        data = _valid(CommunityInputSerializer, request.data)
        community = _run(community_services.community_create, actor=request.user, **data)
        return self._output(community, status.HTTP_201_CREATED)

    @extend_schema(request=CommunityInputSerializer, responses=CommunitySerializer)
    def partial_update(self, request, pk=None):
        community = self.get_object()
        if not selectors.is_manager(request.user, community):
            raise PermissionDenied("Only the community's managers can change it.")
        data = _valid(CommunityInputSerializer, request.data, instance=community, partial=True)
        community = _run(community_services.community_update, community=community, actor=request.user, **data)
        return self._output(community)

    @extend_schema(request=JoinSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """Join (open community) or ask to join (approval); invitation-only communities answer 400."""
        community = self.get_object()
        data = _valid(JoinSerializer, request.data)
        membership = _run(membership_services.membership_join, user=request.user, community=community, **data)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        community = self.get_object()
        membership = _run(membership_services.membership_leave, user=request.user, community=community)
        return Response(MembershipSerializer(membership).data)


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _ManagedCommunityMixin:
    """Nested under /communities/<community_pk>/: only the community's managers (and staff)."""

    def get_community(self):
        if not hasattr(self, "_community"):
            community = get_object_or_404(
                selectors.communities_visible_to(self.request.user), pk=self.kwargs["community_pk"]
            )
            if not selectors.is_manager(self.request.user, community):
                raise Http404("No such community.")
            self._community = community
        return self._community


@extend_schema(parameters=[COMMUNITY_PK])
class MembershipViewSet(
    _ManagedCommunityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A community's memberships, for its managers: change roles, remove people, decide join requests.
    Filter with ?status=pending (or active, left, removed)."""

    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "post", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        queryset = self.get_community().memberships.select_related("user").order_by("-requested_at", "pk")
        wanted = self.request.query_params.get("status")
        return queryset.filter(status=wanted) if wanted in Membership.Status.values else queryset

    @extend_schema(request=RoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request, community_pk=None, pk=None):
        data = _valid(RoleSerializer, request.data)
        membership = _run(
            membership_services.membership_change_role,
            membership=self.get_object(),
            role=data["role"],
            actor=request.user,
        )
        return Response(MembershipSerializer(membership).data)

    def perform_destroy(self, instance):
        _run(membership_services.membership_remove, membership=instance, actor=self.request.user)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, community_pk=None, pk=None):
        membership = _run(membership_services.membership_approve, membership=self.get_object(), actor=request.user)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, community_pk=None, pk=None):
        _run(membership_services.membership_decline, membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[COMMUNITY_PK])
class InvitationViewSet(
    _ManagedCommunityMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A community's invitations, for its managers: send (a new one to the same address replaces
    the open one) and revoke."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return selectors_public.invitations_of(self.get_community())

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request, community_pk=None):
        data = _valid(InvitationInputSerializer, request.data)
        send_limited_api(request, kind="invitation", target=data["email"])
        invitation = _run(
            invitation_services.invitation_send, community=self.get_community(), actor=request.user, **data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, community_pk=None, pk=None):
        invitation = _run(invitation_services.invitation_revoke, invitation=self.get_object(), actor=request.user)
        return Response(InvitationSerializer(invitation).data)

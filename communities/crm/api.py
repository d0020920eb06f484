"""The member directory over the API, for a community's managers (and staff): members and contact logs.

Same scope as the pages: communities.selectors.community_for_manager answers 404 to everyone else.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from communities.crm.models import ContactLog
from communities.crm.selectors import (
    ACTIVITY_CHOICES,
    SORT_CHOICES,
    community_for_manager_by_id,
    directory_filters_parse,
    directory_memberships,
    membership_contacts,
    membership_for_manager,
)
from communities.crm.services import contacts as crm
from communities.models import Membership, Tag
from config.sanitize import MultiLineSerializerField
from members.models import AuditEntry, User
from members.services import audit_record


class DirectoryPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "phone", "city", "bio"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class MemberSerializer(serializers.ModelSerializer):
    user = DirectoryPersonSerializer()
    tags = TagSerializer(many=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "role",
            "status",
            "stage",
            "source",
            "engagement_level",
            "engagement_score",
            "last_activity_at",
            "joined_at",
            "tags",
        ]


class ContactAuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name"]


class ContactSerializer(serializers.ModelSerializer):
    author = ContactAuthorSerializer(allow_null=True)

    class Meta:
        model = ContactLog
        fields = ["id", "kind", "outcome", "note", "follow_up_on", "author", "created_at"]


class ContactInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContactLog.Kind.choices)
    outcome = serializers.ChoiceField(choices=ContactLog.Outcome.choices, required=False, default="")
    note = MultiLineSerializerField(required=False, allow_blank=True, max_length=5000, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


def _choices(choices):
    return [value for value, _label in choices if value]


MEMBER_FILTERS = [
    OpenApiParameter("q", str, description="Search in name, e-mail and phone (case-insensitive)."),
    OpenApiParameter("role", str, many=True, enum=_choices(Membership.Role.choices), explode=True),
    OpenApiParameter("status", str, many=True, enum=_choices(Membership.Status.choices), explode=True),
    OpenApiParameter("stage", str, many=True, enum=_choices(Membership.Stage.choices), explode=True),
    OpenApiParameter("level", str, many=True, enum=_choices(Membership.Level.choices), explode=True),
    OpenApiParameter("tag", int, many=True, explode=True, description="Tag ids; a member with any of them matches."),
    OpenApiParameter(
        "active", str, enum=_choices(ACTIVITY_CHOICES), description="Last activity within days, or never."
    ),
    OpenApiParameter("sort", str, enum=_choices(SORT_CHOICES), description="Order; default by name."),
]
COMMUNITY = OpenApiParameter("community_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Community id")


@extend_schema(parameters=[COMMUNITY, *MEMBER_FILTERS])
class MemberList(generics.ListAPIView):
    """Members of a community, filtered, searched and sorted as on the directory page."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        parsed = directory_filters_parse(self.request.query_params)
        if parsed.errors:
            raise ValidationError({field: [str(m) for m in messages] for field, messages in parsed.errors.items()})
        return directory_memberships(community=community, filters=parsed.filters)


@extend_schema(parameters=[COMMUNITY])
class MemberDetail(generics.RetrieveAPIView):
    """One member of a community."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()

    def get_object(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        membership = membership_for_manager(community=community, membership_id=self.kwargs["pk"])
        audit_record(
            actor=self.request.user,
            action=AuditEntry.Action.PERSON_VIEWED,
            community=community,
            person=membership.user,
            target=membership,
        )
        return membership


@extend_schema(parameters=[COMMUNITY])
class MemberContacts(generics.ListCreateAPIView):
    """A member's contact log (calls, meetings, messages, notes), newest first; POST logs a new one."""

    serializer_class = ContactSerializer

    def _membership(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        return membership_for_manager(community=community, membership_id=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContactLog.objects.none()
        return membership_contacts(membership=self._membership())

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    def post(self, request, *args, **kwargs):
        membership = self._membership()
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            contact = crm.contact_log_create(membership=membership, actor=request.user, **data.validated_data)
        except crm.CrmInputError as error:
            raise ValidationError({field: [str(message)] for field, message in error.errors.items()}) from error
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

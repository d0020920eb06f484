"""The check-in queue and the message centre over the API, for a community's managers (and staff).

Same scope and services as the pages: communities.crm.selectors.community_for_manager_by_id
answers 404 to everyone else, and an entry of another community is not found.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.crm.api import ContactSerializer, DirectoryPersonSerializer
from communities.crm.models import ContactLog
from communities.crm.selectors import community_for_manager_by_id
from communities.crm.services.contacts import CrmInputError
from communities.routine import selectors as selectors_checkins
from communities.routine.forms import MessageFilterForm
from communities.routine.models import CheckinEntry
from communities.routine.services import checkins
from communities.services import CommunityError
from config.sanitize import MultiLineSerializerField
from members.models import OutboundMessage, User

COMMUNITY = OpenApiParameter("community_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Community id")


class AssigneeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name"]


class CheckinEntrySerializer(serializers.ModelSerializer):
    person = DirectoryPersonSerializer(source="membership.user")
    assigned_to = AssigneeSerializer(allow_null=True)

    class Meta:
        model = CheckinEntry
        fields = ["id", "membership", "person", "reason", "details", "due_on", "snoozed_until", "assigned_to"]


class QueueReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckinEntry
        fields = ["id", "reason", "details", "due_on"]


class QueuePersonSerializer(serializers.Serializer):
    """A person in the queue, once, with every reason they are in it for (the page's rows)."""

    id = serializers.IntegerField(
        source="entry.pk", help_text="The first open entry: post actions about the person to it."
    )
    membership = serializers.IntegerField(source="entry.membership_id")
    person = DirectoryPersonSerializer(source="entry.membership.user")
    due_on = serializers.DateField(source="entry.due_on", help_text="When the earliest reason fell due.")
    assigned_to = AssigneeSerializer(source="entry.assigned_to", allow_null=True)
    reasons = QueueReasonSerializer(source="entries", many=True)


class LogCallInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in ContactLog.Outcome.choices if c[0]])
    note = MultiLineSerializerField(required=False, allow_blank=True, max_length=5000, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


class SnoozeInputSerializer(serializers.Serializer):
    until = serializers.DateField()


class AssignInputSerializer(serializers.Serializer):
    manager = serializers.IntegerField(allow_null=True, help_text="A manager's user id; null to unassign.")


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboundMessage
        fields = ["id", "to_email", "user", "subject", "category", "status", "last_error", "created_at", "sent_at"]


@extend_schema(
    parameters=[
        COMMUNITY,
        OpenApiParameter("mine", bool, description="Only the entries assigned to me."),
        OpenApiParameter("q", str, description="Find people by name, e-mail or phone (any format, ё as е)."),
    ]
)
class CheckinQueue(generics.ListAPIView):
    """The community's check-in queue as its page shows it: each person once with all their open reasons,
    who is due first first; never a manager of the community. `count` is of people."""

    serializer_class = QueuePersonSerializer

    def get_queryset(self):
        self.community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        mine = self.request.query_params.get("mine") in ("1", "true")
        q = " ".join(self.request.query_params.get("q", "").replace("\x00", "").split())[:100]
        return selectors_checkins.queue_people(self.community, assigned_to=self.request.user if mine else None, q=q)

    def list(self, request, *args, **kwargs):
        people = self.paginate_queryset(self.get_queryset())
        rows = selectors_checkins.queue_rows(self.community, people)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class _EntryAction(APIView):
    input_serializer = None

    def _entry_and_data(self, request, community_pk, pk):
        community = community_for_manager_by_id(request.user, community_pk)
        entry = selectors_checkins.entry_in(community, pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return entry, data.validated_data


@extend_schema(parameters=[COMMUNITY], request=LogCallInputSerializer, responses={201: ContactSerializer})
class CheckinLogCall(_EntryAction):
    """Log the call: a contact log entry; every open entry about the person is done."""

    input_serializer = LogCallInputSerializer

    def post(self, request, community_pk, pk):
        entry, data = self._entry_and_data(request, community_pk, pk)
        try:
            contact = checkins.checkin_entry_log_call(entry=entry, actor=request.user, **data)
        except CrmInputError as error:
            raise ValidationError({field: [str(message)] for field, message in error.errors.items()}) from error
        except CommunityError as error:
            raise ValidationError({"detail": [str(error)]}) from error
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[COMMUNITY], request=SnoozeInputSerializer, responses={200: CheckinEntrySerializer})
class CheckinSnooze(_EntryAction):
    """Hide the entry until a day after today."""

    input_serializer = SnoozeInputSerializer

    def post(self, request, community_pk, pk):
        entry, data = self._entry_and_data(request, community_pk, pk)
        try:
            entry = checkins.checkin_entry_snooze(entry=entry, until=data["until"], actor=request.user)
        except CommunityError as error:
            raise ValidationError({"until": [str(error)]}) from error
        return Response(CheckinEntrySerializer(entry).data)


@extend_schema(parameters=[COMMUNITY], request=AssignInputSerializer, responses={200: CheckinEntrySerializer})
class CheckinAssign(_EntryAction):
    """Assign the entry to one of the community's managers (or to nobody)."""

    input_serializer = AssignInputSerializer

    def post(self, request, community_pk, pk):
        entry, data = self._entry_and_data(request, community_pk, pk)
        try:
            entry = checkins.checkin_entry_assign(entry=entry, manager_id=data["manager"], actor=request.user)
        except CommunityError as error:
            raise ValidationError({"manager": [str(error)]}) from error
        return Response(CheckinEntrySerializer(entry).data)


class SendingSerializer(serializers.Serializer):
    """One sending: the e-mails of one template and subject on one day (the message centre's rows)."""

    template = serializers.CharField()
    subject = serializers.CharField()
    day = serializers.DateField(
        help_text="In the community's time zone; pass it with template and subject to list them."
    )
    first = serializers.DateTimeField(help_text="When its first e-mail was queued.")
    total = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Not sent: the person turned such e-mails off.")
    queued = serializers.IntegerField()


@extend_schema(parameters=[COMMUNITY])
class CommunitySendings(generics.ListAPIView):
    """The community's e-mails grouped by sending, newest first, with how many were sent, failed or skipped."""

    serializer_class = SendingSerializer

    def get_queryset(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        return selectors_checkins.sendings_of(community, zone=selectors_checkins.community_zone(community))


@extend_schema(
    parameters=[
        COMMUNITY,
        OpenApiParameter("status", str, enum=OutboundMessage.Status.values),
        OpenApiParameter("q", str, description="Part of the recipient's e-mail or name."),
        OpenApiParameter("template", str, description="With subject and day: one sending's recipients."),
        OpenApiParameter("subject", str),
        OpenApiParameter("day", OpenApiTypes.DATE),
    ]
)
class CommunityMessages(generics.ListAPIView):
    """Every e-mail sent in the community's name, newest first (the message centre), or one sending's."""

    serializer_class = MessageSerializer

    def get_queryset(self):
        community = community_for_manager_by_id(self.request.user, self.kwargs["community_pk"])
        form = MessageFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        data = form.cleaned_data
        return selectors_checkins.messages_of(
            community,
            status=data["status"],
            q=data["q"],
            sending=form.sending(),
            zone=selectors_checkins.community_zone(community),
        )

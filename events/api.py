"""Events API: the same rules as the pages. Input serializer -> one service call -> output serializer."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from communities.selectors import communities_visible_to, is_manager
from config.sanitize import MultiLineSerializerField, SingleLineSerializerField
from events import selectors, services
from events.models import TIME_ZONE_CHOICES, Event, Registration
from events.services import EventError


def _domain_error(exc):
    return ValidationError({"detail": [str(exc)]})


class EventSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    online_url = serializers.SerializerMethodField()
    seats_left = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "community",
            "title",
            "slug",
            "description",
            "starts_at",
            "ends_at",
            "timezone",
            "format",
            "place",
            "address",
            "online_url",
            "capacity",
            "seats_left",
            "registration_deadline",
            "status",
            "visibility",
            "url",
        ]
        read_only_fields = fields

    def get_online_url(self, event) -> str:
        # The link is for registered people and those running the event only.
        user = self.context["request"].user
        if not event.is_online or not user.is_authenticated:
            return ""
        if hasattr(event, "viewer_registered"):  # annotated on lists: no query per event
            runs = event.viewer_hosts or event.community_id in self.context["managed_communities"]
            return event.online_url if event.viewer_registered or runs else ""
        if selectors.registration_of(user, event) or selectors.can_manage(user, event):
            return event.online_url
        return ""

    def get_seats_left(self, event) -> int | None:
        return selectors.seats_left(event)

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())


class EventInputSerializer(serializers.Serializer):
    title = SingleLineSerializerField(max_length=200)
    description = MultiLineSerializerField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)
    format = serializers.ChoiceField(choices=Event.Format.choices, required=False)
    place = SingleLineSerializerField(max_length=200, required=False, allow_blank=True)
    address = SingleLineSerializerField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    registration_deadline = serializers.DateTimeField(required=False, allow_null=True)
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices, required=False)
    reminders_enabled = serializers.BooleanField(required=False)


class EventCreateSerializer(EventInputSerializer):
    community = serializers.SlugField(help_text="The community's slug.")
    publish = serializers.BooleanField(required=False, default=False, help_text="Managers only: publish at once.")


class RegistrationSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    email = serializers.EmailField(read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "event", "name", "email", "status", "position", "answers", "created_at", "checked_in_at"]
        read_only_fields = fields


class RegisterInputSerializer(serializers.Serializer):
    answers = serializers.DictField(child=SingleLineSerializerField(allow_blank=True, max_length=500), required=False)


class WalkInSerializer(serializers.Serializer):
    name = SingleLineSerializerField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)


class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Events the person may see. Managers create (and publish) events; hosts propose them."""

    serializer_class = EventSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        events = selectors.events_visible_to(self.request.user).select_related("community")
        events = selectors.with_viewer(selectors.with_counts(events), self.request.user).order_by("starts_at", "pk")
        community = self.request.query_params.get("community")
        if community:
            events = events.filter(community__slug=community)
        return events

    def get_object(self):
        return selectors.event_for_viewer(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["managed_communities"] = selectors.managed_community_ids(self.request.user)
        return context

    @extend_schema(request=EventCreateSerializer, responses={201: EventSerializer})
    def create(self, request):
        data = self._valid(EventCreateSerializer)
        community = communities_visible_to(request.user).filter(slug=data.pop("community")).first()
        if community is None:
            raise ValidationError({"community": ["No such community."]})
        publish = data.pop("publish")
        try:
            if is_manager(request.user, community):
                event = services.event_create(community=community, by=request.user, fields=data, publish=publish)
            else:
                event = services.event_propose(community=community, by=request.user, fields=data)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(self._out(event), status=status.HTTP_201_CREATED)

    @extend_schema(request=EventInputSerializer, responses=EventSerializer)
    def partial_update(self, request, pk=None):
        event = selectors.event_for_viewer(request.user, pk)
        if not selectors.can_manage(request.user, event):
            raise Http404
        data = self._valid(EventInputSerializer, partial=True)
        try:
            event = services.event_update(event=event, by=request.user, fields=data)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(self._out(event))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, pk=kwargs.get("pk"))

    @extend_schema(request=RegisterInputSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Register the signed-in person (on the waitlist when the event is full)."""
        event = self.get_object()
        data = self._valid(RegisterInputSerializer)
        try:
            registration = services.registration_create(event=event, user=request.user, answers=data.get("answers"))
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel_registration(self, request, pk=None):
        """Cancel the signed-in person's registration; the first on the waitlist gets the place."""
        event = self.get_object()
        registration = selectors.registration_of(request.user, event)
        if registration is None:
            raise Http404
        try:
            registration = services.registration_cancel(registration=registration, by=request.user)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=WalkInSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def walk_in(self, request, pk=None):
        """Add someone who came without registering, as present (hosts and managers)."""
        event = self.get_object()
        if not selectors.can_manage(request.user, event):
            raise Http404
        data = self._valid(WalkInSerializer)
        try:
            registration = services.registration_walk_in(event=event, by=request.user, **data)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, event):
        event = selectors.with_counts(Event.objects.filter(pk=event.pk)).select_related("community").get()
        return EventSerializer(event, context=self.get_serializer_context()).data


class RegistrationViewSet(viewsets.ReadOnlyModelViewSet):
    """The person's own registrations and, for hosts and managers, every registration of their events."""

    serializer_class = RegistrationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no signed-in person
            return Registration.objects.none()
        registrations = selectors.registrations_visible_to(self.request.user).select_related("user")
        event = self.request.query_params.get("event")
        if event:
            registrations = registrations.filter(event_id=event) if event.isdigit() else registrations.none()
        return registrations.order_by("-created_at", "pk")

    def _runs(self, registration):
        return selectors.can_manage(self.request.user, registration.event)

    @extend_schema(
        request=None, responses={200: RegistrationSerializer, 400: OpenApiResponse(description="Not allowed now")}
    )
    @action(detail=True, methods=["post"])
    def check_in(self, request, pk=None):
        """Mark the person present (hosts and managers)."""
        registration = self.get_object()
        if not self._runs(registration):
            raise Http404
        try:
            registration = services.registration_check_in(registration=registration, by=request.user)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a registration: one's own, or any of an event one runs."""
        registration = self.get_object()
        if registration.user_id != request.user.pk and not self._runs(registration):
            raise Http404
        try:
            registration = services.registration_cancel(registration=registration, by=request.user)
        except EventError as exc:
            raise _domain_error(exc) from exc
        return Response(RegistrationSerializer(registration).data)

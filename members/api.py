from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from members import services
from members.models import TIME_ZONE_CHOICES, ConsentRecord, User
from members.phones import phone_normalise


class ConsentSerializer(serializers.ModelSerializer):
    # A plain string, so its enum does not collide with other apps' "kind" in the schema.
    kind = serializers.CharField(help_text="news, reminders, reports or personal_data")

    class Meta:
        model = ConsentRecord
        fields = ["kind", "granted", "recorded_at", "source"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    timezone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES)
    phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Any common format; stored and shown as E.164."
    )
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    avatar = serializers.ImageField(read_only=True, use_url=True)
    consents = serializers.SerializerMethodField(help_text="The latest record of each consent, with its time.")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "phone",
            "city",
            "bio",
            "avatar",
            "language",
            "timezone",
            "consent_news",
            "consent_reminders",
            "consent_reports",
            "consents",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "avatar", "is_staff", "date_joined"]

    def validate_phone(self, value):
        try:
            return phone_normalise(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    @extend_schema_field(ConsentSerializer(many=True))
    def get_consents(self, user):
        latest = services.consents_current(user=user)
        return ConsentSerializer(sorted(latest.values(), key=lambda r: r.kind), many=True).data


@extend_schema(request=MeSerializer, responses=MeSerializer)
@api_view(["GET", "PATCH"])
def me(request):
    """The signed-in person's own profile; PATCH changes it, and each consent change is recorded."""
    user = request.user
    if request.method == "PATCH":
        serializer = MeSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.user_update_profile(user=user, changes=dict(serializer.validated_data), source="api")
    return Response(MeSerializer(user, context={"request": request}).data)


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def me_data(request):
    """Everything Kindred keeps about the signed-in person, as on the "Your data" page."""
    return Response(services.user_data_export(user=request.user))

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from members import services
from members.models import TIME_ZONE_CHOICES, User


class MeSerializer(serializers.ModelSerializer):
    timezone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = User
        fields = ["id", "email", "name", "language", "timezone", "is_staff", "date_joined"]
        read_only_fields = ["id", "email", "is_staff", "date_joined"]


@extend_schema(request=MeSerializer, responses=MeSerializer)
@api_view(["GET", "PATCH"])
def me(request):
    """The signed-in person's own account; PATCH changes name, language or time zone."""
    user = request.user
    if request.method == "PATCH":
        serializer = MeSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.user_update_preferences(
            user=user,
            name=data.get("name", user.name),
            language=data.get("language", user.language),
            timezone_name=data.get("timezone", user.timezone),
        )
    return Response(MeSerializer(user).data)

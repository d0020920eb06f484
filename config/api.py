"""The one API router: every app registers its viewsets and views here, under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from events import api as events_api
from members import api as members_api

router = DefaultRouter()
router.register("events", events_api.EventViewSet, basename="event")
router.register("registrations", events_api.RegistrationViewSet, basename="registration")

urlpatterns = [
    path("me/", members_api.me, name="me"),
    path("me/data/", members_api.me_data, name="me-data"),
    *router.urls,
]

"""The one API router: every app registers its viewsets and views here, under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from members import api as members_api

router = DefaultRouter()

urlpatterns = [
    path("me/", members_api.me, name="me"),
    path("me/data/", members_api.me_data, name="me-data"),
    *router.urls,
]

"""The dashboard: /c/<slug>/manage/dashboard/ (included from communities/urls.py) and the
organisation's at /staff/dashboard/ (included from config/urls.py with `organisation_urlpatterns`)."""

from django.urls import path

from communities.insights import views as dashboard

urlpatterns = [
    path("", dashboard.community_dashboard, name="dashboard"),
    path("export/<slug:table>.csv", dashboard.community_dashboard_export, name="dashboard_export"),
]

organisation_urlpatterns = (
    [
        path("", dashboard.organisation_dashboard, name="organisation"),
        path("export/<slug:table>.csv", dashboard.organisation_dashboard_export, name="organisation_export"),
    ],
    "dashboard",
)

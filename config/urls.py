from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from communities.urls_dashboard import organisation_urlpatterns as organisation_dashboard_urls
from communities.views import mobilisation as mobilisation_views
from config import views
from members import views as member_views
from members import views_jobs as member_jobs_views

admin.site.site_header = "Kindred"
admin.site.site_title = "Kindred"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("start/", views.after_sign_in, name="after_sign_in"),
    path("manage/", views.manage_home, name="manage_home"),
    path("i18n/setlang/", member_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("members.urls")),
    path("c/<slug:slug>/manage/import/", include("members.urls_import")),
    path("", include("events.urls")),  # /events/... and /c/<slug>/events/..., before "c/"
    path("", include("fundraising.urls")),
    path("c/", include("communities.urls")),
    path("staff/dashboard/", include(organisation_dashboard_urls)),
    path("staff/jobs/", member_jobs_views.jobs_page, name="staff_jobs"),
    path("go/<str:token>/", mobilisation_views.call_to_action_go, name="call_to_action_go"),
    path("dev/outbox/", member_views.outbox, name="dev_outbox"),
    path("dev/outbox/<int:pk>/", member_views.outbox_message, name="dev_outbox_message"),
    path("dev/outbox/<int:pk>/html/", member_views.outbox_message_html, name="dev_outbox_message_html"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from communities import urls as community_urls
from communities.crm import urls as crm_urls
from communities.insights import urls as insights_urls
from communities.routine import urls as routine_urls
from communities.routine.views import mobilisation as mobilisation_views
from config import views
from members import views as member_views
from members import views_audit as member_audit_views
from members import views_jobs as member_jobs_views

# /c/...: one "communities" namespace for a community's pages, built from the core app and the rooms on
# top of it, so the core never imports them: the member directory (names prefixed directory_) owns
# manage/people/, the manager's routine its check-in, onboarding, message and call pages, the dashboard
# manage/dashboard/.
community_patterns = (
    [
        *community_urls.urlpatterns,
        path("<slug:slug>/manage/people/", include(crm_urls.urlpatterns)),
        *routine_urls.urlpatterns,
        path("<slug:slug>/manage/dashboard/", include(insights_urls.urlpatterns)),
    ],
    "communities",
)

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
    path("c/<slug:slug>/manage/import/", include(crm_urls.import_urlpatterns)),
    path("", include("events.urls")),  # /events/... and /c/<slug>/events/..., before "c/"
    path("", include("fundraising.urls")),
    path("c/", include(community_patterns)),
    path("staff/dashboard/", include(insights_urls.organisation_urlpatterns)),
    path("staff/jobs/", member_jobs_views.jobs_page, name="staff_jobs"),
    path("staff/audit/", member_audit_views.audit_page, name="staff_audit"),
    path("staff/audit/csv/", member_audit_views.audit_csv, name="staff_audit_csv"),
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

handler404 = "config.views.page_not_found"

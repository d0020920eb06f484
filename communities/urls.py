from django.urls import path

from communities.views import manage, public

# Public pages and membership flows first, then manager pages. config/urls.py mounts these under /c/
# in the "communities" namespace together with the directory (communities/crm), the manager's routine
# (communities/routine) and the dashboard (communities/insights).
urlpatterns = [
    path("", public.community_list, name="list"),
    path("new/", public.community_create, name="create"),
    path("invite/<str:token>/", public.invitation, name="invitation"),
    path("join/<str:token>/", public.invite_link, name="invite_link"),
    path("<slug:slug>/", public.community_detail, name="detail"),
    path("<slug:slug>/join/", public.community_join, name="join"),
    path("<slug:slug>/leave/", public.community_leave, name="leave"),
    path("<slug:slug>/host/", public.host_request, name="host_request"),
    path("<slug:slug>/emails/", public.community_preferences, name="preferences"),
    # Manager pages
    path("<slug:slug>/manage/", manage.manage_settings, name="manage"),
    path("<slug:slug>/manage/requests/", manage.manage_requests, name="manage_requests"),
    path(
        "<slug:slug>/manage/requests/<int:pk>/approve/",
        manage.manage_request_decide,
        {"decision": "approve"},
        name="manage_request_approve",
    ),
    path(
        "<slug:slug>/manage/requests/<int:pk>/decline/",
        manage.manage_request_decide,
        {"decision": "decline"},
        name="manage_request_decline",
    ),
    path(
        "<slug:slug>/manage/hosts/<int:pk>/approve/",
        manage.manage_host_decide,
        {"decision": "approve"},
        name="manage_host_approve",
    ),
    path(
        "<slug:slug>/manage/hosts/<int:pk>/decline/",
        manage.manage_host_decide,
        {"decision": "decline"},
        name="manage_host_decline",
    ),
    path("<slug:slug>/manage/invitations/", manage.manage_invitations, name="manage_invitations"),
    path(
        "<slug:slug>/manage/invitations/<int:pk>/revoke/",
        manage.manage_invitation_revoke,
        name="manage_invitation_revoke",
    ),
    path("<slug:slug>/manage/links/", manage.manage_links, name="manage_links"),
    path("<slug:slug>/manage/links/<int:pk>/revoke/", manage.manage_link_revoke, name="manage_link_revoke"),
    path("<slug:slug>/manage/announcements/", manage.manage_announcements, name="manage_announcements"),
    path("<slug:slug>/manage/roles/", manage.manage_roles, name="manage_roles"),
    path("<slug:slug>/manage/roles/<int:pk>/role/", manage.manage_person_role, name="manage_person_role"),
    path("<slug:slug>/manage/roles/<int:pk>/remove/", manage.manage_person_remove, name="manage_person_remove"),
]

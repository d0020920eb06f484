"""The member directory, under /c/<slug>/manage/people/, and the CSV import of members, under
/c/<slug>/manage/import/ (namespace member_import); both mounted in config/urls.py."""

from django.urls import path

from communities.crm.views import directory, imports

urlpatterns = [
    path("", directory.directory_list, name="directory_list"),
    path("export.csv", directory.directory_export, name="directory_export"),
    path("tag/", directory.directory_tag, name="directory_tag"),
    path("message/", directory.directory_message, name="directory_message"),
    path(
        "message/<uuid:message_id>/",
        directory.directory_message_sent,
        name="directory_message_progress",
    ),
    path("<int:membership_id>/", directory.directory_member, name="directory_member"),
    path("<int:membership_id>/contacts/", directory.directory_member_contact, name="directory_member_contact"),
    path("<int:membership_id>/tags/", directory.directory_member_tag_add, name="directory_member_tag_add"),
    path(
        "<int:membership_id>/tags/<int:tag_id>/remove/",
        directory.directory_member_tag_remove,
        name="directory_member_tag_remove",
    ),
]

import_urlpatterns = (
    [
        path("", imports.import_start, name="start"),
        path("<int:pk>/", imports.import_detail, name="detail"),
        path("<int:pk>/progress/", imports.import_progress, name="progress"),
        path("<int:pk>/confirm/", imports.import_confirm, name="confirm"),
        path("<int:pk>/cancel/", imports.import_cancel, name="cancel"),
    ],
    "member_import",
)

"""CSV import of members, mounted at /c/<slug>/manage/import/ (every view takes the community's slug)."""

from django.urls import path

from members import views

app_name = "member_import"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("<int:pk>/cancel/", views.import_cancel, name="cancel"),
]

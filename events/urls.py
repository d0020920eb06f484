"""Event pages. Mounted at the site root (config/urls.py) because they live under two prefixes:
/events/... for an event and /c/<community>/events/... for a community's list, calendar and feed."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    # A community's events.
    path("c/<slug:slug>/events/", views.community_events, name="community"),
    path("c/<slug:slug>/events/calendar/", views.community_calendar, name="community_calendar"),
    path("c/<slug:slug>/events/calendar.ics", views.community_ics, name="community_ics"),
    path("c/<slug:slug>/events/new/", views.event_new, name="new"),
    # One event, for the people coming.
    path("events/mine/", views.my_events, name="mine"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/unregister/", views.event_unregister, name="unregister"),
    path("events/<int:pk>/event.ics", views.event_ics, name="ics"),
    path("events/registration/<str:token>/", views.registration_page, name="registration"),
    # Running it: hosts and managers.
    path("events/<int:pk>/manage/", views.event_manage, name="manage"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/decline/", views.event_decline, name="decline"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>/status/<str:action>/", views.event_status, name="status"),
    path("events/<int:pk>/questions/", views.question_add, name="question_add"),
    path("events/<int:pk>/questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("events/<int:pk>/registrations.csv", views.registrations_csv, name="csv"),
    path(
        "events/<int:pk>/registrations/<int:registration_id>/cancel/",
        views.registration_cancel_by_host,
        name="registration_cancel",
    ),
    path("events/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("events/<int:pk>/check-in/walk-in/", views.check_in_walk_in, name="walk_in"),
    path("events/<int:pk>/check-in/<int:registration_id>/", views.check_in_toggle, name="check_in_toggle"),
]

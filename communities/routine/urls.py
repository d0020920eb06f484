"""The manager's routine (check-in queue, onboarding e-mails, message centre) and the weekly check-in's
reply pages; included from communities/urls.py under /c/."""

from django.urls import path

from communities.routine.views import checkins, messages, mobilisation

urlpatterns = [
    path("checkin-reply/<str:token>/<slug:answer>/", checkins.checkin_reply, name="checkin_reply"),
    path("<slug:slug>/manage/checkins/", checkins.checkin_queue, name="checkin_queue"),
    path("<slug:slug>/manage/checkins/<int:pk>/call/", checkins.checkin_log_call, name="checkin_log_call"),
    path("<slug:slug>/manage/checkins/<int:pk>/snooze/", checkins.checkin_snooze, name="checkin_snooze"),
    path("<slug:slug>/manage/checkins/<int:pk>/assign/", checkins.checkin_assign, name="checkin_assign"),
    path("<slug:slug>/manage/onboarding/", checkins.onboarding_steps, name="onboarding_steps"),
    path("<slug:slug>/manage/onboarding/<int:week>/", checkins.onboarding_step_edit, name="onboarding_step_edit"),
    path("<slug:slug>/manage/messages/", messages.message_centre, name="message_centre"),
    path("<slug:slug>/manage/messages/<int:pk>/resend/", messages.message_resend, name="message_resend"),
    path("<slug:slug>/manage/calls/", mobilisation.calls, name="calls"),
]

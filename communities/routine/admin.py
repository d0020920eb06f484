from django.contrib import admin

from communities.routine.models import CallToAction, CallToActionResponse, CheckinEntry, OnboardingStep


@admin.register(CheckinEntry)
class CheckinEntryAdmin(admin.ModelAdmin):
    list_display = ["membership", "community", "reason", "due_on", "snoozed_until", "assigned_to", "done_at"]
    list_filter = ["reason", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["membership__user__email", "membership__user__name", "community__name"]
    raw_id_fields = ["membership", "community", "assigned_to"]
    date_hierarchy = "due_on"


@admin.register(OnboardingStep)
class OnboardingStepAdmin(admin.ModelAdmin):
    list_display = ["community", "week", "subject_en", "enabled", "updated_at"]
    list_filter = ["week", "enabled"]
    search_fields = ["community__name", "subject_en", "subject_ru"]
    raw_id_fields = ["community"]


@admin.register(CallToAction)
class CallToActionAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "recipients", "created_at"]
    search_fields = ["title", "community__name"]
    raw_id_fields = ["community", "author"]


@admin.register(CallToActionResponse)
class CallToActionResponseAdmin(admin.ModelAdmin):
    list_display = ["call", "membership", "opened_at", "responded_at"]
    raw_id_fields = ["call", "membership", "message"]

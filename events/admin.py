from django.contrib import admin

from events.models import Event, Registration, RegistrationQuestion


class RegistrationQuestionInline(admin.TabularInline):
    model = RegistrationQuestion
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "starts_at", "status", "visibility", "capacity"]
    list_filter = ["status", "visibility", "format", "community"]
    search_fields = ["title", "slug", "place", "address"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["hosts"]
    raw_id_fields = ["created_by"]
    list_select_related = ["community"]
    inlines = [RegistrationQuestionInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "status", "position", "created_at", "checked_in_at"]
    list_filter = ["status", "is_walk_in"]
    search_fields = ["guest_name", "guest_email", "user__email", "user__name", "event__title"]
    raw_id_fields = ["event", "user"]
    list_select_related = ["event", "user"]


@admin.register(RegistrationQuestion)
class RegistrationQuestionAdmin(admin.ModelAdmin):
    list_display = ["label", "event", "kind", "required"]
    raw_id_fields = ["event"]

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members import services
from members.models import Activity, ConsentRecord, OutboundMessage, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language", "timezone", "phone", "city", "bio", "avatar"]}),
        (_("Consents"), {"fields": ["consent_news", "consent_reminders", "consent_reports"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send failed messages again"))
    def resend(self, request, queryset):
        count = services.messages_resend(ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(
            request, ngettext("%d message queued again.", "%d messages queued again.", count) % count, messages.SUCCESS
        )


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "user", "community", "kind", "summary"]
    list_filter = ["kind", "community"]
    search_fields = ["user__email", "summary"]
    raw_id_fields = ["user", "actor"]
    date_hierarchy = "occurred_at"
    list_select_related = ["user", "community"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "user", "kind", "granted", "source"]
    list_filter = ["kind", "granted"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


from members.jobs import job_note_text  # noqa: E402
from members.models import JobNote, JobRun  # noqa: E402


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["task", "started_at", "finished_at", "outcome"]
    list_filter = ["outcome", "task"]
    search_fields = ["task", "task_id", "error"]
    readonly_fields = ["task", "task_id", "started_at", "finished_at", "outcome", "result", "error"]


@admin.register(JobNote)
class JobNoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "task", "text"]
    list_filter = ["task", "kind"]
    search_fields = ["message", "kind"]
    readonly_fields = ["task", "kind", "message", "data", "created_at"]

    @admin.display(description=_("what was found and done"))
    def text(self, note):
        return job_note_text(note)

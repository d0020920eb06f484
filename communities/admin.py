from django.contrib import admin

from communities.models import (
    Announcement,
    Community,
    ContactLog,
    Invitation,
    InviteLink,
    MemberImport,
    Membership,
    Tag,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "status", "stage", "joined_at"]
    raw_id_fields = ["user"]
    show_change_link = True


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "visibility", "join_policy", "created_at"]
    list_filter = ["kind", "visibility", "join_policy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "stage", "engagement_level", "joined_at"]
    list_filter = ["community", "role", "status", "stage", "engagement_level", "source"]
    search_fields = ["user__email", "user__name", "community__name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "community"]
    filter_horizontal = ["tags"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community"]
    search_fields = ["name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["community", "role"]
    search_fields = ["email"]
    readonly_fields = ["token", "accepted_by"]


@admin.register(InviteLink)
class InviteLinkAdmin(admin.ModelAdmin):
    list_display = ["community", "uses", "max_uses", "expires_at", "revoked_at"]
    list_filter = ["community"]
    readonly_fields = ["token", "uses"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "published_at", "recipients"]
    list_filter = ["community"]
    search_fields = ["title", "body"]


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "outcome", "follow_up_on", "author", "created_at"]
    list_filter = ["kind", "outcome"]
    raw_id_fields = ["membership"]


@admin.register(MemberImport)
class MemberImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "community", "status", "total_rows", "created_count", "updated_count", "skipped_count"]
    list_filter = ["status", "community"]
    readonly_fields = ["content", "errors"]


from communities.models import CheckinEntry, OnboardingStep  # noqa: E402


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


from communities.models import CallToAction, CallToActionResponse  # noqa: E402


@admin.register(CallToAction)
class CallToActionAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "recipients", "created_at"]
    search_fields = ["title", "community__name"]
    raw_id_fields = ["community", "author"]


@admin.register(CallToActionResponse)
class CallToActionResponseAdmin(admin.ModelAdmin):
    list_display = ["call", "membership", "opened_at", "responded_at"]
    raw_id_fields = ["call", "membership", "message"]

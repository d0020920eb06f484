from django.contrib import admin

from communities.models import Announcement, Community, Invitation, InviteLink, Membership, Tag


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

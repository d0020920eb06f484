from django.contrib import admin

from communities.crm.models import ContactLog, MemberImport


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

from django.contrib import admin

from fundraising.models import (
    Campaign,
    CampaignDay,
    CampaignUpdate,
    Donation,
    DonationChange,
    DonationDay,
    Fundraiser,
    FundraiserUpdate,
    ProviderEvent,
    Refund,
    SandboxCard,
    SandboxPayment,
    SandboxRefund,
    Subscription,
    SubscriptionCharge,
    Team,
)

TOTALS = ("raised_amount", "donor_count", "donation_count")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "status", "goal", "currency", *TOTALS)
    list_filter = ("status", "community")
    search_fields = ("title", "slug")
    readonly_fields = TOTALS
    raw_id_fields = ("community", "created_by")


@admin.register(CampaignUpdate)
class CampaignUpdateAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "published_at")
    raw_id_fields = ("campaign", "author")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "captain", *TOTALS)
    search_fields = ("name",)
    readonly_fields = TOTALS
    raw_id_fields = ("campaign", "captain")


@admin.register(Fundraiser)
class FundraiserAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "owner", "status", "goal", *TOTALS)
    list_filter = ("status",)
    search_fields = ("title", "owner__email")
    readonly_fields = TOTALS
    raw_id_fields = ("campaign", "owner", "team")


@admin.register(FundraiserUpdate)
class FundraiserUpdateAdmin(admin.ModelAdmin):
    list_display = ("title", "fundraiser", "published_at")
    raw_id_fields = ("fundraiser",)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    """Read-only money: statuses change only through the payment services, never by hand here."""

    list_display = ("pk", "campaign", "fundraiser", "amount", "currency", "status", "donor_email", "created_at")
    list_filter = ("status", "provider", "offline")
    search_fields = ("donor_email", "donor_name", "provider_reference")
    date_hierarchy = "created_at"
    raw_id_fields = ("campaign", "fundraiser", "team", "user", "recorded_by")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records written only by the payment services: shown, never edited here."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("pk", "donation", "amount", "currency", "state", "origin", "provider", "created_at")
    list_filter = ("state", "origin", "provider")
    search_fields = ("provider_reference", "donation__donor_email")
    raw_id_fields = ("donation", "actor")


@admin.register(DonationChange)
class DonationChangeAdmin(ReadOnlyAdmin):
    list_display = ("donation", "at", "from_status", "to_status", "source", "actor")
    list_filter = ("source", "to_status")
    raw_id_fields = ("donation", "actor", "refund")


@admin.register(SandboxRefund)
class SandboxRefundAdmin(admin.ModelAdmin):
    list_display = ("reference", "payment", "amount_minor", "currency", "created_at")


@admin.register(ProviderEvent)
class ProviderEventAdmin(admin.ModelAdmin):
    list_display = ("provider", "event_id", "donation", "outcome", "received_at")
    list_filter = ("provider", "outcome")
    search_fields = ("event_id",)
    raw_id_fields = ("donation",)


@admin.register(SandboxPayment)
class SandboxPaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "amount_minor", "currency", "status", "created_at")


@admin.register(DonationDay)
class DonationDayAdmin(admin.ModelAdmin):
    list_display = ["day", "community", "campaign", "fundraiser", "team", "amount", "currency", "donations"]
    list_filter = ["currency"]
    date_hierarchy = "day"
    raw_id_fields = ["community", "campaign", "fundraiser", "team"]

    def has_add_permission(self, request):
        return False  # written by the rollup refresh only


@admin.register(CampaignDay)
class CampaignDayAdmin(admin.ModelAdmin):
    list_display = ["day", "community", "campaign", "amount", "currency", "donations"]
    list_filter = ["currency"]
    date_hierarchy = "day"
    raw_id_fields = ["community", "campaign"]

    def has_add_permission(self, request):
        return False  # written by the rollup refresh only


class SubscriptionChargeInline(admin.TabularInline):
    model = SubscriptionCharge
    extra = 0
    can_delete = False
    fields = ("period", "status", "attempts", "failure_count", "next_attempt_at", "donation", "settled_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the donor's page or a manager's (services keep the schedule)."""

    list_display = ("donor_email", "amount", "currency", "day", "status", "campaign", "next_charge_at")
    list_filter = ("status", "provider")
    search_fields = ("donor_email", "donor_name")
    raw_id_fields = ("campaign", "fundraiser", "team", "user")
    inlines = [SubscriptionChargeInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SandboxCard)
class SandboxCardAdmin(admin.ModelAdmin):
    """A test card's `fails` may be switched here to try failed monthly charges."""

    list_display = ("token", "last4", "expires_on", "fails", "created_at")
    list_editable = ("fails",)

"""Plans and overrides in the admin; every change goes through a service (audit row)."""

from django.contrib import admin
from django.utils.html import format_html

from billing import services
from billing.models import JobSlots, PlanOverride, StripeEvent, Subscription
from billing.payments.config import dashboard_url

# Stripe owns these; an operator changes them in Stripe, and the webhook brings them here.
STRIPE_FIELDS = [
    "status",
    "stripe_customer_id",
    "stripe_subscription_id",
    "stripe_price_id",
    "current_period_end",
    "cancel_at_period_end",
    "past_due_since",
    "stripe_synced_at",
]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "status", "cancel_at_period_end", "current_period_end"]
    list_display += ["in_stripe", "updated_at"]
    list_filter = ["plan", "status", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_customer_id", "stripe_subscription_id"]
    fields = ["user", "plan", "in_stripe", *STRIPE_FIELDS]
    readonly_fields = ["user", "in_stripe", *STRIPE_FIELDS]

    @admin.display(description="Stripe")
    def in_stripe(self, obj):
        if obj.stripe_subscription_id:
            url = dashboard_url("subscriptions", obj.stripe_subscription_id)
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                url,
                obj.stripe_subscription_id,
            )
        if obj.stripe_customer_id:
            url = dashboard_url("customers", obj.stripe_customer_id)
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.stripe_customer_id
            )
        return "—"

    def has_add_permission(self, request):
        return False  # every account gets one at sign-up

    def save_model(self, request, obj, form, change):
        if "plan" in form.changed_data:
            services.change_plan(user=obj.user, plan=obj.plan, actor=request.user, reason="admin")
            form.changed_data.remove("plan")
        if form.changed_data:
            obj.save(update_fields=[*form.changed_data, "updated_at"])


@admin.register(PlanOverride)
class PlanOverrideAdmin(admin.ModelAdmin):
    list_display = ["user", "monthly_jobs", "concurrent_jobs", "max_runtime_hours", "note"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        services.save_plan_override(override=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.delete_plan_override(override=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            services.delete_plan_override(override=override, actor=request.user)


@admin.register(JobSlots)
class JobSlotsAdmin(admin.ModelAdmin):
    list_display = ["user", "period_start", "jobs_this_period", "running_jobs", "artifact_bytes"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "period_start", "jobs_this_period", "running_jobs"]
    readonly_fields += ["artifact_bytes"]

    def has_add_permission(self, request):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """What each webhook did: read-only, the record that makes replays no-ops."""

    list_display = ["event_id", "type", "user", "created", "received_at", "outcome"]
    list_filter = ["type"]
    search_fields = ["event_id", "user__email", "outcome"]
    readonly_fields = ["event_id", "type", "user", "created", "received_at", "outcome"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

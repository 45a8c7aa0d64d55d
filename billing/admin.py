"""Plans and overrides in the admin; every change goes through a service (audit row)."""

from django.contrib import admin

from billing import services
from billing.models import JobSlots, PlanOverride, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "status", "current_period_end", "updated_at"]
    list_filter = ["plan", "status"]
    search_fields = ["user__email"]
    fields = ["user", "plan", "status", "stripe_customer_id", "stripe_subscription_id"]
    fields += ["current_period_end"]
    readonly_fields = ["user", "stripe_customer_id", "stripe_subscription_id"]
    readonly_fields += ["current_period_end"]

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
    list_display = ["user", "period_start", "jobs_this_period", "running_jobs"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "period_start", "jobs_this_period", "running_jobs"]

    def has_add_permission(self, request):
        return False

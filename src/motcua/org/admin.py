from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.org.models import (
    Agency,
    AgencyChange,
    CalendarOverride,
    RoleAssignment,
    Staff,
    WorkingHours,
)
from motcua.org.services.agencies import agency_refresh_derived


class WorkingHoursInline(admin.StackedInline):
    model = WorkingHours
    extra = 0
    max_num = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "code_dvcqg", "valid_from", "valid_to")
    list_filter = ("kind", "level", "division_type")
    search_fields = ("code", "name", "short_name", "code_dvcqg", "code_legacy", "search_text")
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent", "successor")
    inlines = [WorkingHoursInline]
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "level", "parent", "unit_key")}),
        (_("Codes"), {"fields": ("division_type", "division_code", "code_dvcqg", "code_legacy")}),
        (_("Contact"), {"fields": ("address", "phone", "email", "website")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Tree"), {"fields": ("path", "depth")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The code is part of every descendant's path; merging and moving go through services.
        if obj is not None:
            return (*self.readonly_fields, "code", "parent")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        agency_refresh_derived(obj)
        super().save_model(request, obj, form, change)


@admin.register(AgencyChange)
class AgencyChangeAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "effective", "related", "actor", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("agency__name", "agency__code", "related__name")
    raw_id_fields = ("agency", "related", "old_parent", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "scope_label", "description")
    list_filter = ("kind",)
    search_fields = ("description", "agency__name", "agency__code")
    date_hierarchy = "date"
    raw_id_fields = ("agency",)

    @admin.display(description=_("scope"))
    def scope_label(self, obj):
        return obj.scope_label


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    raw_id_fields = ("agency",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "position", "is_active")
    list_filter = ("is_active", "roles__role")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__code")
    raw_id_fields = ("user", "agency")
    inlines = [RoleAssignmentInline]
    list_select_related = ("user", "agency")

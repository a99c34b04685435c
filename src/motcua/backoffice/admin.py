from django.contrib import admin

from motcua.backoffice.models import LoginEvent


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "login", "user", "official", "address")
    list_filter = ("kind", "official")
    search_fields = ("login", "address", "user__username", "user__email")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

"""Read-only views of dossiers for administrators: every change goes through the lifecycle
services (and so through the event log), never through the admin."""

from __future__ import annotations

from django.contrib import admin

from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, StoredFile


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(_ReadOnly, admin.TabularInline):
    model = DossierStep
    fields = [
        "order",
        "name",
        "agency",
        "role",
        "assignee",
        "started_at",
        "due_at",
        "finished_at",
        "timeliness",
    ]
    readonly_fields = fields
    extra = 0


class EventInline(_ReadOnly, admin.TabularInline):
    model = DossierEvent
    fields = ["seq", "action", "at", "actor_name", "from_state", "to_state", "reason", "hash"]
    readonly_fields = fields
    extra = 0
    ordering = ["seq"]


@admin.register(Dossier)
class DossierAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "procedure_version",
        "state",
        "channel",
        "receiving_agency",
        "received_at",
        "due_at",
        "is_overdue",
        "imported",
    ]
    list_filter = ["state", "channel", "is_overdue", "interlinked", "imported"]
    search_fields = ["code", "other_code"]
    list_select_related = ["procedure_version__procedure", "receiving_agency"]
    raw_id_fields = ["receiving_agency", "handling_agency", "owner"]
    inlines = [StepInline, EventInline]
    date_hierarchy = "received_at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(StoredFile)
class StoredFileAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["sha256", "content_type", "size", "created_at"]
    search_fields = ["sha256"]

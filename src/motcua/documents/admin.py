from django.contrib import admin

from motcua.documents.models import OutgoingDocument, RegisterBook


@admin.register(RegisterBook)
class RegisterBookAdmin(admin.ModelAdmin):
    """An administrator names an agency's registers and sets its notation ("UBND"); the numbers
    are the register's own and are never edited."""

    list_display = ["name", "agency", "code", "issuer_notation", "active"]
    list_filter = ["active"]
    search_fields = ["name", "agency__name", "agency__code"]
    raw_id_fields = ["agency"]


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(admin.ModelAdmin):
    """The register as issued: read, never changed (a number once given stays given)."""

    list_display = ["notation", "issued_on", "type_name", "summary", "signer_name", "book"]
    list_filter = ["year", "book"]
    search_fields = ["notation", "summary", "dossier__code"]
    raw_id_fields = ["book", "dossier", "file", "registered_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

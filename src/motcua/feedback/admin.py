from django.contrib import admin

from motcua.feedback.models import DossierRating


@admin.register(DossierRating)
class DossierRatingAdmin(admin.ModelAdmin):
    """Ratings are the citizens' words: administrators read them, nobody edits them."""

    list_display = ["dossier", "liked", "convenience", "overall", "channel", "rated_at"]
    list_filter = ["liked", "convenience", "overall", "channel"]
    search_fields = ["dossier__code"]
    raw_id_fields = ["dossier", "rated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.catalog import eforms
from motcua.catalog.choices import VersionStatus
from motcua.catalog.models import (
    ChannelOption,
    Component,
    FeeItem,
    LegalBasis,
    Procedure,
    ProcedureVariant,
    ProcedureVersion,
    ProcessStep,
    Sector,
)
from motcua.catalog.services.versions import procedure_version_publish, version_refresh_search
from motcua.core.errors import DomainError


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "ministry_code")
    search_fields = ("code", "name")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("number", "name", "status", "valid_from", "valid_to")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "created_at")
    search_fields = ("code", "versions__name")
    inlines = [VersionInline]


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0


class ComponentInline(admin.StackedInline):
    model = Component
    extra = 0


class FeeInline(admin.StackedInline):
    model = FeeItem
    extra = 0


class VariantInline(admin.TabularInline):
    model = ProcedureVariant
    exclude = ("form_schema", "form_ui")  # edited on the case's own page, with a preview
    extra = 0
    show_change_link = True


class ReadOnlyWhenPublished:
    def has_change_permission(self, request, obj=None):
        version = getattr(obj, "version", obj)
        if isinstance(version, ProcedureVariant):
            version = version.version
        if (
            version is not None
            and getattr(version, "status", VersionStatus.DRAFT) != VersionStatus.DRAFT
        ):
            return False
        return super().has_change_permission(request, obj)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = (
        "procedure",
        "number",
        "name",
        "sector",
        "status",
        "online_level",
        "valid_from",
        "valid_to",
    )
    list_filter = ("status", "online_level", "sector", "implementing_kind")
    search_fields = ("procedure__code", "name", "search_text")
    list_select_related = ("procedure", "sector")
    readonly_fields = ("status", "published_at", "published_by", "valid_from", "valid_to")
    inlines = [VariantInline, ComponentInline, FeeInline, LegalBasisInline]
    actions = ["publish"]

    def save_model(self, request, obj, form, change):
        version_refresh_search(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                procedure_version_publish(version=version, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("Published %(v)s.") % {"v": version}, messages.SUCCESS)


class ChannelInline(admin.TabularInline):
    model = ChannelOption
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


class VariantForm(forms.ModelForm):
    """The application form is edited as JSON; anything ``eforms`` cannot render is refused
    with the list of problems."""

    class Meta:
        model = ProcedureVariant
        fields = (
            "version",
            "code",
            "name",
            "order",
            "is_default",
            "time_amount",
            "time_unit",
            "form_schema",
            "form_ui",
        )
        widgets = {
            "form_schema": forms.Textarea(attrs={"rows": 24, "cols": 100}),
            "form_ui": forms.Textarea(attrs={"rows": 16, "cols": 100}),
        }

    def clean(self):
        cleaned = super().clean()
        schema, ui = cleaned.get("form_schema"), cleaned.get("form_ui")
        if "form_schema" in cleaned and "form_ui" in cleaned:
            problems = eforms.schema_problems(schema or {}, ui or {})
            if problems:
                self.add_error("form_schema", problems)
        return cleaned


def render_form_preview(schema: dict, ui: dict) -> SafeString:
    """Every page of an e-form rendered with the portal's templates (read-only)."""
    if eforms.schema_problems(schema, ui):
        return SafeString("")
    pages = [
        {
            "title": page.title,
            "groups": eforms.group_fields(eforms.form_fields(schema, ui, paths=page.paths)),
        }
        for page in (eforms.pages(schema, ui) if schema else [])
    ]
    return SafeString(render_to_string("catalog/eform/_preview.html", {"pages": pages}))


@admin.register(ProcedureVariant)
class ProcedureVariantAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    form = VariantForm
    list_display = ("name", "version", "time_amount", "time_unit", "is_default", "has_form")
    search_fields = ("name", "version__procedure__code")
    list_select_related = ("version__procedure",)
    readonly_fields = ("form_preview",)
    inlines = [ChannelInline, StepInline]

    @admin.display(boolean=True, description=_("application form"))
    def has_form(self, obj):
        return bool(obj.form_schema)

    @admin.display(description=_("form preview"))
    def form_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return render_form_preview(obj.form_schema or {}, obj.form_ui or {})

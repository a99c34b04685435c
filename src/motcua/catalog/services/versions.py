"""Writing procedure versions: draft, validate, publish. A published version is never edited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog import eforms, fees, process
from motcua.catalog.choices import VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.core.text import search_key


def version_problems(version: ProcedureVersion) -> list[str]:
    """Everything that stops a version from being published (empty when it may be)."""
    problems: list[str] = []
    variants = list(version.variants.prefetch_related("steps"))
    if not variants:
        problems.append(str(_("The procedure has no case with a statutory time.")))
    if sum(1 for v in variants if v.is_default) != 1:
        problems.append(str(_("Exactly one case must be the default case.")))
    for variant in variants:
        for error in process.budget_errors(
            variant.time_amount, variant.time_unit, [s.hours for s in variant.steps.all()]
        ):
            problems.append(
                str(_("Case “%(case)s”: %(error)s.") % {"case": variant.name, "error": error})
            )
        for error in eforms.schema_problems(variant.form_schema, variant.form_ui):
            problems.append(
                str(
                    _("Case “%(case)s”, application form: %(error)s.")
                    % {"case": variant.name, "error": error}
                )
            )
    for fee in version.fees.all():
        if fee.formula:
            for error in fees.validate_formula(fee.formula):
                problems.append(
                    str(_("Fee “%(fee)s”: %(error)s.") % {"fee": fee.name, "error": error})
                )
    if not version.components.exists():
        problems.append(str(_("The procedure lists no dossier component.")))
    return problems


def version_refresh_search(version: ProcedureVersion) -> None:
    version.search_text = search_key(
        " ".join([version.procedure.code, version.name, version.sector.name, version.result_name])
    )


@transaction.atomic
def procedure_version_publish(
    *, version: ProcedureVersion, actor=None, valid_from: dt.date | None = None
) -> ProcedureVersion:
    """Publish a draft: it becomes the version in force from ``valid_from`` (today by default)
    and the previously published version ends the day before."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationFailed(_("Only a draft can be published."), code="not_draft")
    problems = version_problems(version)
    if problems:
        raise ValidationFailed(
            _("This version cannot be published: %(problems)s") % {"problems": " ".join(problems)},
            code="version_invalid",
        )
    start = valid_from or timezone.localdate()
    for previous in ProcedureVersion.objects.select_for_update().filter(
        procedure=version.procedure, status=VersionStatus.PUBLISHED
    ):
        if previous.valid_from and previous.valid_from >= start:
            # Superseded before (or on the day) it took effect: it never applies on its own.
            previous.status = VersionStatus.RETIRED
            previous.save(update_fields=["status", "updated_at"])
        elif previous.valid_to is None or previous.valid_to >= start:
            previous.valid_to = start - dt.timedelta(days=1)
            previous.save(update_fields=["valid_to", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.valid_from = start
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version_refresh_search(version)
    version.save()
    return version

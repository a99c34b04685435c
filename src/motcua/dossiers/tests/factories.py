"""Building blocks for dossier tests: the sample catalogue, one official per role at a commune,
and dossiers brought to a given state through the real services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from motcua.catalog.choices import Channel
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services.transfer import import_catalog
from motcua.catalog.tests.documents import sample_document
from motcua.dossiers.services import lifecycle as svc
from motcua.org.choices import Role
from motcua.org.tests.factories import UserFactory, official

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year, month, day, hour=0, minute=0) -> dt.datetime:
    """A Vietnam wall-clock instant."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def load_catalogue() -> dict[str, ProcedureVersion]:
    import_catalog(sample_document(), valid_from=dt.date(2018, 1, 1))
    return {
        version.procedure.code: version
        for version in ProcedureVersion.objects.select_related("procedure")
    }


def staff_at(agency, prefix: str) -> SimpleNamespace:
    """One official per role, scoped to ``agency`` and its subtree."""
    people = {
        role.value: official(f"{prefix}-{role.value}", home=agency, role=role).user for role in Role
    }
    return SimpleNamespace(**people)


def applicant(**extra) -> svc.Applicant:
    data = {
        "name": "Nguyễn Văn An",
        "id_number": "038090001234",
        "phone": "0912345678",
        "email": "an@example.vn",
        "address": "Số 5 đường Lê Lợi",
    }
    data.update(extra)
    return svc.Applicant(**data)


def dossier_in(
    version: ProcedureVersion, agency, *, channel=Channel.COUNTER, **extra
) -> svc.DossierIn:
    variant = version.variants.get(is_default=True)
    components = [
        svc.ComponentIn(component=c, is_original=bool(c.originals))
        for c in version.components.all()
        if c.mandatory
    ]
    return svc.DossierIn(
        version=version,
        variant=variant,
        receiving_agency=agency,
        applicant=applicant(),
        channel=channel,
        components=components,
        **extra,
    )


def citizen(username: str = "citizen"):
    return UserFactory(username=username)

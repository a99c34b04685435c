"""Dossiers for the demo's people to act on (outside production): two marital-status dossiers
received at the demo commune's desk, examined, and waiting for ``demo.lanhdao`` to sign their
result (issue 7). Made through the real services, so their clock, steps and events are real.
Idempotent: nothing is added while such dossiers are still waiting."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from motcua.catalog.choices import VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.org.models import Agency
from motcua.org.services.demo import DEMO_COMMUNE

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: has a result template
APPLICANTS = (
    ("Trần Thị Mai", "038195004321", "0912 000 111", "Số 12 đường Trần Phú, phường Hạc Thành"),
    ("Lê Văn Nam", "038092007654", "0912 000 222", "Số 3 đường Bà Triệu, phường Hạc Thành"),
)


def demo_dossiers_to_sign() -> int:
    """Add the dossiers waiting for the leader's signature; returns how many were added."""
    if settings.PRODUCTION:
        return 0
    people = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo.")}
    reception, specialist = people.get("demo.tiepnhan"), people.get("demo.chuyenvien")
    desk = Agency.objects.filter(code=f"{DEMO_COMMUNE}-pvhcc").first()
    version = (
        ProcedureVersion.objects.filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED)
        .order_by("-pk")
        .first()
    )
    if reception is None or specialist is None or desk is None or version is None:
        return 0
    waiting = Dossier.objects.filter(
        procedure_version__procedure__code=PROCEDURE,
        receiving_agency=desk,
        state=DossierState.IN_PROCESS,
        applicant_id_number__in=[a[1] for a in APPLICANTS],
    )
    if waiting.exists():
        return 0
    variant = version.variants.get(is_default=True)
    added = 0
    for name, id_number, phone, address in APPLICANTS:
        data = svc.DossierIn(
            version=version,
            variant=variant,
            receiving_agency=desk,
            applicant=svc.Applicant(name=name, id_number=id_number, phone=phone, address=address),
            channel=1,  # at the counter
            components=[
                svc.ComponentIn(component=c, is_original=bool(c.originals))
                for c in version.components.all()
                if c.mandatory
            ],
        )
        dossier = svc.dossier_intake(actor=reception, data=data)
        dossier = svc.dossier_handover(actor=reception, dossier=dossier, note="Đủ hồ sơ.")
        svc.dossier_handover(
            actor=specialist, dossier=dossier, note="Đủ điều kiện, trình lãnh đạo ký."
        )
        added += 1
    return added

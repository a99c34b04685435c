"""Digitisation at reception (issue 7 §5, SPEC.md §1.4 step 3, §4.3): each component scanned at
the one-stop desk becomes an electronic copy (bản sao điện tử) sealed with the digital
signature of the committee the desk belongs to, and is flagged digitised (``DuocSoHoa``, the
766 indicators 4.2–4.3).

    component_e_copies(*, dossier, at=None) -> int      how many copies were sealed

A scanned PDF is sealed as it is, with a signature that draws nothing on its pages; a photo
(JPEG, PNG) is first laid on an A4 PDF/A page whose margin says what it is, and the seal's
stamp is drawn in that margin (the wording is UNCONFIRMED: TT 01/2023/TT-VPCP gives no
template). The original scan stays as the component's file; the copy is stored beside it
(``DossierComponent.e_copy``) with its SHA-256, which ``motcua verify-files`` re-hashes.

Reception never waits on the seal: with no seal key configured for the committee, or a key
that fails, the dossier is received with its scans and no copy, and the failure is logged.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from motcua.core.errors import ValidationFailed
from motcua.documents import keys
from motcua.documents.signing import Appearance, SigningError, sign_pdf
from motcua.documents.tokens import TokenError
from motcua.dossiers.documents.pdf import html_to_pdf
from motcua.dossiers.documents.text import long_date
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services.files import PDF, stored_file_put
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

log = logging.getLogger(__name__)

FIELD = "ban-sao-dien-tu"
STAMP_BOX = (300, 18, 575, 78)  # points: in the bottom margin of the A4 page laid out below
_COMMITTEES = (AgencyKind.COMMUNE, AgencyKind.PROVINCE)


def committee_of(agency: Agency | None) -> Agency | None:
    """The People's Committee a one-stop desk belongs to (its own seal signs the copies)."""
    while agency is not None and agency.kind not in _COMMITTEES:
        agency = agency.parent
    return agency


def image_page(content: bytes, content_type: str, *, name: str, agency: Agency, on: dt.date):
    """A photo of a paper document on an A4 PDF/A page, with the copy's caption."""
    uri = f"data:{content_type};base64,{base64.b64encode(content).decode()}"
    caption = (
        f"Bản sao điện tử từ bản giấy tiếp nhận tại Bộ phận Một cửa — {agency.name} — "
        f"{long_date(on)}"
    )
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{escape(name)}</title>
<style>
@page {{ size: A4; margin: 18mm 12mm 32mm 12mm;
  @top-left {{ content: "{escape(caption)}"; font: 8pt "Liberation Serif"; }} }}
html, body {{ margin: 0; height: 100%; }}
img {{ display: block; max-width: 100%; max-height: 100%; margin: 0 auto; object-fit: contain; }}
</style></head><body><img src="{uri}" alt="{escape(name)}"></body></html>"""
    return html_to_pdf(html)


def _e_copy(component: DossierComponent, committee: Agency, signer, at: dt.datetime) -> bytes:
    assert component.file is not None
    with component.file.file.open("rb") as handle:
        content = handle.read()
    appearance = Appearance(committee.name, "Bản sao điện tử — ký số tổ chức")
    if component.file.content_type == PDF:
        return sign_pdf(content, signer, field=FIELD, appearance=appearance, box=None)
    page = image_page(
        content,
        component.file.content_type,
        name=component.name[:200],
        agency=committee,
        on=timezone.localdate(at),
    )
    return sign_pdf(page, signer, field=FIELD, appearance=appearance, box=STAMP_BOX)


def component_e_copies(*, dossier: Dossier, at: dt.datetime | None = None) -> int:
    """Seal every digitised component of ``dossier`` that has a scan and no copy yet."""
    at = at or timezone.now()
    pending = list(
        dossier.components.filter(digitised=True, file__isnull=False, e_copy__isnull=True)
        .select_related("file")
        .order_by("order", "pk")
    )
    if not pending:
        return 0
    committee = committee_of(dossier.receiving_agency)
    try:
        source = keys.seal_key(committee) if committee is not None else None
    except keys.KeyConfigError as error:
        log.warning("e-copies of %s not sealed: %s", dossier.code, error)
        return 0
    if source is None:
        return 0
    done = 0
    try:
        with source.open() as signer:
            for component in pending:
                try:
                    sealed = _e_copy(component, committee, signer, at)  # type: ignore[arg-type]
                    stored = stored_file_put(
                        content=sealed, name=f"{dossier.code}-{component.pk}-ban-sao.pdf"
                    )
                except (SigningError, ValidationFailed) as error:
                    log.warning(
                        "e-copy of %s #%s not sealed: %s", dossier.code, component.pk, error
                    )
                    continue
                with transaction.atomic():
                    component.e_copy, component.e_copy_at = stored, at
                    component.save(update_fields=["e_copy", "e_copy_at"])
                done += 1
    except (SigningError, TokenError) as error:
        log.warning("e-copies of %s not sealed: %s", dossier.code, error)
    return done

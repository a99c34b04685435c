"""Issuing a dossier's result as a signed, numbered document (issue 7 §1–2).

    result_document_issue(*, actor, dossier, values, signer_position, competence, leader,
                          seal=None, issued_on=None, at=None) -> OutgoingDocument

In one transaction:
1. the procedure's result template (``results.RESULT_KINDS``) and its required values;
2. the issuing People's Committee of the handling agency, its results' register and the next
   number (``register.outgoing_register``): Nghị định 30/2020 has an electronic document
   numbered "by the system's function" before it is signed, so the number is in the signed
   bytes;
3. the PDF/A rendered with that number, the date, and the QR code of its verification page;
4. the leader's personal signature in the room the template leaves for it, then the agency's
   seal signature (ký số tổ chức) beside it;
5. the file stored by its SHA-256 and attached to the register's entry.

Anything failing — a missing value, a key that cannot sign — rolls it all back, and the
number goes back to the register. The actor must hold a leader's role over the issuing agency
(a head of unit signs "TL." for the chairman); anyone else is told the dossier is not found.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.sign import signers

from motcua.core.errors import NotFound, ValidationFailed
from motcua.documents import keys
from motcua.documents.models import OutgoingDocument
from motcua.documents.results import RESULT_KINDS, ResultKind, render_result
from motcua.documents.services.register import outgoing_register, register_book_for
from motcua.documents.signing import (
    Appearance,
    SigningError,
    configured_timestamper,
    sign_pdf,
)
from motcua.documents.tokens import TokenError
from motcua.dossiers import policies
from motcua.dossiers.choices import Action
from motcua.dossiers.choices import ResultKind as Outcome
from motcua.dossiers.documents.text import place_name
from motcua.dossiers.models import Dossier
from motcua.dossiers.services._common import _lock, _require_state
from motcua.dossiers.services.closing import dossier_resolve
from motcua.dossiers.services.files import stored_file_put
from motcua.org.choices import AgencyKind, Role
from motcua.org.models import Agency
from motcua.org.policies import has_role

SEAL_WIDTH = 150  # points: the seal's box, left of the leader's signature
_COMMITTEES = (AgencyKind.COMMUNE, AgencyKind.PROVINCE)
_PLACE_PREFIXES = ("Phường", "Xã", "Đặc khu", "Thị trấn")


def issuing_agency(dossier: Dossier) -> Agency:
    """The People's Committee the result is issued by: the handling agency's, or its own."""
    node: Agency | None = dossier.handling_agency or dossier.receiving_agency
    while node is not None and node.kind not in _COMMITTEES:
        node = node.parent
    if node is None:
        raise ValidationFailed(
            _("No People's Committee issues results for this dossier."), code="no_issuer"
        )
    return node


def place_of(agency: Agency) -> str:
    """The place name of the date line ("Hạc Thành, ngày …"): the commune's name without its
    kind, or the province's (Nghị định 30/2020, Phụ lục I; UNCONFIRMED for every kind of
    commune)."""
    if agency.kind == AgencyKind.PROVINCE:
        return place_name(agency)
    name = agency.short_name or agency.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def result_kind_of(dossier: Dossier) -> ResultKind:
    kind = RESULT_KINDS.get(dossier.procedure_version.procedure.code)
    if kind is None:
        raise ValidationFailed(
            _("This procedure has no result template yet."), code="no_result_template"
        )
    return kind


def verify_url(document: OutgoingDocument) -> str:
    base = (getattr(settings, "MOTCUA_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("portal:verify_document", args=[document.public_id])


@transaction.atomic
def result_document_issue(
    *,
    actor,
    dossier: Dossier,
    values: dict[str, str],
    signer_position: str,
    competence: list[str],
    leader: signers.Signer,
    seal: signers.Signer | None = None,
    leader_image: bytes | None = None,
    seal_image: bytes | None = None,
    issued_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> OutgoingDocument:
    at = at or timezone.now()
    issuer = issuing_agency(dossier)
    if not (
        has_role(actor, Role.AGENCY_LEADER, issuer) or has_role(actor, Role.UNIT_LEADER, issuer)
    ):
        raise NotFound(_("Dossier not found."), code="dossier_not_found")
    kind = result_kind_of(dossier)
    missing = kind.missing(values)
    if missing:
        raise ValidationFailed(
            _("Fill in: %(fields)s.") % {"fields": ", ".join(f.label for f in missing)},
            code="result_values_missing",
        )
    signer_name = actor.get_full_name() or actor.get_username()
    place = place_of(issuer)
    document = outgoing_register(
        book=register_book_for(issuer),
        issued_on=issued_on or timezone.localdate(at),
        type_name=kind.type_name,
        type_notation=kind.type_notation,
        summary=f"{kind.type_name} — {dossier.code}",
        signer_name=signer_name,
        signer_position=signer_position,
        place=place,
        dossier=dossier,
        actor=actor,
        at=at,
    )
    rendered = render_result(
        kind,
        agency=issuer,
        notation=document.notation,
        issued_on=document.issued_on,
        place=place,
        values={f.name: str(values.get(f.name, "")).strip() for f in kind.fields},
        signer_name=signer_name,
        competence=competence,
        recipients=[dossier.applicant_name],
        verify_url=verify_url(document),
    )
    x1, y1, _x2, y2 = rendered.signature_box
    timestamper = configured_timestamper()
    pdf = sign_pdf(
        rendered.pdf,
        leader,
        field="ca-nhan",
        appearance=Appearance(signer_name, "\n".join(competence), image=leader_image),
        box=rendered.signature_box,
        page=rendered.signature_page,
        timestamper=timestamper,
    )
    if seal is not None:
        pdf = sign_pdf(
            pdf,
            seal,
            field="to-chuc",
            appearance=Appearance(issuer.name, "Ký số tổ chức", image=seal_image),
            box=(max(0, x1 - SEAL_WIDTH), y1, x1 - 4, y2),
            page=rendered.signature_page,
            timestamper=timestamper,
        )
    document.file = stored_file_put(content=pdf, name=f"{dossier.code}-ket-qua.pdf")
    document.save(update_fields=["file"])
    return document


# -- the leader's step: sign, number and resolve ---------------------------------------------

# Nghị định 30/2020, Điều 13: how the signer signs for a People's Committee (collective
# regime): the chairman "TM." the committee; a vice-chairman also "KT. CHỦ TỊCH"; a head of
# unit by delegation "TL. CHỦ TỊCH" with their own position.
COMPETENCES = {
    "chairman": _("On behalf of the committee, as chairman (TM.)"),
    "vice": _("On behalf of the committee, for the chairman (TM. … KT. CHỦ TỊCH)"),
    "delegated": _("By delegation of the chairman (TL. CHỦ TỊCH)"),
}


def competence_lines(key: str, position: str) -> list[str]:
    position = (position or "").strip()
    if key == "chairman":
        return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    if key == "vice":
        return ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    if key == "delegated":
        title = position.split(",")[0].strip().upper() or "CHÁNH VĂN PHÒNG"
        return ["TL. CHỦ TỊCH", title]
    raise ValidationFailed(_("Choose how you sign."), code="competence")


def competence_guess(actor) -> str:
    """The likely way ``actor`` signs, from their position ("Phó Chủ tịch …" → vice)."""
    position = position_of(actor).lower()
    if "phó chủ tịch" in position:
        return "vice"
    if "chủ tịch" in position:
        return "chairman"
    return "delegated"


def position_of(actor) -> str:
    staff = getattr(actor, "staff", None)
    return staff.position if staff is not None else ""


def may_sign_result(actor, dossier: Dossier) -> bool:
    """Whether to offer ``actor`` the signing step for ``dossier`` (the service checks again)."""
    if Action.RESOLVE not in getattr(dossier, "available_actions", ()):
        return False
    if dossier.procedure_version.procedure.code not in RESULT_KINDS:
        return False
    try:
        issuer = issuing_agency(dossier)
    except ValidationFailed:
        return False
    return has_role(actor, Role.AGENCY_LEADER, issuer) or has_role(actor, Role.UNIT_LEADER, issuer)


def _key_refused(error: Exception) -> ValidationFailed:
    if isinstance(error, keys.WrongSecret):
        return ValidationFailed(
            _("The PIN or passphrase does not open your signing key."), code="wrong_pin"
        )
    return ValidationFailed(
        _("Your signing key could not sign: %(reason)s. Nothing was issued.")
        % {"reason": str(error)},
        code="signing_failed",
    )


@transaction.atomic
def dossier_result_sign(
    *,
    actor,
    dossier: Dossier,
    values: dict[str, str],
    competence: str,
    secret: str = "",
    issued_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> OutgoingDocument:
    """The leader approves and signs the result (SPEC.md §1.4 step 5): the document is
    numbered in the issuing committee's register, signed with the leader's key and the
    committee's seal (``keys``), and becomes the dossier's electronic result as it is resolved
    (status 9) — all in one transaction, so a key that fails leaves the dossier, the register
    and the number as they were."""
    at = at or timezone.now()
    dossier = _lock(dossier)
    policies.require(actor, Action.RESOLVE, dossier)
    _require_state(dossier, Action.RESOLVE)
    issuer = issuing_agency(dossier)
    position = position_of(actor)
    lines = competence_lines(competence, position)
    try:
        personal = keys.personal_key(actor)
        seal = keys.seal_key(issuer)
    except keys.KeyConfigError as error:
        raise _key_refused(error) from error
    if personal is None:
        raise ValidationFailed(
            _("No signing key is configured for you: ask the administrator."), code="no_key"
        )
    if seal is None:
        # the agency's digital signature is one of a document's required parts (Nghị định
        # 30/2020, Điều 8): without it nothing is issued
        raise ValidationFailed(
            _("No seal key is configured for %(agency)s: ask the administrator.")
            % {"agency": issuer.name},
            code="no_seal_key",
        )
    try:
        with personal.open(secret) as leader, seal.open() as seal_signer:
            document = result_document_issue(
                actor=actor,
                dossier=dossier,
                values=values,
                signer_position=lines[-1].capitalize(),
                competence=lines,
                leader=leader,
                seal=seal_signer,
                leader_image=personal.image(),
                seal_image=seal.image(),
                issued_on=issued_on,
                at=at,
            )
    except (SigningError, TokenError) as error:
        raise _key_refused(error) from error
    assert document.file is not None
    dossier_resolve(
        actor=actor,
        dossier=dossier,
        result_kind=Outcome.APPROVAL,
        result_number=document.notation,
        signer=f"{lines[-1].capitalize()} {document.signer_name}",
        result_file=document.file,
        result_file_name=f"{dossier.code}-{document.number:02d}.pdf",
        result_document=str(document.public_id),
        at=at,
    )
    return document

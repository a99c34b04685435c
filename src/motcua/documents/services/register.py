"""Numbering and registering outgoing documents (issue 7 §1; SPEC.md §9.2, Nghị định
30/2020/NĐ-CP): the văn thư's register, sổ văn bản đi.

    register_book_for(agency, code=RESULTS_BOOK) -> RegisterBook
    outgoing_register(*, book, issued_on, type_name, type_notation, summary, signer_name,
                      signer_position, place, dossier=None, file=None, actor=None, at=None)
        -> OutgoingDocument

Rules:
- Numbers run consecutively from 01 on 1 January to 31 December, per book (series) and agency;
  number and notation are unique within the year. A number below 10 is written with a leading
  0 ("05/QĐ-UBND").
- The notation is ``<number>/<type>-<issuer>`` ("12/QĐ-UBND"); a type without an abbreviation
  (a công văn) gives ``<number>/<issuer>``. Which type abbreviation a procedure's result uses is
  the procedure's (its template's) to say.
- The number is taken inside the registering transaction, by one ``INSERT … ON CONFLICT DO
  UPDATE … RETURNING`` on the book's counter for the year: concurrent registrations queue on
  the row (PostgreSQL) or the write lock (SQLite), and a rolled-back registration gives its
  number back, so the register has no gaps.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.counters import counter_next
from motcua.core.errors import Conflict, ValidationFailed
from motcua.documents.models import OutgoingDocument, RegisterBook, RegisterCounter
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

RESULTS_BOOK = "ket-qua"
RESULTS_BOOK_NAME = "Sổ văn bản đi — kết quả giải quyết thủ tục hành chính"
# The issuer notation of a People's Committee. Other agencies have none until an administrator
# sets their book's: there is no rule to derive one from a name (UNCONFIRMED as a default).
COMMITTEE_NOTATION = "UBND"


def register_book_for(agency: Agency, code: str = RESULTS_BOOK) -> RegisterBook:
    """The agency's book ``code``, made on first use for the results' book."""
    book = RegisterBook.objects.filter(agency=agency, code=code).first()
    if book is not None:
        return book
    if code != RESULTS_BOOK:
        raise ValidationFailed(_("This register does not exist."), code="no_register")
    notation = (
        COMMITTEE_NOTATION if agency.kind in (AgencyKind.COMMUNE, AgencyKind.PROVINCE) else ""
    )
    book, _created = RegisterBook.objects.get_or_create(
        agency=agency,
        code=code,
        defaults={"name": RESULTS_BOOK_NAME, "issuer_notation": notation},
    )
    return book


def format_notation(number: int, type_notation: str, issuer_notation: str) -> str:
    head = f"{number:02d}"
    return (
        f"{head}/{type_notation}-{issuer_notation}"
        if type_notation
        else f"{head}/{issuer_notation}"
    )


@transaction.atomic
def outgoing_register(
    *,
    book: RegisterBook,
    issued_on: dt.date,
    type_name: str,
    type_notation: str,
    summary: str,
    signer_name: str,
    signer_position: str,
    place: str,
    dossier=None,
    file=None,
    actor=None,
    at: dt.datetime | None = None,
) -> OutgoingDocument:
    """Give a document the book's next number for the year of ``issued_on`` and register it."""
    at = at or timezone.now()
    if not book.active:
        raise Conflict(_("This register is closed."), code="register_closed")
    if not book.issuer_notation.strip():
        raise ValidationFailed(
            _("The register has no issuer notation: an administrator must set it first."),
            code="register_notation_missing",
        )
    for value, label in (
        (type_name, _("type")),
        (summary, _("summary")),
        (signer_name, _("signed by")),
        (place, _("place")),
    ):
        if not (value or "").strip():
            raise ValidationFailed(
                _("“%(field)s” is required.") % {"field": label}, code="required"
            )
    if issued_on > timezone.localdate(at):
        raise ValidationFailed(
            _("A document cannot be registered with a date in the future."), code="future_date"
        )
    number = counter_next(RegisterCounter, {"book": book, "year": issued_on.year})
    return OutgoingDocument.objects.create(
        book=book,
        year=issued_on.year,
        number=number,
        notation=format_notation(number, type_notation.strip(), book.issuer_notation.strip()),
        issued_on=issued_on,
        place=place.strip(),
        type_name=type_name.strip(),
        summary=summary.strip(),
        signer_name=signer_name.strip(),
        signer_position=signer_position.strip(),
        dossier=dossier,
        file=file,
        registered_by=actor,
        registered_at=at,
    )

"""The outgoing register (sổ văn bản đi) of an agency: every document it issues, numbered
(issue 7 §1, SPEC.md §9.2, Nghị định 30/2020/NĐ-CP).

- A ``RegisterBook`` is one numbering series of one agency: its documents are numbered from 01
  on 1 January, consecutively, to 31 December. An agency may keep several (normative documents
  have their own series; the head sets the others), so the procedures' results can have a book
  of their own. The book also holds the agency's notation (ký hiệu cơ quan, "UBND").
- ``RegisterCounter`` holds the last number of a book in a year; it is taken with one
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in the issuing transaction
  (``services.register``).
- ``OutgoingDocument`` is one line of the register: number, notation (``12/QĐ-UBND``), date,
  type, summary, signer, and the signed file when there is one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterBook(models.Model):
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    # The agency's part of every notation ("UBND" in "12/QĐ-UBND"): Nghị định 30/2020,
    # Phụ lục I. Which one an agency uses is its own decision.
    issuer_notation = models.CharField(_("issuer notation"), max_length=40)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("register of outgoing documents")
        verbose_name_plural = _("registers of outgoing documents")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="documents_book_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer_notation})"


class RegisterCounter(models.Model):
    book = models.ForeignKey(RegisterBook, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "year"], name="documents_counter_year"),
        ]

    def __str__(self) -> str:
        return f"{self.book_id}/{self.year}: {self.last_value}"


class OutgoingDocument(models.Model):
    # The address of its public verification page (the QR code on the document): random, so that
    # nobody can walk the register by counting.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    book = models.ForeignKey(
        RegisterBook, verbose_name=_("register"), on_delete=models.PROTECT, related_name="entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    notation = models.CharField(_("number and notation"), max_length=80)
    issued_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120)
    type_name = models.CharField(_("type"), max_length=120)
    summary = models.CharField(_("summary"), max_length=500)
    signer_name = models.CharField(_("signed by"), max_length=120)
    signer_position = models.CharField(_("position"), max_length=200)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )
    file = models.ForeignKey(
        "dossiers.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "number"], name="documents_outgoing_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Số: {self.notation}"

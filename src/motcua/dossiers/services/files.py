"""Uploaded files are stored once, by content (SHA-256), and their type is read from their first
bytes, never from their name (STYLE.md rule 25)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import TooManyRequests, ValidationFailed
from motcua.dossiers.models import StoredFile

PDF = ("application/pdf", "pdf")
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", *PDF),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_MB", 20)) * 1024 * 1024


def upload_quota(*, actor, count: int) -> int:
    """Count ``count`` files against ``actor``'s upload allowance (MOTCUA_UPLOAD_RATE). Returns
    0 when allowed, else the seconds until more may be uploaded (then nothing was counted)."""
    from motcua.core import ratelimit

    rate = ratelimit.parse_rate(getattr(settings, "MOTCUA_UPLOAD_RATE", "100/h"))
    key = f"upload:{actor.pk}"
    decision = ratelimit.hit(key, rate, cost=count)
    if decision.allowed:
        return 0
    ratelimit.hit(key, rate, cost=-count)  # a refused batch does not use the allowance up
    return max(1, decision.retry_after)


def upload_refusal(retry_after: int) -> TooManyRequests:
    minutes = max(1, -(-retry_after // 60))
    return TooManyRequests(
        _("You have uploaded many files in a short time. Please try again in %(minutes)s minutes.")
        % {"minutes": minutes},
        code="upload_rate",
    )


def upload_allowance_require(*, actor, count: int) -> None:
    """Citizens' uploads through the API count against the same allowance as on the portal;
    officials (counter intake, scanning) are not limited."""
    if not count or actor is None or hasattr(actor, "staff"):
        return
    retry_after = upload_quota(actor=actor, count=count)
    if retry_after:
        raise upload_refusal(retry_after)


def stored_file_check(*, content: bytes, name: str = "") -> tuple[str, str]:
    """(content type, extension) of ``content`` if it may be stored; otherwise ValidationFailed.
    Callers storing several files check them all first, so a refusal leaves nothing on disk."""
    if not content:
        raise ValidationFailed(
            _("The file “%(name)s” is empty.") % {"name": name}, code="file_empty"
        )
    if len(content) > max_upload_bytes():
        raise ValidationFailed(
            _("The file “%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": max_upload_bytes() // (1024 * 1024)},
            code="file_too_large",
        )
    kind = sniff_content_type(content[:16])
    if kind is None:
        raise ValidationFailed(
            _("The file “%(name)s” is not a PDF, JPEG or PNG file.") % {"name": name},
            code="file_type",
        )
    return kind


def stored_file_put(*, content: bytes, name: str = "") -> StoredFile:
    """Store ``content`` (PDF, JPEG or PNG) once; return the existing row for known content."""
    kind = stored_file_check(content=content, name=name)
    digest = hashlib.sha256(content).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    content_type, extension = kind
    row = StoredFile(sha256=digest, size=len(content), content_type=content_type)
    row.file.save(f"{digest}.{extension}", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # stored concurrently by someone else
        return StoredFile.objects.get(sha256=digest)
    return row

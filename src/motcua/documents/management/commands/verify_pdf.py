"""``motcua verify-pdf FILE [--trust PEM …]``: is a signed PDF genuine? (issue 7 §4)

Prints each signature (signer, issuer, validity, signing time, the three checks) and the
verdict; exits 0 when the document is genuine, 1 when it is not, 2 when the file cannot be
read. Trusts ``MOTCUA_TRUST_ROOTS`` (and the development root outside production), or only the
``--trust`` files when given."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.core.workcal import VIETNAM
from motcua.documents.verification import NotAPdf, pem_certificates, verify_pdf


def _yes(value: bool) -> str:
    return _("yes") if value else _("NO")


class Command(BaseCommand):
    help = "Check the digital signatures of a PDF: intact, trusted, unchanged since."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust", type=Path, action="append", default=[], help="a PEM root to trust"
        )

    def handle(self, *args, file: Path, trust: list[Path], **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}", returncode=2) from error
        roots = [der for path in trust for der in pem_certificates(path.read_bytes())] or None
        try:
            result = verify_pdf(data, trust=roots)
        except NotAPdf as error:
            raise CommandError(f"{file}: {error}", returncode=2) from error
        # (labels outside the f-strings, where xgettext finds them)
        signature, signer, issuer = _("Signature"), _("Signer"), _("Issuer")
        valid, signed_at = _("Certificate valid"), _("Signed at")
        intact, trusted, unchanged = _("Intact"), _("Trusted"), _("Unchanged since")
        for number, check in enumerate(result.signatures, 1):
            signed = check.signed_at.astimezone(VIETNAM) if check.signed_at else None
            self.stdout.write(f"{signature} {number} ({check.field})")
            self.stdout.write(f"  {signer}: {check.subject}")
            self.stdout.write(f"  {issuer}: {check.issuer}")
            self.stdout.write(
                f"  {valid}: {check.valid_from:%d/%m/%Y} – {check.valid_until:%d/%m/%Y}"
            )
            if signed is not None:
                self.stdout.write(f"  {signed_at}: {signed:%H:%M:%S %d/%m/%Y} (UTC+7)")
            self.stdout.write(f"  {intact}: {_yes(check.intact)}")
            self.stdout.write(f"  {trusted}: {_yes(check.trusted)}")
            self.stdout.write(f"  {unchanged}: {_yes(check.unchanged_since)}")
            if check.revoked_at is not None:
                state = _("YES, on %(date)s") % {"date": f"{check.revoked_at:%d/%m/%Y}"}
            elif check.revocation_checked:
                state = _("no")
            else:
                state = _("not checked: no revocation list of its issuer is held")
            self.stdout.write(f"  {_('Revoked')}: {state}")
        if result.genuine:
            self.stdout.write(_("Genuine: every signature is intact and trusted."))
            return
        for problem in result.problems():
            self.stdout.write(problem)
        raise CommandError(_("Not genuine."), returncode=1)

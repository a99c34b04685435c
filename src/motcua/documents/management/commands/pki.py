"""``motcua pki init [--force]``: the development PKI for the demo (``documents.services.dev_pki``);
``motcua pki revoke NAME``: revoke a demo signer's certificate (a username, or an agency code for
its seal), so the verifier shows what a revoked signature looks like. Refused in production."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.documents import pki
from motcua.documents.services.dev_pki import DevPkiRefused, dev_pki_init, dev_pki_revoke


class Command(BaseCommand):
    help = "Create the demo root CA and the demo signers' certificates (never in production)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="create what is missing (--force: all again)")
        init.add_argument("--force", action="store_true", help="a new root and new certificates")
        revoke = sub.add_parser("revoke", help="revoke a demo certificate (username or agency)")
        revoke.add_argument("name")

    def handle(self, *args, action: str, force: bool = False, **options):
        if action == "revoke":
            try:
                serial = dev_pki_revoke(options["name"])
            except (DevPkiRefused, FileNotFoundError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"revoked the development certificate of {options['name']} (serial {serial:x})"
            )
            return
        try:
            result = dev_pki_init(force=force)
        except DevPkiRefused as error:
            raise CommandError(str(error)) from error
        for path in result.created:
            self.stdout.write(f"created {path}")
        if result.kept and options["verbosity"] > 1:
            for path in result.kept:
                self.stdout.write(f"kept {path}")
        self.stdout.write(
            f"development PKI in {result.directory} (NOT FOR PRODUCTION): trust "
            f"{result.root_certificate} to verify; PKCS#12 passphrase {pki.DEV_PASSPHRASE!r}"
        )

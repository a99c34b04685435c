from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.org.models import Agency
from motcua.org.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts (stable usernames, see README) and print them."

    def handle(self, *args, **options):
        from django.conf import settings

        if settings.PRODUCTION:
            raise CommandError("demo accounts are refused in production (MOTCUA_ENV=production)")
        accounts = ensure_demo_accounts()
        agencies = {a.code: a for a in Agency.objects.filter(code__in={x.home for x in accounts})}
        self.stdout.write(f"demo accounts (password: {DEMO_PASSWORD}):")
        for account in accounts:
            where = agencies[account.home].display_name if account.home else ""
            role = account.role.label if account.role else _("Citizen")
            self.stdout.write(f"  {account.username:<18} {role!s:<22} {where}")
        self.stdout.write(
            "officials also give a code (two-step verification): add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or run `motcua manage demo_code`"
        )

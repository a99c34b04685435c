from django.core.management.base import BaseCommand, CommandError

from motcua.org.services.demo import DEMO_TOTP_SECRET, demo_code


class Command(BaseCommand):
    help = "Print the demo officials' current sign-in code (TOTP) and their shared key."

    def handle(self, *args, **options):
        from django.conf import settings

        if settings.PRODUCTION:
            raise CommandError("demo accounts are refused in production (MOTCUA_ENV=production)")
        self.stdout.write(f"code: {demo_code()}  (valid for 30 seconds)")
        self.stdout.write(f"key for an authenticator app: {DEMO_TOTP_SECRET}")

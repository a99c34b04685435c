"""``motcua token``: bearer tokens for officials and API clients.

motcua token create <username> [--name NAME] [--days N]   # prints only the token
motcua token list <username>
motcua token revoke <prefix>
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.accounts.models import ApiToken, User
from motcua.accounts.tokens import token_create, token_prefix, token_revoke
from motcua.core.formatting import vn_datetime


class Command(BaseCommand):
    help = "Create, list and revoke API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token and print it (shown only once)")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        create.add_argument("--days", type=int, default=None, help="expire after N days")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix", help="the 8 characters after 'mc_' (or the whole token)")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None

    def _create(self, *, username: str, name: str, days: int | None, **_options) -> None:
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"user {username!r} is not active")
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        self.stdout.write(token_create(user=user, name=name, expires_at=expires))

    def _list(self, *, username: str, **_options) -> None:
        now = timezone.now()
        for token in ApiToken.objects.filter(user=self._user(username)):
            if token.revoked_at is not None:
                status = f"revoked {vn_datetime(token.revoked_at)}"
            elif not token.is_usable(now):
                status = f"expired {vn_datetime(token.expires_at)}"
            elif token.expires_at is not None:
                status = f"active until {vn_datetime(token.expires_at)}"
            else:
                status = "active"
            used = vn_datetime(token.last_used_at) or "never"
            self.stdout.write(
                f"{token.prefix}  {token.name or '-'}  created {vn_datetime(token.created_at)}  "
                f"last used {used}  {status}"
            )

    def _revoke(self, *, prefix: str, **_options) -> None:
        prefix = token_prefix(prefix) or prefix
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no token with prefix {prefix!r}")
        token_revoke(token=token)
        self.stdout.write(f"{token.prefix} revoked")

"""Demo accounts for training and trying motcua (never in production data).

The usernames are stable so that training material and scripts can rely on them; they are
listed in README.md. All share one password, printed by ``motcua up``.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.org.choices import Role
from motcua.org.models import Agency, RoleAssignment, Staff

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - documented demo credential, refused in production
# The demo officials' second factor (TOTP, RFC 6238): one documented key, so that a trainer can
# add it once to an authenticator app, or ask ``motcua manage demo_code`` for the current code.
DEMO_TOTP_SECRET = "MOTCUADEMOKEYFORTRAININGONLYXXXX"  # noqa: S105 - base32, demo only
DEMO_PROVINCE = "38"  # Tỉnh Thanh Hóa
DEMO_COMMUNE = "14797"  # Phường Hạc Thành, Thanh Hóa


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role | None
    home: str  # agency code where the official works
    scope: str | None  # agency code the role covers
    position: str


def demo_accounts() -> list[DemoAccount]:
    c, p = DEMO_COMMUNE, DEMO_PROVINCE
    return [
        DemoAccount("demo.congdan", "Nguyễn Văn An", None, "", None, "Công dân"),
        DemoAccount(
            "demo.tiepnhan",
            "Lê Thị Bình",
            Role.RECEPTION,
            f"{c}-pvhcc",
            c,
            "Công chức tiếp nhận, Trung tâm Phục vụ hành chính công",
        ),
        DemoAccount(
            "demo.chuyenvien",
            "Trần Văn Cường",
            Role.SPECIALIST,
            f"{c}-van-phong",
            c,
            "Công chức Tư pháp - Hộ tịch",
        ),
        DemoAccount(
            "demo.lanhdaophong",
            "Phạm Thị Dung",
            Role.UNIT_LEADER,
            f"{c}-van-phong",
            f"{c}-van-phong",
            "Chánh Văn phòng HĐND và UBND",
        ),
        DemoAccount(
            "demo.lanhdao",
            "Hoàng Văn Em",
            Role.AGENCY_LEADER,
            c,
            c,
            "Chủ tịch Ủy ban nhân dân phường",
        ),
        # A leader of the whole province: the commune ranking of the 766 index and Biểu 06
        # for all of the province's communes (issue 6).
        DemoAccount(
            "demo.lanhdaotinh",
            "Lê Văn Khoa",
            Role.AGENCY_LEADER,
            p,
            p,
            "Phó Chủ tịch Ủy ban nhân dân tỉnh",
        ),
        DemoAccount("demo.vanthu", "Vũ Thị Giang", Role.CLERK, f"{c}-van-phong", c, "Văn thư"),
        DemoAccount("demo.ketoan", "Đỗ Văn Hải", Role.ACCOUNTANT, c, c, "Kế toán"),
        DemoAccount(
            "demo.quantri",
            "Ngô Thị Lan",
            Role.ADMINISTRATOR,
            f"{p}-pvhcc",
            p,
            "Quản trị hệ thống, Trung tâm Phục vụ hành chính công tỉnh",
        ),
        DemoAccount(
            "demo.giamsat",
            "Bùi Văn Minh",
            Role.SUPERVISOR,
            p,
            p,
            "Chuyên viên kiểm soát thủ tục hành chính, Văn phòng UBND tỉnh",
        ),
    ]


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Create (or repair) the demo accounts; idempotent."""
    User = get_user_model()
    hashed = None  # the accounts share one password: hash it once (≈0.3 s per hash)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=_codes())}
    for account in demo_accounts():
        user, created = User.objects.get_or_create(username=account.username)
        user.full_name = account.full_name
        user.email = f"{account.username}@example.invalid"
        user.is_staff = account.role == Role.ADMINISTRATOR
        if created or not user.has_usable_password():
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
        user.save()
        # verified addresses: sign-in requires one (ACCOUNT_EMAIL_VERIFICATION = mandatory)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if account.role is None:
            continue
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        assert account.scope is not None, f"demo account {account.username} has a role but no scope"
        staff, _ = Staff.objects.update_or_create(
            user=user, defaults={"agency": agencies[account.home], "position": account.position}
        )
        RoleAssignment.objects.get_or_create(
            staff=staff, role=account.role, agency=agencies[account.scope], valid_to=None
        )
    return demo_accounts()


def _codes() -> set[str]:
    codes: set[str] = set()
    for account in demo_accounts():
        codes.update(x for x in (account.home, account.scope) if x)
    return codes


def demo_code(at: float | None = None) -> str:
    """The demo officials' TOTP code now (or at Unix time ``at``)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))

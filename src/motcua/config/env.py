"""The one place where motcua reads its environment.

Every setting that comes from the environment is declared here with its type, default and a help
text.  ``docs/configuration.md`` is generated from these declarations (``motcua manage
config_docs``) and a test keeps the two in step, so an operator never has to read code to learn
what can be set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["VARIABLES", "ImproperEnvironment", "Variable", "env", "render_markdown"]


class ImproperEnvironment(RuntimeError):
    """An environment variable has a value motcua cannot use."""


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "bool": _parse_bool,
    "list": _parse_list,
    "path": lambda raw: Path(raw).expanduser(),
}


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str
    default: Any
    help: str
    secret: bool = False

    def read(self) -> Any:
        raw = os.environ.get(self.name)
        if raw is None:
            return self.default
        try:
            return _PARSERS[self.kind](raw)
        except ValueError as exc:
            raise ImproperEnvironment(f"{self.name}: {exc}") from exc


VARIABLES: dict[str, Variable] = {}


def _declare(name: str, kind: str, default: Any, help: str, *, secret: bool = False) -> None:
    VARIABLES[name] = Variable(name=name, kind=kind, default=default, help=help, secret=secret)


_declare(
    "MOTCUA_ENV",
    "str",
    "development",
    "`development` (default: DEBUG on, demo accounts allowed) or `production` (DEBUG off, "
    "secure cookies, refuses to start without a real `SECRET_KEY`).",
)
_declare(
    "MOTCUA_DATA_DIR",
    "path",
    Path("var"),
    "Directory for the embedded SQLite database, uploaded files and generated static files. "
    "Relative paths are taken from the current directory. Created by `motcua up`.",
)
_declare(
    "DATABASE_URL",
    "str",
    "",
    "Database URL, e.g. `postgres://user:pass@host:5432/motcua`. Empty: SQLite (WAL mode) at "
    "`$MOTCUA_DATA_DIR/motcua.sqlite3`.",
)
_declare(
    "REDIS_URL",
    "str",
    "",
    "Redis URL for the cache and the Celery broker, e.g. `redis://127.0.0.1:6379/0`. Empty: "
    "in-process memory cache and in-process tasks (the embedded default).",
)
_declare(
    "SECRET_KEY",
    "str",
    "",
    "Django secret key (signs sessions and tokens). Required in production; in development an "
    "insecure fixed key is used when empty.",
    secret=True,
)
_declare(
    "ALLOWED_HOSTS",
    "list",
    ["127.0.0.1", "localhost", "[::1]"],
    "Comma-separated host names this site may be served under.",
)
_declare(
    "CSRF_TRUSTED_ORIGINS",
    "list",
    [],
    "Comma-separated origins (scheme + host) trusted for unsafe requests behind a proxy, "
    "e.g. `https://dichvucong.example.gov.vn`.",
)
_declare(
    "TIME_ZONE",
    "str",
    "Asia/Ho_Chi_Minh",
    "Time zone in which dates and times are shown and deadlines are computed. Datetimes are "
    "always stored in UTC.",
)
_declare(
    "LANGUAGE_CODE",
    "str",
    "vi",
    "Default interface language: `vi` (Vietnamese) or `en` (English). Users can switch.",
)
_declare(
    "MOTCUA_DEFAULT_PROVINCE",
    "str",
    "38",
    "Official code of the province this installation serves (used for the home page and "
    "demo data). Default `38` (Thanh Hóa).",
)
_declare(
    "MOTCUA_SEARCH_PAGE_SIZE",
    "int",
    20,
    "Number of rows per page in public lists and API lists unless the client asks otherwise.",
)
_declare(
    "MOTCUA_LOG_LEVEL",
    "str",
    "INFO",
    "Log level for motcua's own loggers (DEBUG, INFO, WARNING, ERROR).",
)

# Outbox (notifications app) and outgoing mail.
_declare(
    "MOTCUA_OUTBOX_MODE",
    "str",
    "auto",
    "Who delivers outbox messages (notifications, webhooks, sync): `thread` (a background "
    "thread in each web process, the embedded default), `celery` (Celery workers and beat, "
    "needs `REDIS_URL`), `external` (a separately run `motcua manage outbox_worker`) or `auto` "
    "(`celery` when `REDIS_URL` is set, otherwise `thread`). See docs/operations.md.",
)
_declare(
    "MOTCUA_OUTBOX_MAX_ATTEMPTS",
    "int",
    8,
    "Tries per outbox message before it is marked failed and shown to administrators.",
)
_declare(
    "MOTCUA_OUTBOX_BACKOFF_BASE",
    "int",
    30,
    "Seconds before the first retry; each further retry waits twice as long as the one "
    "before, up to `MOTCUA_OUTBOX_BACKOFF_CAP`.",
)
_declare(
    "MOTCUA_OUTBOX_BACKOFF_CAP",
    "int",
    3600,
    "Longest wait in seconds between two tries of an outbox message.",
)
_declare(
    "MOTCUA_OUTBOX_JITTER_PERCENT",
    "int",
    20,
    "Up to this percentage of each retry delay is taken off at random, so that messages that "
    "failed together do not retry together. 0: exact delays.",
)
_declare(
    "MOTCUA_OUTBOX_LEASE",
    "int",
    300,
    "Seconds a worker holds a message it is sending. If the worker dies, another one takes the "
    "message over after this time; keep it well above `MOTCUA_OUTBOX_TIMEOUT`.",
)
_declare(
    "MOTCUA_OUTBOX_POLL_INTERVAL",
    "int",
    15,
    "Seconds between two sweeps of the outbox for due retries and abandoned messages (Celery "
    "beat, the background thread and `outbox_worker`). New messages are sent at once.",
)
_declare(
    "MOTCUA_OUTBOX_BATCH",
    "int",
    10,
    "Messages a worker claims at a time.",
)
_declare(
    "MOTCUA_OUTBOX_TIMEOUT",
    "int",
    10,
    "Seconds a webhook call or an SMTP connection may take before the try counts as failed.",
)
_declare(
    "MOTCUA_OUTBOX_CRASH_AT",
    "str",
    "",
    "Testing only, ignored in production: a worker process exits abruptly at this point "
    "(`after_claim` or `after_send_before_mark`) to prove that no message is lost.",
)
_declare(
    "EMAIL_URL",
    "str",
    "",
    "Outgoing mail server: `smtp://user:pass@host:25`, `smtp+tls://…:587` (STARTTLS), "
    "`smtps://…:465` or `console:` (print mail to the log). Empty: `console:` in development; "
    "in production Django's SMTP defaults (localhost:25).",
    secret=True,
)
_declare(
    "EMAIL_FROM",
    "str",
    "motcua <noreply@localhost>",
    "Sender address of outgoing e-mail; its domain also names the `Message-ID` of each mail.",
)


# Accounts: a national identity provider (VNeID or another OpenID Connect provider).
_declare(
    "MOTCUA_OIDC_SERVER_URL",
    "str",
    "",
    "Issuer URL of an OpenID Connect identity provider for citizens' login (its "
    "`/.well-known/openid-configuration` is read from there). Empty: no such login button. "
    "Register `<site>/tai-khoan/oidc/vneid/login/callback/` as the redirect URI.",
)
_declare(
    "MOTCUA_OIDC_CLIENT_ID",
    "str",
    "",
    "Client id given to this installation by the identity provider.",
)
_declare(
    "MOTCUA_OIDC_CLIENT_SECRET",
    "str",
    "",
    "Client secret given to this installation by the identity provider.",
    secret=True,
)
_declare(
    "MOTCUA_OIDC_NAME",
    "str",
    "VNeID",
    "Name of the identity provider shown on the login button.",
)
_declare(
    "MOTCUA_OIDC_ID_NUMBER_CLAIM",
    "str",
    "citizen_id",
    "Claim of the identity provider that holds the 12-digit personal identification number "
    "(no standard claim exists; UNCONFIRMED for VNeID). Name, `birthdate` and a verified "
    "`phone_number` are read from the standard claims.",
)


def env(name: str) -> Any:
    """Return the typed value of a declared variable."""
    return VARIABLES[name].read()


def render_markdown() -> str:
    """The body of docs/configuration.md, generated from the declarations."""
    lines = [
        "# Configuration",
        "",
        "motcua reads its configuration from environment variables only (12-factor). This page "
        "is generated from `src/motcua/config/env.py` by `motcua manage config_docs`; a test "
        "fails when the two disagree.",
        "",
        "| Variable | Type | Default | Meaning |",
        "|---|---|---|---|",
    ]
    for var in VARIABLES.values():
        if isinstance(var.default, list):
            default = ",".join(var.default) or "(empty)"
        else:
            default = str(var.default) if var.default != "" else "(empty)"
        if var.secret:
            default = "(none — secret)"
        lines.append(f"| `{var.name}` | {var.kind} | `{default}` | {var.help} |")
    lines += [
        "",
        "Runtime-tunable rules (working hours, holiday overrides, procedure deadlines) are not "
        "environment variables: they live in the database and administrators edit them in the "
        "admin.",
        "",
    ]
    return "\n".join(lines)


# --- dossiers: codes, the legal clock, uploads, public tracking (issue 3) --------------------
_declare(
    "MOTCUA_DOSSIER_CODE_AGENCY_ID",
    "str",
    "legacy",
    "Which identifier of the receiving agency heads dossier codes `<agency id>-<yyMMdd>-<NNNN>`: "
    "`legacy` (QĐ 20/2020 electronic identifier, e.g. `000.00.00.H56`) or `dvcqg` (national "
    "portal short code, e.g. `H56.123`); the other kind, then motcua's own code, when missing "
    "(ADR 0003).",
)
_declare(
    "MOTCUA_DOSSIER_CODE_START",
    "int",
    1,
    "First number of each agency's daily dossier sequence (SPEC.md §2.1: 0001).",
)
_declare(
    "MOTCUA_TIMELINESS_CONVENTION",
    "str",
    "report06",
    "How a finished dossier is classified early/on time/late when stored: `report06` (by date, "
    "Biểu 06), `index766` (by instant, >1 supplementation = late) or `half_day` (OpenCPS). "
    "Reports compute every convention from the stored times (SPEC.md §3.5).",
)
_declare(
    "MOTCUA_STEP_TIMELINESS",
    "str",
    "half_day",
    "Convention for each internal step on the Phiếu kiểm soát (same values as above).",
)
_declare(
    "MOTCUA_SUPPLEMENT_MAX_REQUESTS",
    "int",
    1,
    "How many supplementation requests one dossier may receive during processing (SPEC.md §1.4: "
    "once; UNCONFIRMED wording).",
)
_declare(
    "MOTCUA_EXTENSION_MAX",
    "int",
    1,
    "How many times an appointment may be extended with an apology (SPEC.md §1.4: once, "
    "UNCONFIRMED).",
)
_declare(
    "MOTCUA_FORMS_TT03_FROM",
    "str",
    "2025-07-01",
    "Reception date from which the forms of Thông tư 03/2025/TT-VPCP replace those of TT 01/2018.",
)
_declare("MOTCUA_UPLOAD_MAX_MB", "int", 20, "Largest accepted upload, in megabytes.")
_declare(
    "MOTCUA_STAFF_IDLE_MINUTES",
    "int",
    30,
    "Officials are signed out of the back office after this many minutes without activity.",
)
_declare(
    "MOTCUA_UPLOAD_RATE",
    "str",
    "100/h",
    "Files one account may upload on the portal (`N/s`, `N/m` or `N/h`); more are refused "
    "with a message saying when to try again.",
)
_declare(
    "MOTCUA_TRUST_ROOTS",
    "list",
    [],
    "Comma-separated paths of PEM files with the root certificates a signed result must chain "
    "to (the national root CA and the licensed CAs' roots). Outside production the "
    "development PKI's root (`<data dir>/pki/root.pem`, `motcua pki init`) is trusted too.",
)
_declare(
    "MOTCUA_TRUST_CRLS",
    "list",
    [],
    "Comma-separated paths of certificate revocation lists (PEM or DER) held locally, e.g. "
    "downloaded daily from the licensed CAs: a signature whose certificate they list as revoked "
    "is not genuine. Outside production the development PKI's `<data dir>/pki/root.crl` "
    "(`motcua pki revoke`) is read too.",
)
_declare(
    "MOTCUA_REVOCATION_FETCH",
    "bool",
    False,
    "Let the verifier ask the CAs' OCSP responders and fetch the CRLs named in the "
    "certificates (network access from the server). Off: only `MOTCUA_TRUST_CRLS` is used.",
)
_declare(
    "MOTCUA_PUBLIC_URL",
    "str",
    "http://127.0.0.1:8000",
    "Public address of the portal, printed in QR codes and e-mails.",
)
_declare(
    "MOTCUA_PUBLIC_LOOKUP_RATE",
    "str",
    "30/m",
    "Public dossier tracking: requests allowed per client address (`N/s`, `N/m` or `N/h`).",
)
_declare(
    "MOTCUA_TSA_URL",
    "str",
    "",
    "URL of an RFC 3161 time-stamping authority (e.g. a licensed CA's TSA). When set, every "
    "result's signatures carry its timestamp (PAdES B-T); when empty they are B-B.",
)
_declare(
    "MOTCUA_SIGNING_KEYS",
    "str",
    "",
    "Path of the JSON file that says which key signs for each leader (`people`, by username) "
    "and each agency's seal (`seals`, by agency code): a PKCS#12 file, a PKCS#11 token "
    "(module, token label, key label) or a remote signing provider, with secrets named by "
    "environment variable or typed at signing (docs/documents.md). Outside production, "
    "anyone without an entry signs with the development PKI.",
)
_declare(
    "MOTCUA_VERIFY_RATE",
    "str",
    "20/m",
    "Public verification of signed PDFs (`/xac-thuc/`, the API): checks allowed per client "
    "address (`N/s`, `N/m` or `N/h`); each check of an uploaded file costs real CPU.",
)
_declare(
    "MOTCUA_PUBLIC_LOOKUP_FAIL_RATE",
    "str",
    "10/m",
    "Public dossier tracking: failed lookups (unknown code or wrong phone digits) allowed per "
    "client address; slows guessing the four digits.",
)
_declare(
    "MOTCUA_TRUSTED_PROXIES",
    "list",
    [],
    "Addresses of reverse proxies whose X-Forwarded-For header is believed (rate limits).",
)
_declare(
    "MOTCUA_DRAFT_DAYS",
    "int",
    30,
    "Days an online submission draft is kept after its last change (a warning shows in the last "
    "3 days).",
)

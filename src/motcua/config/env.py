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

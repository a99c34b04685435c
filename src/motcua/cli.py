"""The ``motcua`` command.

    motcua up [--host H] [--port P] [--data-dir DIR] [--no-demo] [--workers N] [--no-serve]
    motcua check
    motcua manage <django management command> [args…]

``up`` is idempotent: create the data directory, migrate, load the reference data (provinces,
communes, their units, the procedure catalogue), create the demo accounts and print them, add the
demo history and the development PKI (outside production), collect static files, then serve
with a production server (granian; see docs/adr/0002).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _setup(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["MOTCUA_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_up(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.conf import settings
    from django.core.management import call_command

    started = time.perf_counter()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    _say(f"motcua: data directory {settings.DATA_DIR}")
    call_command("migrate", interactive=False, verbosity=0)
    _say("motcua: database migrated")
    call_command("load_reference", verbosity=1)
    call_command("reports", "rebuild", "--if-needed", verbosity=1)
    if not args.no_demo:
        if settings.PRODUCTION:
            _say("motcua: production mode — demo accounts are not created")
        else:
            call_command("load_demo", verbosity=1)
            call_command("load_demo_history", verbosity=1)
            call_command("pki", "init", verbosity=1)  # the demo signers' keys (issue 7)
            from motcua.dossiers.services.demo import demo_dossiers_to_sign

            if added := demo_dossiers_to_sign():
                _say(f"motcua: {added} demo dossiers wait for demo.lanhdao to sign their result")
    call_command("collectstatic", interactive=False, verbosity=0)
    _say(f"motcua: ready in {time.perf_counter() - started:.1f} s")
    if args.no_serve:
        return 0
    return serve(host=args.host, port=args.port, workers=args.workers)


def serve(*, host: str, port: int, workers: int) -> int:
    _say(f"motcua: serving on http://{host}:{port}/ (Ctrl+C to stop)")
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        "4",
        "--no-ws",
        "motcua.config.wsgi:application",
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
    return 0  # pragma: no cover


def cmd_check(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("check", deploy=settings.PRODUCTION)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pending = _pending_migrations()
    _say(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if pending:
        _say(f"pending migrations: {pending} — run `motcua up` or `motcua manage migrate`")
        return 1
    _say("motcua: all checks passed")
    return 0


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def cmd_manage(argv: list[str]) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["motcua manage", *argv])
    return 0


# Domain commands available as ``motcua <name> …`` (each a Django management command; ``--help``
# on any of them lists its options).
ALIASES = {
    "token": "token",  # motcua token create <username>
    "import-dossiers": "import_dossiers",  # motcua import-dossiers FILE
    "verify-events": "verify_events",  # motcua verify-events
    "outbox-worker": "outbox_worker",  # motcua outbox-worker [--once]
    "reports": "reports",  # motcua reports rebuild [--check]
    "bench": "bench",  # motcua bench generate --dossiers N --province CODE
    "pki": "pki",  # motcua pki init [--force] (development PKI, never in production)
    "verify-pdf": "verify_pdf",  # motcua verify-pdf FILE [--trust PEM]
    "verify-files": "verify_files",  # motcua verify-files (re-hash the stored files)
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    if argv and argv[0] in ALIASES:
        return cmd_manage([ALIASES[argv[0]], *argv[1:]])

    parser = argparse.ArgumentParser(prog="motcua", description="motcua platform command")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="set up (idempotent) and serve the platform")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--data-dir", help="data directory (default $MOTCUA_DATA_DIR or ./var)")
    up.add_argument("--no-demo", action="store_true", help="do not create demo accounts")
    up.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    up.add_argument("--no-serve", action="store_true", help="set up, then exit without serving")
    up.set_defaults(func=cmd_up)
    check = sub.add_parser("check", help="check configuration, database and migrations")
    check.add_argument("--data-dir")
    check.set_defaults(func=cmd_check)
    sub.add_parser("manage", help="run a Django management command")
    for alias, command in ALIASES.items():
        sub.add_parser(alias, help=f"(management command {command}; --help for its options)")
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

"""Periodic dossier work (Celery beat in production; ``motcua manage`` commands otherwise)."""

from __future__ import annotations

from celery import shared_task

from motcua.dossiers.services.lifecycle import dossiers_mark_overdue


@shared_task(name="motcua.dossiers.mark_overdue")
def mark_overdue() -> int:
    """Flag open dossiers past their appointment (SPEC.md §1.7 flag ``is_overdue``)."""
    return dossiers_mark_overdue()


@shared_task(name="motcua.dossiers.purge_drafts")
def purge_drafts() -> int:
    """Delete online submission drafts past their expiry (``MOTCUA_DRAFT_DAYS``)."""
    from motcua.dossiers.services.drafts import drafts_purge_expired

    return drafts_purge_expired()

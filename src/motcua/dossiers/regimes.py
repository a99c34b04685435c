"""Which legal regime's forms apply to a dossier (SPEC.md §1.1, §1.8): Thông tư 01/2018/TT-VPCP
for dossiers received until 30/06/2025, Thông tư 03/2025/TT-VPCP from 01/07/2025. The cut-over
date is the setting ``MOTCUA_FORMS_TT03_FROM``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from motcua.dossiers.choices import FormRegime

DEFAULT_CUTOVER = dt.date(2025, 7, 1)


def cutover() -> dt.date:
    value = getattr(settings, "MOTCUA_FORMS_TT03_FROM", DEFAULT_CUTOVER)
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def regime_for(day: dt.date) -> FormRegime:
    return FormRegime.TT03_2025 if day >= cutover() else FormRegime.TT01_2018


def regime_for_dossier(dossier) -> FormRegime:
    moment = dossier.received_at or dossier.submitted_at
    day = timezone.localdate(moment) if moment else timezone.localdate()
    return regime_for(day)

"""The demo's dossiers waiting for the leader's signature (issue 7): made through the services
at the demo commune's desk, at the leader's step, added once, never in production."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.demo import APPLICANTS, demo_dossiers_to_sign


@pytest.mark.django_db
def test_two_dossiers_wait_for_the_demo_leader_once(settings):
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)
    settings.PRODUCTION = True
    assert demo_dossiers_to_sign() == 0
    settings.PRODUCTION = False
    assert demo_dossiers_to_sign() == len(APPLICANTS)
    assert demo_dossiers_to_sign() == 0  # idempotent while they wait
    waiting = list(Dossier.objects.select_related("current_step"))
    assert len(waiting) == len(APPLICANTS)
    assert all(d.state == DossierState.IN_PROCESS for d in waiting)
    assert all(d.current_step.role == "agency_leader" for d in waiting)

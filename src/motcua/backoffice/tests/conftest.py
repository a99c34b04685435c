from __future__ import annotations

import pytest

from motcua.accounts.tests.mfa import mfa_login, with_totp  # noqa: F401
from motcua.dossiers.tests.conftest import applicant_user, c1_staff, c2_staff, catalogue  # noqa: F401


@pytest.fixture
def desk(tree):
    return tree.c1_units["pvhcc"]

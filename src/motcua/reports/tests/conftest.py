from __future__ import annotations

from motcua.dossiers.tests.conftest import (  # noqa: F401
    applicant_user,
    c1_staff,
    c2_staff,
    catalogue,
    p1_staff,
)
from motcua.reports.tests.crafted import ctx  # noqa: F401

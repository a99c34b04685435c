# The dossier fixtures (catalogue, officials per role, an applicant) serve these tests too.
from motcua.dossiers.tests.conftest import applicant_user, c1_staff, c2_staff, catalogue

__all__ = ["applicant_user", "c1_staff", "c2_staff", "catalogue"]

from __future__ import annotations

import pytest

from motcua.dossiers.tests.factories import citizen, load_catalogue, staff_at


@pytest.fixture
def catalogue(db):
    return load_catalogue()


@pytest.fixture
def c1_staff(tree):
    return staff_at(tree.c1, "c1")


@pytest.fixture
def c2_staff(tree):
    return staff_at(tree.c2, "c2")


@pytest.fixture
def p1_staff(tree):
    return staff_at(tree.p1, "p1")


@pytest.fixture
def applicant_user(db):
    return citizen("an")

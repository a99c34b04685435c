"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from motcua.org.tests.factories import build_tree


@pytest.fixture
def tree(db):
    """Two provinces; the first with two communes (each with its units), the second with one."""
    return build_tree()

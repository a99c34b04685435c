"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from motcua.org.tests.factories import build_tree


@pytest.fixture
def tree(db):
    """Two provinces; the first with two communes (each with its units), the second with one."""
    return build_tree()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; PBKDF2's deliberate slowness is not what they measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_a_temporary_directory(settings, tmp_path_factory):
    """Uploaded files of a test go to a directory of its own, never to the data directory."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _no_local_keys(settings, tmp_path_factory):
    """Signing keys only from what a test configures: never the development PKI a developer's
    ``motcua up`` wrote under the data directory, nor their ``MOTCUA_SIGNING_KEYS``."""
    settings.MOTCUA_SIGNING_KEYS = ""
    settings.DATA_DIR = tmp_path_factory.getbasetemp() / "data"

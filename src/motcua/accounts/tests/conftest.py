from motcua.accounts.tests.mfa import admin_client  # noqa: F401  (signed in with a code)
from motcua.portal.tests.test_browser import browser  # noqa: F401  (the Chromium fixture)

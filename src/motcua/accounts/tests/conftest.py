from motcua.portal.tests.test_browser import browser  # noqa: F401  (the Chromium fixture)

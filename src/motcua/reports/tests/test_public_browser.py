"""The public statistics pages in Chromium at 360 and 1280 px: axe-core finds nothing, no
horizontal overflow, one h1, nothing blocked by the Content-Security-Policy; the charts are
followed by tables of the same numbers (issue 6, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from motcua.portal.tests import test_browser as browsing
from motcua.reports.tests.crafted import crafted

CHROMIUM, PHONE, audited = browsing.CHROMIUM, browsing.PHONE, browsing.audited
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]
browser = browsing.browser  # the module-scoped Chromium of the portal's browser tests
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(live_server, settings, ctx):
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    crafted(ctx)
    return live_server.url


@pytest.mark.django_db(transaction=True)
def test_public_statistics_pages(browser, site, ctx):
    pages = ["/thong-ke/", f"/thong-ke/{ctx.tree.p1.code}/", f"/thong-ke/{ctx.tree.c1.code}/"]
    for path in pages:
        for viewport in (PHONE, DESKTOP):
            with audited(browser, site + path, cookies=[], viewport=viewport, step=path) as (
                tab,
                _,
            ):
                assert tab.locator("table").count() >= 1
                if path != "/thong-ke/":
                    # Every chart is an image with a label, and a table follows it.
                    assert tab.locator("svg[role=img][aria-label]").count() == 2

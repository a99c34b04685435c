"""Back-office pages in Debian's Chromium with axe-core, at 360 and 1280 px (issue 5: "axe-core
finds no violations on the back-office pages")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from motcua.backoffice.tests.conftest import mfa_login
from motcua.backoffice.tests.test_queues import in_process
from motcua.portal.tests import test_browser as base

pytestmark = base.pytestmark
browser = base.browser
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def office(live_server, settings, c1_staff, applicant_user, catalogue, tree):
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    desk = tree.c1_units["pvhcc"]
    d = in_process(
        c1_staff, applicant_user, catalogue["1.004873"], desk, assignee=c1_staff.specialist
    )
    client = Client()
    mfa_login(client, c1_staff.unit_leader)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return {"url": live_server.url, "cookie": cookie, "dossier": d}


@pytest.mark.parametrize("viewport", [base.PHONE, WIDE], ids=["360", "1280"])
@pytest.mark.parametrize("which", ["home", "queue", "filtered", "dossier"])
def test_back_office_pages_have_no_axe_violations(browser, office, viewport, which):
    path = {
        "home": "/can-bo/",
        "queue": "/can-bo/hang-doi/don-vi/",
        "filtered": "/can-bo/hang-doi/qua-han/?thu-tuc=1.004873",
        "dossier": f"/can-bo/ho-so/{office['dossier'].code}/",
    }[which]
    context = browser.new_context(viewport=viewport, locale=base.VI)
    context.add_cookies([office["cookie"]])
    page = context.new_page()
    try:
        response = page.goto(office["url"] + path)
        assert response.status == 200, page.url
        assert page.locator("h1").count() == 1
        if which == "dossier":  # the action forms too, not only their summaries
            assert page.locator(".desk-actions details").count() >= 1
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        results = base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()

"""The submission flow in a real browser: completed with JavaScript disabled on a 360 px phone,
then every page of it checked by axe-core at 360 px and 1280 px, with its weight printed and a
screenshot saved under docs/screenshots/ (see test_browser.py for the set-up)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.org.tests.factories import UserFactory
from motcua.portal.tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PHONE,
    VI,
    _axe,
    browser,
    site,
)
from motcua.portal.tests.test_submit import BIRTH, CHILD, MOTHER, PDF, REQUESTER, birth  # noqa: F401

# The new msgids are not translated yet: the buttons are found by their English msgids.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]
WIDE = {"width": 1280, "height": 900}
SHOTS = Path(django_settings.BASE_DIR).parents[1] / "docs" / "screenshots"


def _login_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def test_submission_flow_without_javascript_is_accessible_and_light(browser, site, birth):  # noqa: F811
    user = UserFactory(
        username="hoa-browser", full_name="Lê Thị Hoa", id_number="038190000124", phone=""
    )
    cookie = _login_cookie(user, site)
    Axe = _axe()
    SHOTS.mkdir(parents=True, exist_ok=True)
    audits = []
    for viewport in (PHONE, WIDE):
        ctx = browser.new_context(viewport=viewport, locale=VI)
        ctx.add_cookies([cookie])
        audits.append((viewport, ctx))
    context = browser.new_context(viewport=PHONE, locale=VI, java_script_enabled=False)
    context.add_cookies([cookie])
    page = context.new_page()
    count = [0]

    def seen(step: str) -> None:
        """Check the page the flow is on in browsers with JavaScript (axe needs it)."""
        count[0] += 1
        for viewport, ctx in audits:
            tab = ctx.new_page()
            sizes: list[int] = []
            tab.route("**/*", lambda route: route.continue_())  # no cache between pages
            tab.on("response", lambda r, sizes=sizes: sizes.append(len(r.body())))
            response = tab.goto(page.url)
            assert response is not None and response.status == 200, (step, page.url)
            width = tab.evaluate("document.scrollingElement.scrollWidth")
            assert width <= viewport["width"], step
            results = Axe().run(tab)
            assert results.violations_count == 0, (step, results.generate_report())
            assert tab.locator("h1").count() == 1, step
            if viewport is PHONE:
                print(f"page weight {step}: {sum(sizes)} bytes ({len(sizes)} responses)")
                tab.screenshot(path=str(SHOTS / f"submit-{count[0]}-{step}.png"))
            tab.close()

    try:
        page.goto(f"{site}/thu-tuc/{BIRTH}/")
        page.locator(f'a[href="/nop-ho-so/{BIRTH}/"]').click()
        seen("start")
        page.locator("button.button--start").click()
        page.select_option("#id_province", "38")
        page.get_by_role("button", name="Xem danh sách xã").click()
        page.select_option("#id_commune", "14848")
        seen("where")
        page.locator('form.location[method="post"] button').click()
        for number, answers in enumerate([REQUESTER, CHILD, MOTHER, {}, {}], start=1):
            seen(f"page{number}")
            for name, value in answers.items():
                radio = page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
                if radio.count():
                    radio.check()
                else:
                    page.fill(f'[name="{name}"]', value)
            if number == 5:
                page.check('input[name="declaration"]')
            page.locator('main form[method="post"] button[type="submit"]').click()
            assert "to-khai" not in page.url or f"/{number + 1}/" in page.url, page.content()
        seen("documents")
        for index, input_ in enumerate(page.locator('input[type="file"]').all()):
            input_.set_input_files(
                {
                    "name": f"tep-{index}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": PDF + bytes([index]),
                }
            )
            section = page.locator("section.submit-doc").nth(index)
            section.locator('form[enctype] button[type="submit"]').click()
        page.locator('input[value="continue"] ~ div button').click()
        seen("check")
        page.locator("main a.button").click()
        seen("declare")
        page.check("#id_confirm")
        page.locator('main form[method="post"] button[type="submit"]').click()
        seen("done")
        dossier = Dossier.objects.get(owner=user)
        assert dossier.code in page.locator(".submit-code").inner_text()
    finally:
        context.close()
        for _viewport, ctx in audits:
            ctx.close()

"""The dossier desk in full (issue 5, items 4 and 5): the submitted documents with previews
inside the desk's scope, the forms as PDF through the back office, fees, the step plan with
early / on time / late, and the inter-agency parts seen from both agencies; the page costs the
same number of queries however much the dossier holds."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.backoffice.tests.conftest import mfa_login
from motcua.catalog.choices import Channel
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier, DossierComponent, DossierFee
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import applicant, staff_at, vn
from motcua.dossiers.tests.test_clock import CAL
from motcua.portal.tests import test_browser as browser_base

PDF = b"%PDF-1.4\n% ban sao giay to\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
T0 = vn(2026, 3, 9, 8, 0)  # Monday, inside working hours (07:30–11:30, 13:00–17:00)


def _data(version, agency, *, files: int = 2) -> svc.DossierIn:
    """The mandatory components of ``version``; the first ``files`` of them carry a file (a PDF,
    then a PNG, …); another one without a file is added at the end."""
    items = []
    mandatory = [c for c in version.components.all() if c.mandatory]
    for index in range(files):
        catalogue_item = mandatory[index % len(mandatory)]
        image = index % 2 == 1
        items.append(
            svc.ComponentIn(
                component=catalogue_item,
                name=f"{catalogue_item.name} ({index + 1})",
                is_original=image,
                quantity=2 if image else 1,
                # distinct contents: each component has its own stored file
                content=(PNG if image else PDF) + str(index).encode(),
                file_name=f"giay-to-{index + 1}.{'png' if image else 'pdf'}",
                digitised=image,
            )
        )
    items.append(svc.ComponentIn(name="Bản sao sổ hộ khẩu", quantity=1))
    variant = version.variants.get(is_default=True)
    return svc.DossierIn(
        version=version,
        variant=variant,
        receiving_agency=agency,
        applicant=applicant(),
        channel=Channel.ONLINE,
        components=items,
    )


def _in_process(staff, owner, version, desk, *, files: int = 2) -> Dossier:
    d = svc.dossier_submit(actor=owner, data=_data(version, desk, files=files), at=T0)
    svc.dossier_receive(actor=staff.reception, dossier=d, at=T0)
    svc.dossier_handover(actor=staff.reception, dossier=d, at=T0 + dt.timedelta(minutes=30))
    d.refresh_from_db()
    return d


@pytest.fixture
def version(catalogue):
    return catalogue["1.004873"]


@pytest.fixture
def p1_staff(tree):
    """Officials of the province, whose Department of Justice is the partner agency."""
    return staff_at(tree.p1, "p1")


@pytest.fixture
def dossier(c1_staff, applicant_user, version, desk):
    return _in_process(c1_staff, applicant_user, version, desk)


def _component(dossier: Dossier, content_type: str) -> DossierComponent:
    return dossier.components.select_related("file").get(file__content_type=content_type)


def _url(dossier: Dossier, component: DossierComponent) -> str:
    return f"/can-bo/ho-so/{dossier.code}/tai-lieu/{component.pk}/"


def _assert_sealed(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    if response["Content-Type"] == "application/pdf":
        # Chromium's PDF viewer refuses sandboxed documents: an inline PDF may only be framed
        # by our pages (downloads.seal)
        assert policy == "frame-ancestors 'self'"
    else:
        assert "sandbox" in policy and "default-src 'none'" in policy
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


# -- documents --------------------------------------------------------------------------------


def test_the_desk_lists_each_document_with_its_details_and_previews(client, dossier, c1_staff):
    pdf, png = _component(dossier, "application/pdf"), _component(dossier, "image/png")
    mfa_login(client, c1_staff.specialist)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    # each stored file has a link to view it in place; the image also a thumbnail named after it
    assert f'href="{_url(dossier, pdf)}"' in page and f'href="{_url(dossier, png)}"' in page
    thumbnails = re.findall(r'<img class="doc-thumb" src="([^"]+)" alt="([^"]+)"', page)
    assert thumbnails == [(_url(dossier, png), png.name)]
    assert "giay-to-1.pdf" in page and "giay-to-2.png" in page
    no_file = dossier.components.get(file=None)
    assert no_file.name in page
    assert f"/tai-lieu/{no_file.pk}/" not in page


@pytest.mark.parametrize(
    ("content_type", "magic"), [("application/pdf", b"%PDF-"), ("image/png", b"\x89PNG")]
)
def test_a_document_is_shown_in_place_and_sealed(client, dossier, c1_staff, content_type, magic):
    component = _component(dossier, content_type)
    mfa_login(client, c1_staff.specialist)
    response = client.get(_url(dossier, component))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(magic)
    _assert_sealed(response)


def test_a_document_only_inside_the_scope(
    client, dossier, c1_staff, c2_staff, applicant_user, version, desk
):
    pdf = _component(dossier, "application/pdf")
    other = _in_process(c1_staff, applicant_user, version, desk)
    foreign = other.components.exclude(file=None).first()
    no_file = dossier.components.get(file=None)

    mfa_login(client, c2_staff.specialist)  # another commune
    assert client.get(_url(dossier, pdf)).status_code == 404
    mfa_login(client, c1_staff.specialist)
    # a component of another dossier under this dossier's code, one without a file, none at all
    assert client.get(_url(dossier, foreign)).status_code == 404
    assert client.get(_url(dossier, no_file)).status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tai-lieu/999999/").status_code == 404
    client.logout()
    assert client.get(_url(dossier, pdf)).status_code == 302  # to sign in
    client.force_login(applicant_user)  # the applicant is no official: the back office is 404
    assert client.get(_url(dossier, pdf)).status_code == 404


# -- forms ------------------------------------------------------------------------------------


def test_forms_are_printed_through_the_back_office(client, dossier, c1_staff):
    mfa_login(client, c1_staff.specialist)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    # named as on the form (SPEC.md §1.8), linked to the back office, not the API
    receipt = f"/can-bo/ho-so/{dossier.code}/bieu-mau/receipt.pdf"
    assert f'<a href="{receipt}">Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả</a>' in page
    assert "/api/v1/dossiers/" not in page
    for path in (receipt, f"/can-bo/ho-so/{dossier.code}/bieu-mau/01.pdf"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert response["Content-Disposition"] == f'inline; filename="{dossier.code}-receipt.pdf"'
        _assert_sealed(response)


@pytest.mark.parametrize("form", ["99", "register", "07", "apology", "nonsense"])
def test_a_form_that_does_not_apply_is_404(client, dossier, c1_staff, form):
    mfa_login(client, c1_staff.specialist)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/bieu-mau/{form}.pdf").status_code == 404


def test_forms_only_inside_the_scope(client, dossier, c2_staff):
    mfa_login(client, c2_staff.specialist)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/bieu-mau/receipt.pdf").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/bieu-mau/01.pdf").status_code == 404


# -- fees -------------------------------------------------------------------------------------


def test_fees_with_their_amount_and_payment(client, dossier, c1_staff):
    DossierFee.objects.create(
        dossier=dossier, name="Lệ phí cấp giấy xác nhận", kind="charge", amount=Decimal(50000)
    )
    mfa_login(client, c1_staff.specialist)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Lệ phí cấp giấy xác nhận" in page and "50.000 đ" in page
    payment = svc.dossier_request_payment(
        actor=c1_staff.specialist, dossier=dossier, at=T0 + dt.timedelta(hours=2)
    )
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "10:00 09/03/2026" in page  # requested, not paid yet
    svc.dossier_confirm_payment(
        actor=c1_staff.reception, dossier=dossier, at=T0 + dt.timedelta(hours=3)
    )
    payment.refresh_from_db()
    assert payment.paid_at is not None
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "11:00 09/03/2026" in page  # paid


# -- the step plan ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 3, 10, 16, 0), "early"),  # the day before the due date
        (vn(2026, 3, 11, 7, 30), "on_time"),  # the due date, before the due hour
        (vn(2026, 3, 11, 16, 59), "on_time"),  # the due date, after the due hour
        (vn(2026, 3, 12, 8, 0), "late"),  # the day after
    ],
)
def test_a_finished_step_is_judged_by_its_due_date(finished, expected):
    # SPEC.md §3.5 (a), §7.1 cols 8–10 (Biểu số 06): completion date against the due date.
    result = selectors.timing(
        due=vn(2026, 3, 11, 15, 30), finished=finished, now=None, calendar=CAL
    )
    assert (result.label, result.left) == (expected, None)
    assert result.late is (expected == "late")


def test_a_running_step_counts_working_time_left_or_overdue():
    # SPEC.md §3.2, §3.6: working time only (07:30–11:30, 13:00–17:00); none over the weekend.
    due = vn(2026, 3, 13, 16, 0)  # Friday
    ahead = selectors.timing(due=due, finished=None, now=vn(2026, 3, 13, 10, 0), calendar=CAL)
    assert ahead.left == dt.timedelta(hours=4, minutes=30) and not ahead.late and not ahead.label
    behind = selectors.timing(due=due, finished=None, now=vn(2026, 3, 16, 8, 30), calendar=CAL)
    assert behind.left == -dt.timedelta(hours=2) and behind.late
    # a closed dossier: an unfinished step has no timing any more
    assert selectors.timing(due=due, finished=None, now=None, calendar=CAL) == selectors.Timing()


def test_the_step_plan_of_a_dossier(client, dossier, c1_staff):
    """Steps of 1.004873 (4 + 14 + 4 + 2 working hours, SPEC.md §3.6) from Mon 09/03/2026."""
    svc.dossier_handover(actor=c1_staff.specialist, dossier=dossier, at=vn(2026, 3, 9, 15, 0))
    svc.dossier_handover(actor=c1_staff.agency_leader, dossier=dossier, at=vn(2026, 3, 11, 8, 0))
    detail = selectors.dossier_detail(c1_staff.agency_leader, dossier.code)

    plan = selectors.dossier_desk(detail, now=vn(2026, 3, 11, 9, 0)).steps
    rows = [
        (
            r.step.name,
            r.step.started_at,
            r.step.due_at,
            r.step.finished_at,
            r.handled_by,
            r.timing.label,
        )
        for r in plan
    ]
    # Finished steps show the label recorded when they closed, as Phiếu kiểm soát prints it
    # (MOTCUA_STEP_TIMELINESS, by default by half working day, SPEC.md §3.5 (c)).
    assert rows == [
        # received 08:00, 4 h → 13:30; handed over at 08:30, the morning before: early
        (
            "Tiếp nhận",
            T0,
            vn(2026, 3, 9, 13, 30),
            vn(2026, 3, 9, 8, 30),
            c1_staff.reception,
            "early",
        ),
        # 14 h from Mon 08:30 → Tue 16:00; done Mon 15:00: early
        (
            "Thẩm định",
            vn(2026, 3, 9, 8, 30),
            vn(2026, 3, 10, 16, 0),
            vn(2026, 3, 9, 15, 0),
            c1_staff.specialist,
            "early",
        ),
        # 4 h from Mon 15:00 → Tue 09:30; done Wed 08:00: late
        (
            "Ký duyệt",
            vn(2026, 3, 9, 15, 0),
            vn(2026, 3, 10, 9, 30),
            vn(2026, 3, 11, 8, 0),
            c1_staff.agency_leader,
            "late",
        ),
        # 2 h from Wed 08:00 → 10:00, running
        ("Phát hành, trả kết quả", vn(2026, 3, 11, 8, 0), vn(2026, 3, 11, 10, 0), None, None, ""),
    ]
    assert plan[-1].timing.left == dt.timedelta(hours=1)
    later = selectors.dossier_desk(detail, now=vn(2026, 3, 11, 14, 0)).steps[-1].timing
    assert later.left == -dt.timedelta(hours=2, minutes=30) and later.late

    mfa_login(client, c1_staff.agency_leader)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    for label in ("early", "late"):
        assert f'class="timing timing--{label}"' in page


def test_a_paused_step_stops_counting(dossier, c1_staff):
    # SPEC.md §3.4: while the applicant supplements no working time passes.
    svc.dossier_request_supplement(
        actor=c1_staff.specialist,
        dossier=dossier,
        reason="Bản sao mờ",
        items=["CCCD"],
        at=vn(2026, 3, 9, 10, 0),
    )
    detail = selectors.dossier_detail(c1_staff.specialist, dossier.code)
    running = selectors.dossier_desk(detail, now=vn(2026, 3, 20, 9, 0)).steps[-1]
    # due Tue 10/03 16:00; paused Mon 09/03 10:00: 1 h 30 + 4 h + 4 h + 3 h left
    assert running.timing.left == dt.timedelta(hours=12, minutes=30)


# -- inter-agency (liên thông) -------------------------------------------------------------------


def test_inter_agency_progress_is_seen_from_both_agencies(
    client, dossier, c1_staff, c2_staff, p1_staff, tree
):
    """SPEC.md §1.5: the partner does its part in its time slice and sends the dossier back;
    the origin follows it, and the partner keeps seeing the dossier it worked on."""
    partner = tree.p1_units["tu-phap"]
    svc.dossier_transfer(
        actor=c1_staff.specialist,
        dossier=dossier,
        to_agency=partner,
        hours=8,
        reason="Xin ý kiến Sở Tư pháp",
        at=vn(2026, 3, 9, 10, 0),
    )
    desk_url = f"/can-bo/ho-so/{dossier.code}/"
    pdf = _component(dossier, "application/pdf")

    def section(page: str) -> str:
        start = page.index('id="transfers-heading"')
        return page[start : page.index("</table>", start)]

    # the partner's official finds it in the incoming queue, opens it and may send it back
    mfa_login(client, p1_staff.specialist)
    assert dossier.code in client.get("/can-bo/hang-doi/lien-thong-den/").content.decode()
    page = client.get(desk_url).content.decode()
    assert 'id="action-transfer_back"' in page
    part = section(page)
    assert "Xin ý kiến Sở Tư pháp" in part
    assert "10:00 09/03/2026" in part and "10:00 10/03/2026" in part  # sent, partner's due
    assert client.get(_url(dossier, pdf)).status_code == 200
    assert client.get(f"{desk_url}bieu-mau/receipt.pdf").status_code == 200

    # the origin sees where it is
    mfa_login(client, c1_staff.unit_leader)
    part = section(client.get(desk_url).content.decode())
    assert partner.short_name in part or partner.name in part
    assert "timing--" not in part  # not back yet: the time left, no label

    svc.dossier_transfer_back(
        actor=p1_staff.specialist, dossier=dossier, note="Đồng ý", at=vn(2026, 3, 9, 16, 0)
    )
    for who in (c1_staff.unit_leader, p1_staff.specialist):
        mfa_login(client, who)
        response = client.get(desk_url)
        assert response.status_code == 200, who
        part = section(response.content.decode())
        assert "16:00 09/03/2026" in part and "Đồng ý" in part
        assert 'class="timing timing--early"' in part  # back the day before its due date

    detail = selectors.dossier_detail(c1_staff.unit_leader, dossier.code)
    (row,) = selectors.dossier_desk(detail).transfers
    assert row.returned and row.timing.label == "early" and not row.timing.late

    # another commune sees none of it
    mfa_login(client, c2_staff.specialist)
    assert client.get(desk_url).status_code == 404
    assert client.get(_url(dossier, pdf)).status_code == 404
    assert client.get(f"{desk_url}bieu-mau/receipt.pdf").status_code == 404


def test_a_part_overdue_at_the_partner_shows_late(dossier, c1_staff, tree):
    svc.dossier_transfer(
        actor=c1_staff.specialist,
        dossier=dossier,
        to_agency=tree.p1_units["tu-phap"],
        hours=8,
        at=vn(2026, 3, 9, 10, 0),
    )
    detail = selectors.dossier_detail(c1_staff.specialist, dossier.code)
    (row,) = selectors.dossier_desk(detail, now=vn(2026, 3, 10, 11, 0)).transfers
    # due Tue 10/03 10:00; at 11:00 it is an hour overdue
    assert not row.returned and row.timing.left == -dt.timedelta(hours=1) and row.timing.late


# -- cost -------------------------------------------------------------------------------------


def test_the_desk_costs_the_same_however_much_the_dossier_holds(
    client, c1_staff, p1_staff, applicant_user, version, desk, tree
):
    small = _in_process(c1_staff, applicant_user, version, desk, files=1)
    large = _in_process(c1_staff, applicant_user, version, desk, files=6)
    svc.dossier_handover(actor=c1_staff.specialist, dossier=small, at=vn(2026, 3, 9, 9, 0))
    # the large one goes to a partner and back, has fees and a payment, more events and steps
    for name, kind, amount in (("Phí", "fee", 20000), ("Lệ phí", "charge", 30000)):
        DossierFee.objects.create(dossier=large, name=name, kind=kind, amount=Decimal(amount))
    svc.dossier_request_payment(actor=c1_staff.specialist, dossier=large, at=vn(2026, 3, 9, 9))
    svc.dossier_confirm_payment(actor=c1_staff.reception, dossier=large, at=vn(2026, 3, 9, 9, 5))
    svc.dossier_transfer(
        actor=c1_staff.specialist,
        dossier=large,
        to_agency=tree.p1_units["tu-phap"],
        hours=8,
        at=vn(2026, 3, 9, 10, 0),
    )
    svc.dossier_transfer_back(actor=p1_staff.specialist, dossier=large, at=vn(2026, 3, 9, 11))
    small.refresh_from_db()
    large.refresh_from_db()
    assert small.current_step.name == large.current_step.name == "Ký duyệt"
    assert large.steps.count() > small.steps.count()
    mfa_login(client, c1_staff.agency_leader)

    def count(d: Dossier) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/can-bo/ho-so/{d.code}/").status_code == 200
        return len(queries.captured_queries)

    count(small)  # warm the per-process caches (calendar, scope)
    assert count(large) == count(small)


# -- in a browser: no accessibility violation, thumbnails load, nothing overflows ------------------

browser = browser_base.browser


def _browser_test(function):
    for mark in reversed(browser_base.pytestmark):
        function = mark(function)
    return function


@_browser_test
@pytest.mark.parametrize("viewport", [browser_base.PHONE, {"width": 1280, "height": 900}])
def test_the_full_desk_has_no_axe_violations(
    browser, live_server, settings, dossier, c1_staff, tree, viewport
):
    from pathlib import Path

    from django.conf import settings as django_settings
    from django.test import Client

    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    DossierFee.objects.create(dossier=dossier, name="Lệ phí", kind="charge", amount=50000)
    svc.dossier_transfer(
        actor=c1_staff.specialist,
        dossier=dossier,
        to_agency=tree.p1_units["tu-phap"],
        hours=8,
        reason="Xin ý kiến",
        at=vn(2026, 3, 9, 10, 0),
    )
    signed_in = Client()
    mfa_login(signed_in, c1_staff.unit_leader)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": signed_in.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    context = browser.new_context(viewport=viewport, locale=browser_base.VI)
    context.add_cookies([cookie])
    page = context.new_page()
    try:
        assert page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/").status == 200
        assert page.locator("#transfers-heading").count() == 1
        thumbnail = page.locator("img.doc-thumb")
        assert thumbnail.count() == 1
        thumbnail.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('img.doc-thumb').complete")
        # (the test PNG is not a real picture: the browser fetched it, it need not decode)
        # what sticks out past the edge, if anything (for the message)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
            ".slice(0, 8).map(e => e.tagName + '.' + e.className)"
        )
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"], wide
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        results = browser_base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()

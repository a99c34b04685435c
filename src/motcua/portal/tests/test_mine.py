"""Hồ sơ của tôi (issue 4, items 5–6): the citizen's own dossiers, supplementation online,
withdrawal request and rating. Another citizen's dossier looks exactly like a missing one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from motcua.catalog.choices import Channel
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier, DossierComponent, StoredFile
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.conftest import applicant_user, c1_staff, catalogue  # noqa: F401
from motcua.dossiers.tests.factories import citizen, dossier_in, vn
from motcua.feedback.models import DossierRating

T0 = vn(2026, 3, 9, 8, 0)  # Monday
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RESULT_PDF = b"%PDF-1.7\n% the result\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def version(catalogue):  # noqa: F811
    return catalogue["1.004873"]


@pytest.fixture
def desk(tree):
    return tree.c1_units["pvhcc"]


def submitted(owner, version, desk) -> Dossier:
    return svc.dossier_submit(
        actor=owner, data=dossier_in(version, desk, channel=Channel.ONLINE), at=T0
    )


def in_process(owner, staff, version, desk) -> Dossier:
    d = svc.dossier_receive(actor=staff.reception, dossier=submitted(owner, version, desk), at=T0)
    return svc.dossier_handover(actor=staff.reception, dossier=d, at=T0 + dt.timedelta(hours=1))


def supplement_requested(owner, staff, version, desk) -> Dossier:
    d = in_process(owner, staff, version, desk)
    svc.dossier_request_supplement(
        actor=staff.specialist,
        dossier=d,
        reason="Bản sao CCCD bị mờ",
        items=["Bản sao CCCD", "Giấy xác nhận cư trú"],
        at=T0 + dt.timedelta(hours=2),
    )
    d.refresh_from_db()
    return d


def returned(owner, staff, version, desk, *, method="online") -> Dossier:
    d = in_process(owner, staff, version, desk)
    later = T0 + dt.timedelta(hours=2)
    svc.dossier_resolve(
        actor=staff.clerk,
        dossier=d,
        result_number="12/GCN",
        result_content=RESULT_PDF,
        result_file_name="giay-chung-nhan.pdf",
        at=later,
    )
    svc.dossier_return_result(
        actor=staff.reception, dossier=d, method=method, recipient="Nguyễn Văn An", at=later
    )
    d.refresh_from_db()
    assert d.state == DossierState.RETURNED
    return d


def url(name: str, dossier: Dossier | None = None, **extra) -> str:
    kwargs = {"code": dossier.code, **extra} if dossier is not None else {}
    return reverse(f"portal:{name}", kwargs=kwargs)


def snapshot(dossier: Dossier):
    dossier.refresh_from_db()
    return (dossier.state, dossier.event_count, dossier.due_at, dossier.rated)


# -- permissions ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, applicant_user, version, desk):  # noqa: F811
    d = submitted(applicant_user, version, desk)
    for path in (url("my_dossiers"), url("my_dossier", d)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    response = client.post(url("my_dossier_withdraw", d), {"rut-reason": "x"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert d.state == Dossier.objects.get(pk=d.pk).state


def test_another_citizen_gets_404_everywhere_and_changes_nothing(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    # SPEC.md §1.2 / STYLE.md rule 16: out of scope looks exactly like missing.
    mine = supplement_requested(applicant_user, c1_staff, version, desk)
    done = returned(applicant_user, c1_staff, version, desk)
    stranger = citizen("binh")
    client.force_login(stranger)
    listing = client.get(url("my_dossiers"))
    assert listing.status_code == 200
    assert mine.code not in listing.content.decode()
    before = [snapshot(mine), snapshot(done)]
    files = StoredFile.objects.count()
    unknown = Dossier(code=mine.code[:-1] + ("9" if mine.code[-1] != "9" else "8"))
    for target in (mine, done, unknown):
        responses = [
            client.get(url("my_dossier", target)),
            client.get(url("my_dossier_form", target, kind="receipt")),
            client.post(
                url("my_dossier_supply", target),
                {"bs-file_0": _upload("a.pdf", PDF), "bs-note": "x"},
            ),
            client.post(url("my_dossier_withdraw", target), {"rut-reason": "Không cần nữa"}),
            client.post(
                url("my_dossier_rate", target),
                {"dg-liked": "no", "dg-convenience": "dissatisfied", "dg-overall": "dissatisfied"},
            ),
        ]
        assert [r.status_code for r in responses] == [404] * 5
    assert [snapshot(mine), snapshot(done)] == before
    assert StoredFile.objects.count() == files
    assert not DossierRating.objects.exists()


def test_list_shows_only_my_dossiers_newest_first(
    client,
    applicant_user,  # noqa: F811
    version,
    desk,
    django_assert_max_num_queries,
):
    other = citizen("binh")
    older = submitted(applicant_user, version, desk)
    newer = svc.dossier_submit(
        actor=applicant_user,
        data=dossier_in(version, desk, channel=Channel.ONLINE),
        at=T0 + dt.timedelta(days=1),
    )
    theirs = submitted(other, version, desk)
    client.force_login(applicant_user)
    with django_assert_max_num_queries(12):
        response = client.get(url("my_dossiers"))
    page = response.content.decode()
    assert page.index(newer.code) < page.index(older.code)
    assert theirs.code not in page
    assert response["Cache-Control"] == "private, no-store"


def test_detail_shows_status_next_step_and_timeline_without_officials(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    d = in_process(applicant_user, c1_staff, version, desk)
    client.force_login(applicant_user)
    page = client.get(url("my_dossier", d)).content.decode()
    assert "<strong>Đang xử lý</strong>" in page  # Vietnamese by default
    assert "Hồ sơ đang được giải quyết." in page
    assert 'class="timeline"' in page
    # the officials' names are not shown to the applicant (the header shows the applicant's
    # own name, which a generated official's name may happen to equal: look at the content)
    main = page[page.index("<main") : page.index("</main>")]
    for person in (c1_staff.reception, c1_staff.specialist):
        assert person.get_full_name() not in main or not person.get_full_name()
        assert person.username not in main
    # no withdrawal rule is bypassed: the form is offered because the owner may ask
    assert url("my_dossier_withdraw", d) in page


def test_receipt_pdf_for_the_owner_only(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = in_process(applicant_user, c1_staff, version, desk)
    client.force_login(applicant_user)
    response = client.get(url("my_dossier_form", d, kind="receipt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # the control sheet names the officials: not offered to the citizen
    assert client.get(url("my_dossier_form", d, kind="control_sheet")).status_code == 404
    assert client.get(url("my_dossier_form", d, kind="nope")).status_code == 404


# -- supplementation (SPEC.md §1.4, §3.4: the clock stops, then resumes) -----------------------


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_supplying_online_resumes_the_clock(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = supplement_requested(applicant_user, c1_staff, version, desk)
    due_before = d.due_at
    client.force_login(applicant_user)
    page = client.get(url("my_dossier", d)).content.decode()
    assert "Bản sao CCCD bị mờ" in page and "Giấy xác nhận cư trú" in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    response = client.post(
        url("my_dossier_supply", d),
        {"bs-file_0": _upload("cccd.pdf", PDF), "bs-note": "Gửi bản rõ hơn"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("my_dossier", d)
    d.refresh_from_db()
    assert d.state == DossierState.IN_PROCESS
    assert d.paused_at is None
    assert d.due_at > due_before
    component = DossierComponent.objects.get(dossier=d, file__isnull=False, name="Bản sao CCCD")
    assert component.file.content_type == "application/pdf"
    follow = client.get(response["Location"]).content.decode()
    assert 'role="status"' in follow and "message--success" in follow


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gia.pdf", b"this is only text pretending to be a PDF", "không phải"),
        ("rong.pdf", b"", "không có nội dung"),
    ],
)
def test_bad_files_are_refused_with_the_service_message_and_nothing_is_stored(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
    name,
    content,
    message,
):
    d = supplement_requested(applicant_user, c1_staff, version, desk)
    before, files = snapshot(d), StoredFile.objects.count()
    client.force_login(applicant_user)
    response = client.post(
        url("my_dossier_supply", d),
        {"bs-file_0": _upload("ok.pdf", PDF), "bs-file_1": _upload(name, content)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert f"“{name}”" in page and message in page.lower()
    assert 'href="#id_bs-file_1"' in page  # the summary links to the input holding the file
    assert snapshot(d) == before
    assert StoredFile.objects.count() == files


def test_too_large_file_is_refused(client, applicant_user, c1_staff, version, desk, settings):  # noqa: F811
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    d = supplement_requested(applicant_user, c1_staff, version, desk)
    before, files = snapshot(d), StoredFile.objects.count()
    client.force_login(applicant_user)
    big = PDF + b"0" * int(1.1 * 1024 * 1024)
    response = client.post(
        url("my_dossier_supply", d),
        {"bs-file_0": _upload("lon.pdf", big)},
    )
    assert response.status_code == 400
    assert "Tệp “lon.pdf” lớn hơn 1 MB." in response.content.decode()
    assert snapshot(d) == before
    assert StoredFile.objects.count() == files


def test_nothing_attached_is_refused(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = supplement_requested(applicant_user, c1_staff, version, desk)
    before = snapshot(d)
    client.force_login(applicant_user)
    response = client.post(url("my_dossier_supply", d), {"bs-note": ""})
    assert response.status_code == 400
    assert 'href="#id_bs-file_0"' in response.content.decode()
    assert snapshot(d) == before


def test_completion_before_reception_resubmits(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = submitted(applicant_user, version, desk)
    svc.dossier_request_completion(
        actor=c1_staff.reception, dossier=d, reason="Thiếu tờ khai", items=["Tờ khai"], at=T0
    )
    client.force_login(applicant_user)
    assert "Thiếu tờ khai" in client.get(url("my_dossier", d)).content.decode()
    response = client.post(url("my_dossier_supply", d), {"bs-file_0": _upload("tk.pdf", PDF)})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == DossierState.SUBMITTED


# -- withdrawal (SPEC.md §1.6) ------------------------------------------------------------------


def test_withdrawal_request(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = in_process(applicant_user, c1_staff, version, desk)
    client.force_login(applicant_user)
    before = snapshot(d)
    refused = client.post(url("my_dossier_withdraw", d), {"rut-reason": "  "})
    assert refused.status_code == 400
    assert 'href="#id_rut-reason"' in refused.content.decode()
    assert snapshot(d) == before
    response = client.post(url("my_dossier_withdraw", d), {"rut-reason": "Không còn nhu cầu"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == DossierState.WITHDRAWAL_REQUESTED
    assert d.events.last().reason == "Không còn nhu cầu"
    # no second request: the form is gone
    assert url("my_dossier_withdraw", d) not in client.get(url("my_dossier", d)).content.decode()


def test_get_on_an_action_is_not_allowed(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = in_process(applicant_user, c1_staff, version, desk)
    client.force_login(applicant_user)
    assert client.get(url("my_dossier_withdraw", d)).status_code == 405


# -- rating (SPEC.md §6.1, questions 10 and 11; 766 index 5.4) ---------------------------------


RATING = {
    "dg-liked": "yes",
    "dg-convenience": "very_satisfied",
    "dg-overall": "satisfied",
    "dg-comment": "Cán bộ hướng dẫn tận tình",
}


def test_rating_is_saved_once_and_shown(client, applicant_user, c1_staff, version, desk):  # noqa: F811
    d = returned(applicant_user, c1_staff, version, desk)
    client.force_login(applicant_user)
    page = client.get(url("my_dossier", d)).content.decode()
    assert url("my_dossier_rate", d) in page
    assert 'type="radio" name="dg-convenience"' in page
    missing = client.post(url("my_dossier_rate", d), {"dg-liked": "yes"})
    assert missing.status_code == 400
    assert 'href="#id_dg-convenience_0"' in missing.content.decode()
    assert not DossierRating.objects.exists()

    response = client.post(url("my_dossier_rate", d), RATING)
    assert response.status_code == 302
    rating = DossierRating.objects.get(dossier=d)
    assert (rating.liked, rating.convenience, rating.overall, rating.channel) == (
        True,
        "very_satisfied",
        "satisfied",
        "portal",
    )
    page = client.get(url("my_dossier", d)).content.decode()
    assert "Cán bộ hướng dẫn tận tình" in page
    assert url("my_dossier_rate", d) not in page
    again = client.post(url("my_dossier_rate", d), {**RATING, "dg-liked": "no"})
    assert again.status_code == 400
    assert DossierRating.objects.filter(dossier=d).count() == 1


def test_the_result_returned_online_is_downloaded_as_an_attachment(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    d = returned(applicant_user, c1_staff, version, desk, method="online")
    client.force_login(applicant_user)
    page = client.get(url("my_dossier", d)).content.decode()
    assert 'id="ket-qua"' in page and url("my_dossier_result", d) in page
    response = client.get(url("my_dossier_result", d))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "giay-chung-nhan.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == RESULT_PDF


def test_the_result_is_not_served_before_it_is_returned_nor_to_anyone_else(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    d = in_process(applicant_user, c1_staff, version, desk)
    svc.dossier_resolve(
        actor=c1_staff.clerk, dossier=d, result_content=RESULT_PDF, at=T0 + dt.timedelta(hours=3)
    )
    client.force_login(applicant_user)
    assert client.get(url("my_dossier_result", d)).status_code == 404  # resolved, not returned
    svc.dossier_return_result(
        actor=c1_staff.reception, dossier=d, method="online", at=T0 + dt.timedelta(hours=4)
    )
    assert client.get(url("my_dossier_result", d)).status_code == 200
    client.force_login(citizen("someone-else"))
    assert client.get(url("my_dossier_result", d)).status_code == 404
    client.logout()
    assert client.get(url("my_dossier_result", d)).status_code == 302  # to the login page


def test_a_result_returned_at_the_desk_is_not_offered_for_download(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    counter = returned(applicant_user, c1_staff, version, desk, method="counter")
    client.force_login(applicant_user)
    assert 'id="ket-qua"' not in client.get(url("my_dossier", counter)).content.decode()
    assert client.get(url("my_dossier_result", counter)).status_code == 404


def test_supplying_documents_counts_against_the_upload_limit(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
    settings,
):
    from django.core.cache import cache

    from motcua.dossiers.services.files import upload_quota

    cache.clear()
    settings.MOTCUA_UPLOAD_RATE = "2/h"
    d = supplement_requested(applicant_user, c1_staff, version, desk)
    assert upload_quota(actor=applicant_user, count=2) == 0  # the allowance is used up
    client.force_login(applicant_user)
    before = snapshot(d)
    response = client.post(
        url("my_dossier_supply", d),
        {"bs-file_0": _upload("cccd.pdf", PDF)},
    )
    assert response.status_code == 429
    assert "tải lên nhiều tệp" in response.content.decode()
    assert snapshot(d) == before
    cache.clear()


def test_my_pages_cost_the_same_number_of_queries_whatever_their_size(
    client,
    applicant_user,  # noqa: F811
    c1_staff,  # noqa: F811
    version,
    desk,
):
    """No N+1: the list does not grow with the dossiers, the detail not with the events."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url_: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url_).status_code == 200
        return len(queries.captured_queries)

    short = submitted(applicant_user, version, desk)  # one event
    client.force_login(applicant_user)
    one_list, short_detail = count(url("my_dossiers")), count(url("my_dossier", short))
    long = returned(applicant_user, c1_staff, version, desk)  # five events
    for _ in range(4):
        submitted(applicant_user, version, desk)
    assert count(url("my_dossiers")) == one_list
    assert count(url("my_dossier", long)) <= short_detail + 1  # + the rating form's lookup

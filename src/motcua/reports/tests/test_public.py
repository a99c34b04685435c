"""The public transparency pages (issue 6, item 3) on the crafted dossiers of ``test_form06``:
the figures by hand, what is public, and what is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from motcua.reports.public import provinces_figures, public_figures
from motcua.reports.tests.crafted import TODAY, crafted, receive


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_figures_by_hand(ctx):
    """Twelve months to 22 November 2026 hold all eleven received crafted dossiers (the one
    refused at reception is not counted, SPEC.md §7.1). Finished: eight; on time (early or on
    the appointment date, SPEC.md §3.5 (a)): "february", "early", "on_time", the withdrawal
    and the chain = 5, i.e. 62.5 %. Online: 2 of 11. Days from reception to finish: 7 + 2 + 2
    + 3 + 7 + 16 + 10 + 3 = 50 over 8 = 6.25, shown 6.3."""
    crafted(ctx)
    figures = public_figures(ctx.tree.c1, today=TODAY)
    total = figures.total
    assert (total.received, total.finished, total.on_time, total.online) == (11, 8, 5, 2)
    assert total.on_time_rate == Decimal("62.5")
    assert total.online_share == Decimal("18.2")
    assert total.average_days == Decimal("6.3")
    assert total.satisfaction is None  # nobody rated
    assert [m.label for m in figures.months][:4] == ["12/2025", "01/2026", "02/2026", "03/2026"]
    assert [m.received for m in figures.months][2:4] == [2, 9]
    [procedure] = figures.procedures
    assert procedure.received == 11
    # The province counts its communes; the commune row carries the same figures.
    province = public_figures(ctx.tree.p1, today=TODAY)
    assert province.total.received == 11
    communes = dict(province.communes)
    assert communes[ctx.tree.c1.code].received == 11
    assert communes[ctx.tree.c2.code].received == 0
    rows = {p.code: f for p, f in provinces_figures(today=TODAY)}
    assert rows[ctx.tree.p1.code].received == 11


@pytest.mark.django_db
def test_the_pages_are_public_and_show_the_figures(client, ctx):
    crafted(ctx)
    listing = client.get("/thong-ke/")
    assert listing.status_code == 200
    assert ctx.tree.p1.name in listing.content.decode()
    page = client.get(f"/thong-ke/{ctx.tree.p1.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert ctx.tree.c1.name in text and f"/thong-ke/{ctx.tree.c1.code}/" in text
    commune = client.get(f"/thong-ke/{ctx.tree.c1.code}/")
    assert commune.status_code == 200
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in commune.content.decode()
    # No applicant's name or dossier code is on a public page.
    for response in (listing, page, commune):
        assert "Nguyễn Văn An" not in response.content.decode()
        assert "H56" not in response.content.decode()


@pytest.mark.django_db
def test_only_provinces_and_communes_have_a_page(client, ctx):
    assert client.get(f"/thong-ke/{ctx.desk.code}/").status_code == 404
    assert client.get("/thong-ke/khong-co/").status_code == 404
    assert client.post(f"/thong-ke/{ctx.tree.c1.code}/").status_code == 405


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_data(client, ctx, django_assert_max_num_queries):
    crafted(ctx)
    with django_assert_max_num_queries(12):
        assert client.get(f"/thong-ke/{ctx.tree.p1.code}/").status_code == 200
    cache.clear()
    for n in range(5):
        ctx_day = dt.datetime(2026, 4, 6 + n, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        receive(ctx, ctx_day)
    with django_assert_max_num_queries(12):
        assert client.get(f"/thong-ke/{ctx.tree.p1.code}/").status_code == 200

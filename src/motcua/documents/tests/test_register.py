"""The outgoing register (issue 7 §1; SPEC.md §9.2, Nghị định 30/2020/NĐ-CP): numbers run from
01 on 1 January, consecutively, unique per book and year, a number below 10 written with a 0;
the notation is ``<number>/<type>-<issuer>``; a rolled-back registration gives its number back;
and concurrent registrations on PostgreSQL get consecutive numbers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from motcua.core.errors import Conflict, ValidationFailed
from motcua.documents.models import OutgoingDocument
from motcua.documents.services.register import (
    format_notation,
    outgoing_register,
    register_book_for,
)


def register(book, day: dt.date, **extra) -> OutgoingDocument:
    values = {
        "book": book,
        "issued_on": day,
        "type_name": "Quyết định",
        "type_notation": "QĐ",
        "summary": "Về việc cấp Giấy xác nhận tình trạng hôn nhân",
        "signer_name": "Hoàng Văn Em",
        "signer_position": "Chủ tịch",
        "place": "Hạc Thành",
    } | extra
    return outgoing_register(**values)


def test_the_notation():
    # Nghị định 30/2020, Phụ lục I: "Số: 12/QĐ-UBND"; a công văn "Số: 34/UBND-VP" is written by
    # giving the drafting unit as the type part; below 10 with a leading 0
    assert format_notation(12, "QĐ", "UBND") == "12/QĐ-UBND"
    assert format_notation(5, "QĐ", "UBND") == "05/QĐ-UBND"
    assert format_notation(134, "", "UBND") == "134/UBND"


@pytest.mark.django_db
def test_numbers_run_per_book_and_year_from_01(tree):
    book = register_book_for(tree.c1)
    assert (book.issuer_notation, book.code) == ("UBND", "ket-qua")
    assert register_book_for(tree.c1) == book  # made once
    first = register(book, dt.date(2025, 12, 30))
    second = register(book, dt.date(2025, 12, 31))
    new_year = register(book, dt.date(2026, 1, 2))
    other = register(register_book_for(tree.c2), dt.date(2026, 1, 2))
    assert [d.notation for d in (first, second, new_year, other)] == [
        "01/QĐ-UBND",
        "02/QĐ-UBND",
        "01/QĐ-UBND",  # 1 January starts again
        "01/QĐ-UBND",  # another agency's register
    ]
    assert (new_year.year, new_year.number) == (2026, 1)


@pytest.mark.django_db
def test_a_failed_registration_gives_its_number_back(tree):
    book = register_book_for(tree.c1)
    register(book, dt.date(2026, 3, 2))

    def fails_after_numbering() -> None:
        with transaction.atomic():
            register(book, dt.date(2026, 3, 2))
            raise RuntimeError("the signing failed after the number was taken")

    with pytest.raises(RuntimeError):
        fails_after_numbering()
    assert register(book, dt.date(2026, 3, 2)).number == 2


@pytest.mark.django_db
def test_bad_input_changes_nothing(tree):
    book = register_book_for(tree.c1)
    with pytest.raises(ValidationFailed):
        register(book, dt.date(2026, 3, 2), summary="  ")
    with pytest.raises(ValidationFailed, match="tương lai"):
        register(book, dt.date(2999, 1, 1))
    department = register_book_for(tree.p1_units["tu-phap"])
    assert department.issuer_notation == ""  # no rule gives a department's notation
    with pytest.raises(ValidationFailed, match="ký hiệu cơ quan"):
        register(department, dt.date(2026, 3, 2))
    book.active = False
    book.save()
    with pytest.raises(Conflict):
        register(book, dt.date(2026, 3, 2))
    assert not OutgoingDocument.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (issue 7)"
)
@pytest.mark.django_db(transaction=True)
def test_40_concurrent_registrations_get_40_consecutive_numbers(tree):
    # Issue 7 "Must show": outgoing numbers under concurrency, on PostgreSQL.
    book = register_book_for(tree.c1)
    barrier = threading.Barrier(40)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take() -> None:
        try:
            barrier.wait()
            document = register(book, dt.date(2026, 3, 9))
            with lock:
                numbers.append(document.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 41))
    assert OutgoingDocument.objects.filter(book=book, year=2026).count() == 40

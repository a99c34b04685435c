"""Hồ sơ cá nhân: the identity number rule (Thông tư 59/2021/TT-BCA Điều 7) and the address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from motcua.accounts.identity import IdNumberProblem, id_number_problem, normalize_vn_phone
from motcua.accounts.models import User
from motcua.accounts.services import user_profile_update
from motcua.core.errors import ValidationFailed

DOB = dt.date(1990, 12, 25)
GOOD = "038090123456"  # Thanh Hóa (038), male born in the 20th century (0), in 1990 (90)


@pytest.mark.parametrize(
    ("number", "dob", "problem"),
    [
        (GOOD, DOB, None),
        ("038190123456", DOB, None),  # 1: a woman born in the 20th century
        ("001205123456", dt.date(2005, 1, 1), None),  # 2: a man born in the 21st century
        ("096305123456", dt.date(2005, 1, 1), None),  # 3: a woman, 21st century; last code
        (GOOD, None, None),  # without a date of birth only the structure is checked
        ("03809012345", DOB, IdNumberProblem.FORMAT),  # 11 digits
        ("0380901234567", DOB, IdNumberProblem.FORMAT),  # 13 digits
        ("03809012345A", DOB, IdNumberProblem.FORMAT),  # a letter
        ("000090123456", DOB, IdNumberProblem.PROVINCE),  # 000 is no province
        ("097090123456", DOB, IdNumberProblem.PROVINCE),  # past 096
        ("038091123456", DOB, IdNumberProblem.BIRTH_YEAR),  # says 1991
        ("038290123456", DOB, IdNumberProblem.BIRTH_YEAR),  # says 2090 (21st century)
    ],
)
def test_id_number_structure(number, dob, problem):
    # Thông tư 59/2021/TT-BCA, Điều 7
    assert id_number_problem(number, dob) == problem


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0237 3852 456", "+842373852456"),  # a fixed line in Thanh Hóa
        ("12345", None),
        ("09123456", None),
        ("+1 202 555 0100", None),
    ],
)
def test_vietnamese_phone_numbers(raw, e164):
    assert normalize_vn_phone(raw) == e164


@pytest.fixture
def citizen(db):
    return User.objects.create_user(username="dan", email="dan@example.vn", password="x")


def test_profile_update_saves_every_field(citizen, tree):
    user_profile_update(
        user=citizen,
        data={
            "full_name": " Lê Văn Dân ",
            "id_number": GOOD,
            "date_of_birth": DOB,
            "address": "12 Lê Lợi",
            "province": tree.p1,
            "commune": tree.c1,
        },
    )
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.id_number, citizen.date_of_birth) == (
        "Lê Văn Dân",
        GOOD,
        DOB,
    )
    assert (citizen.province, citizen.commune, citizen.address) == (tree.p1, tree.c1, "12 Lê Lợi")


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"id_number": "03809012345"}, "id_number", IdNumberProblem.FORMAT),
        ({"id_number": "03809O123456"}, "id_number", IdNumberProblem.FORMAT),
        ({"id_number": "099090123456"}, "id_number", IdNumberProblem.PROVINCE),
        ({"id_number": "038091123456", "date_of_birth": DOB}, "id_number", "id_number_birth_year"),
        ({"date_of_birth": dt.date(2999, 1, 1)}, "date_of_birth", "date_of_birth_future"),
    ],
)
def test_profile_update_refuses_and_saves_nothing(citizen, data, field, code):
    with pytest.raises(ValidationFailed) as caught:
        user_profile_update(user=citizen, data={"full_name": "Lê Văn Dân", **data})
    assert (caught.value.code, caught.value.params["field"]) == (code, field)
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.id_number, citizen.date_of_birth) == ("", "", None)


def test_a_commune_of_another_province_is_refused(citizen, tree):
    with pytest.raises(ValidationFailed) as caught:
        user_profile_update(
            user=citizen, data={"full_name": "Dân", "province": tree.p1, "commune": tree.c3}
        )
    assert caught.value.code == "commune_not_in_province"
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.province, citizen.commune) == ("", None, None)


def test_an_identity_number_belongs_to_one_account(citizen):
    other = User.objects.create_user(username="khac", password="x")
    user_profile_update(user=other, data={"id_number": GOOD})
    with pytest.raises(ValidationFailed) as caught:
        user_profile_update(user=citizen, data={"id_number": GOOD})
    assert caught.value.code == "id_number_taken"


def test_profile_page_picks_province_then_commune_and_saves(client, citizen, tree):
    client.force_login(citizen)
    url = reverse("accounts:profile")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'name="choose_province"' in page
    assert 'name="commune"' not in page  # no province yet
    form = {"full_name": "Lê Văn Dân", "id_number": GOOD, "date_of_birth": "25/12/1990"}
    response = client.post(url, {**form, "province": tree.p1.code, "choose_province": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert tree.c1.code in page and tree.c3.code not in page  # Thanh Hóa's communes only
    assert 'value="Lê Văn Dân"' in page  # what was typed is kept
    citizen.refresh_from_db()
    assert citizen.full_name == ""  # choosing a province saves nothing
    response = client.post(
        url, {**form, "province": tree.p1.code, "commune": tree.c1.code, "address": "12 Lê Lợi"}
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.id_number, citizen.commune) == (GOOD, tree.c1)


def test_profile_page_shows_the_service_error_on_the_field(client, citizen, tree):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:profile"),
        {"id_number": "038091123456", "date_of_birth": "25/12/1990", "province": ""},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert 'aria-invalid="true"' in page and 'id="id_id_number_error"' in page
    citizen.refresh_from_db()
    assert citizen.id_number == ""


def test_a_commune_outside_the_province_is_refused_by_the_page(client, citizen, tree):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:profile"), {"province": tree.p1.code, "commune": tree.c3.code}
    )
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.commune is None

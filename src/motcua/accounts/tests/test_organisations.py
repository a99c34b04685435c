"""Organisations acting through an authorised person (issue 4, item 1): registration, the
legal representative authorising and revoking people, and what a member then sees and does."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.accounts.models import MemberRole, Organisation, OrganisationMember
from motcua.accounts.services import organisations as svc
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.org.tests.factories import UserFactory

PDF = b"%PDF-1.4\n% giay uy quyen\n%%EOF\n"


def person(username: str, email: str | None = None):
    user = UserFactory(username=username, email=email or f"{username}@example.vn")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def company(db):
    boss = person("giam-doc")
    organisation = svc.organisation_register(
        actor=boss, name="Công ty TNHH Hạc Thành", tax_code="2801234567", address="Số 5 Lê Lợi"
    )
    return boss, organisation


@pytest.mark.parametrize("tax_code", ["280123456", "28012345678", "2801234567-1", "28O1234567"])
def test_the_enterprise_code_must_have_its_legal_form(db, tax_code):
    with pytest.raises(ValidationFailed) as info:
        svc.organisation_register(actor=person("a"), name="X", tax_code=tax_code)
    assert info.value.code == "tax_code_format"
    assert not Organisation.objects.exists()


def test_a_branch_code_and_a_duplicate(company):
    branch = svc.organisation_register(
        actor=person("b"), name="Chi nhánh Đông Sơn", tax_code="2801234567-001"
    )
    assert branch.tax_code == "2801234567-001"
    with pytest.raises(ValidationFailed) as info:
        svc.organisation_register(actor=person("c"), name="Khác", tax_code="2801234567")
    assert info.value.code == "tax_code_taken"


def test_an_authorised_person_registering_must_attach_the_letter(db):
    clerk = person("ke-toan")
    with pytest.raises(ValidationFailed) as info:
        svc.organisation_register(
            actor=clerk, name="Công ty A", tax_code="0101234567", role=MemberRole.AUTHORISED
        )
    assert info.value.code == "authorisation_missing"
    assert not Organisation.objects.exists()
    org = svc.organisation_register(
        actor=clerk,
        name="Công ty A",
        tax_code="0101234567",
        role=MemberRole.AUTHORISED,
        authorisation=PDF,
        authorisation_name="uy-quyen.pdf",
    )
    member = OrganisationMember.objects.get(organisation=org)
    assert member.role == MemberRole.AUTHORISED and member.authorisation_file is not None


def test_the_representative_authorises_and_revokes(company):
    boss, organisation = company
    staff = person("nhan-vien")
    member = svc.organisation_member_add(
        actor=boss,
        organisation=organisation,
        email="NHAN-VIEN@example.vn",
        authorisation=PDF,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    assert list(svc.organisations_of(staff)) == [organisation]
    # an authorised person cannot authorise others
    with pytest.raises(PermissionDenied):
        svc.organisation_member_add(
            actor=staff, organisation=organisation, email=boss.email, authorisation=PDF
        )
    # an outsider is told the organisation does not exist
    with pytest.raises(NotFound):
        svc.organisation_member_add(
            actor=person("ngoai"), organisation=organisation, email=staff.email, authorisation=PDF
        )
    with pytest.raises(ValidationFailed) as info:
        svc.organisation_member_revoke(actor=boss, member=OrganisationMember.objects.get(user=boss))
    assert info.value.code == "representative_kept"
    svc.organisation_member_revoke(actor=boss, member=member)
    assert list(svc.organisations_of(staff)) == []


def test_an_authorisation_ends_on_its_date(company):
    boss, organisation = company
    staff = person("tam-thoi")
    svc.organisation_member_add(
        actor=boss,
        organisation=organisation,
        email=staff.email,
        authorisation=PDF,
        valid_until=timezone.localdate(),
    )
    assert list(svc.organisations_of(staff)) == [organisation]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert not svc.active_memberships(staff, today=tomorrow).exists()
    with pytest.raises(ValidationFailed) as info:
        svc.organisation_member_add(
            actor=boss,
            organisation=organisation,
            email=person("qua-han").email,
            authorisation=PDF,
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert info.value.code == "authorisation_ended"


def test_unknown_or_unverified_accounts_cannot_be_authorised(company):
    boss, organisation = company
    UserFactory(username="chua-xac-minh", email="chua@example.vn")  # no verified address
    for email in ("khong-co@example.vn", "chua@example.vn"):
        with pytest.raises(ValidationFailed) as info:
            svc.organisation_member_add(
                actor=boss, organisation=organisation, email=email, authorisation=PDF
            )
        assert info.value.code == "member_unknown"


# -- pages ------------------------------------------------------------------------------------


def test_register_on_the_portal_and_manage_people(client, db):
    boss = person("dai-dien")
    client.force_login(boss)
    page = client.get("/tai-khoan/to-chuc/")
    assert page.status_code == 200 and "Đăng ký tổ chức" in page.content.decode()
    bad = client.post(
        "/tai-khoan/to-chuc/",
        {"kind": "2", "name": "Công ty B", "tax_code": "12345", "role": "representative"},
    )
    assert bad.status_code == 400
    assert "Mã số doanh nghiệp gồm 10 chữ số" in bad.content.decode()
    assert not Organisation.objects.exists()
    response = client.post(
        "/tai-khoan/to-chuc/",
        {"kind": "2", "name": "Công ty B", "tax_code": "0312345678", "role": "representative"},
    )
    organisation = Organisation.objects.get()
    assert response["Location"] == f"/tai-khoan/to-chuc/{organisation.pk}/"
    staff = person("nv-b")
    added = client.post(
        f"/tai-khoan/to-chuc/{organisation.pk}/",
        {"email": staff.email, "authorisation": SimpleUploadedFile("uq.pdf", PDF)},
    )
    assert added.status_code == 302
    member = OrganisationMember.objects.get(user=staff)
    # the authorised person sees the organisation but cannot manage it
    client.force_login(staff)
    text = client.get(f"/tai-khoan/to-chuc/{organisation.pk}/").content.decode()
    assert "Công ty B" in text and "Ủy quyền cho người khác" not in text
    revoke = f"/tai-khoan/to-chuc/{organisation.pk}/thanh-vien/{member.pk}/thu-hoi/"
    client.post(revoke)
    member.refresh_from_db()
    assert member.revoked_at is None
    # an outsider gets 404 for the page and its actions
    client.force_login(person("nguoi-ngoai"))
    assert client.get(f"/tai-khoan/to-chuc/{organisation.pk}/").status_code == 404
    assert client.post(revoke).status_code == 404
    # the representative revokes
    client.force_login(boss)
    assert client.post(revoke).status_code == 302
    member.refresh_from_db()
    assert member.revoked_at is not None
    client.force_login(staff)
    assert client.get(f"/tai-khoan/to-chuc/{organisation.pk}/").status_code == 404

"""E-forms (issue 4, item 3): the supported JSON Schema subset, the seed tờ khai of SPEC.md §8.2,
server-side validation, prefill, summary, rendering, exchange format and publishing."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from motcua.catalog import eforms, selectors
from motcua.catalog.choices import VersionStatus
from motcua.catalog.models import ProcedureVariant, ProcedureVersion
from motcua.catalog.services.transfer import (
    SEED_FORMS,
    export_catalog,
    export_catalog_xlsx,
    import_catalog,
    load_seed_catalog,
    xlsx_to_document,
)
from motcua.catalog.services.versions import procedure_version_publish
from motcua.catalog.tests.documents import sample_document
from motcua.core.errors import ValidationFailed


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def seed_form(code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    form = json.loads((SEED_FORMS / f"{code}.json").read_text(encoding="utf-8"))
    return form["schema"], form["ui"]


SEED_CODES = ["1.001193", "2.000815", "1.000894", "1.004873", "1.000656"]  # SPEC.md §8.2

PERSON = {"ethnicity": "Kinh", "nationality": "Việt Nam"}
REQUESTER = {
    "requester__full_name": "Nguyễn Văn An",
    "requester__id_number": "001089012345",
    "requester__residence": "Thôn Đông, xã Tân Lập, tỉnh Phú Thọ",
    "requester__phone": "0912 345 678",
}

# Valid HTML input for each seed form, as a browser posts it (dates in dd/mm/yyyy).
VALID: dict[str, dict[str, str]] = {
    "1.001193": {
        **REQUESTER,
        "requester__is_parent": "true",
        "child__full_name": "Nguyễn Minh Anh",
        "child__birth_date": "05/03/2026",
        "child__sex": "Nữ",
        "child__ethnicity": "Kinh",
        "child__nationality": "Việt Nam",
        "child__birth_place": "Bệnh viện đa khoa tỉnh Phú Thọ",
        "mother__full_name": "Trần Thị Bình",
        "mother__birth_year": "1995",
        "mother__ethnicity": "Kinh",
        "mother__nationality": "Việt Nam",
        "mother__residence": "Thôn Đông, xã Tân Lập, tỉnh Phú Thọ",
        "declaration": "true",
    },
    "2.000815": {
        **REQUESTER,
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "document_issuer": "Sở Giáo dục và Đào tạo tỉnh Phú Thọ",
        "pages": "1",
        "copies": "3",
    },
    "1.000894": {
        "applicant__party": "Bên nam",
        "applicant__phone": "0912345678",
        **{
            f"{side}__{k}": v
            for side, name, born in (
                ("bride", "Trần Thị Bình", "1996-01-20"),
                ("groom", "Nguyễn Văn An", "12/8/1994"),
            )
            for k, v in {
                "full_name": name,
                "birth_date": born,
                **PERSON,
                "residence": "Xã Tân Lập, tỉnh Phú Thọ",
                "id_number": "001089012345",
                "marriage_number": "1",
            }.items()
        },
        "declaration": "true",
    },
    "1.004873": {
        **REQUESTER,
        "requester__for_self": "true",
        "subject__full_name": "Nguyễn Văn An",
        "subject__birth_date": "12/08/1994",
        "subject__sex": "Nam",
        "subject__ethnicity": "Kinh",
        "subject__nationality": "Việt Nam",
        "subject__id_number": "001089012345",
        "subject__residence": "Thôn Đông, xã Tân Lập, tỉnh Phú Thọ",
        "marital_status": "Chưa kết hôn với ai",
        "purpose": "Để đăng ký kết hôn",
        "copies": "1",
        "declaration": "true",
    },
    "1.000656": {
        **REQUESTER,
        "requester__relationship": "Con",
        "deceased__full_name": "Nguyễn Văn Cường",
        "deceased__birth_date": "01/01/1940",
        "deceased__sex": "Nam",
        "deceased__ethnicity": "Kinh",
        "deceased__nationality": "Việt Nam",
        "deceased__residence": "Thôn Đông, xã Tân Lập, tỉnh Phú Thọ",
        "death__hour": "14",
        "death__minute": "30",
        "death__date": "2/6/2026",
        "death__place": "Tại nhà",
        "death__cause": "Già yếu",
        "notice__kind": "Giấy báo tử",
        "notice__issuer": "Trạm y tế xã Tân Lập",
        "notice__issue_date": "03/06/2026",
        "declaration": "true",
    },
}


# --- the subset -----------------------------------------------------------------------------
GOOD = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Họ, chữ đệm, tên", "maxLength": 10},
        "kind": {"type": "string", "title": "Loại", "enum": ["a", "b"]},
        "age": {"type": "integer", "title": "Tuổi", "minimum": 0, "maximum": 150},
        "g": {
            "type": "object",
            "title": "Nhóm",
            "properties": {"x": {"type": "string", "title": "X", "format": "date"}},
            "required": ["x"],
        },
    },
    "required": ["name"],
    "allOf": [{"if": {"properties": {"kind": {"const": "b"}}}, "then": {"required": ["age"]}}],
}


def test_a_supported_schema_has_no_problems():
    assert eforms.schema_problems(GOOD, {"order": ["g", "name"]}) == []
    assert eforms.schema_problems({}, {}) == []  # no form at all is fine


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(type="array"), "schema: type must be 'object'"),
        (lambda s: s.update({"$ref": "#/x"}), "schema: $ref is not supported"),
        (lambda s: s["properties"]["name"].update(type="number"), "type 'number' is not"),
        (lambda s: s["properties"]["name"].update(format="uri"), "format 'uri' is not supported"),
        (lambda s: s["properties"]["name"].update(pattern="("), "pattern does not compile"),
        (lambda s: s["properties"]["name"].update(minLength=20), "minLength is greater"),
        (lambda s: s["properties"]["kind"].update(enum=[]), "enum must be a non-empty list"),
        (lambda s: s["properties"]["age"].update(maxLength=3), "maxLength applies only to str"),
        (lambda s: s.update(required=["nope"]), "schema.required: unknown field 'nope'"),
        (lambda s: s["properties"]["g"]["properties"].update(h={"type": "object"}), "one level"),
        (lambda s: s["properties"].update({"a__b": {"type": "string"}}), "single underscores"),
        (
            lambda s: s["allOf"][0]["if"]["properties"]["kind"].update(const="c"),
            "const 'c' is not one of the field's options",
        ),
        (lambda s: s["allOf"][0].update(then={"required": ["zz"]}), "unknown field 'zz'"),
        (lambda s: s["allOf"].append({"not": {}}), "only {'if': …, 'then': …} is supported"),
    ],
)
def test_unsupported_or_inconsistent_schemas_are_reported(change, expected):
    schema = copy.deepcopy(GOOD)
    change(schema)
    problems = eforms.schema_problems(schema, {})
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("ui", "expected"),
    [
        ({"order": ["nope"]}, "ui.order: unknown field 'nope'"),
        ({"fields": {"name": {"widget": "slider"}}}, "widget 'slider' is not supported"),
        ({"fields": {"name": {"widget": "radio"}}}, "widget radio needs an enum"),
        ({"fields": {"g.x": {"widget": "textarea"}}}, ""),  # a date in a textarea: allowed
        ({"fields": {"name": {"autocomplete": "nam"}}}, "autocomplete 'nam' is not a known"),
        ({"fields": {"name": {"prefill": "salary"}}}, "prefill 'salary' is not a profile"),
        ({"pages": [{"title": "A", "fields": ["name"]}]}, "'kind' is on no page"),
        (
            {
                "pages": [
                    {"title": "A", "fields": ["g"]},
                    {"title": "B", "fields": ["g.x", "name", "kind", "age"]},
                ]
            },
            "'g.x' is already on page 1",
        ),
        ({"colour": "red"}, "ui: colour is not supported"),
    ],
)
def test_ui_schema_problems(ui, expected):
    problems = eforms.schema_problems(GOOD, ui)
    if expected:
        assert any(expected in p for p in problems), problems
    else:
        assert problems == []


def test_a_field_without_a_label_is_a_problem():
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    assert eforms.schema_problems(schema, {}) == ["x: no label (ui.fields label or schema title)"]
    assert eforms.schema_problems(schema, {"fields": {"x": {"label": "X"}}}) == []


def test_messages():
    assert eforms.validate(GOOD, {}) == {"name": "Enter họ, chữ đệm, tên."}
    errors = eforms.validate(GOOD, {"name": "x" * 11, "kind": "c", "age": "-1", "g": {"x": "3"}})
    assert errors == {
        "name": "Enter at most 10 characters.",
        "kind": "Choose one of the options.",
        "age": "Enter a number of at least 0.",
        "g.x": "Enter a date like 31/12/2024.",
    }
    assert eforms.validate(GOOD, {"name": "A", "age": "mười"}) == {"age": "Enter a whole number."}
    # An optional group left empty is not checked; once started, its required fields are.
    assert eforms.validate(GOOD, {"name": "A", "g": {"x": ""}}) == {}
    assert eforms.validate(GOOD, {"name": "A", "kind": "b"}) == {"age": "Enter tuổi."}


def test_dates_are_accepted_in_both_forms_and_normalised():
    for text in ("31/12/2024", "31-12-2024", "2024-12-31", "31.12.2024"):
        assert eforms.parse_date(text) == dt.date(2024, 12, 31)
    assert eforms.parse_date("31/02/2024") is None
    assert eforms.parse_date("12/31/2024") is None
    data, errors = eforms.clean(GOOD, {"name": "A", "g__x": "1/2/2025"})
    assert errors == {} and data == {"name": "A", "g": {"x": "2025-02-01"}}


# --- the seed forms -------------------------------------------------------------------------
@pytest.mark.parametrize("code", SEED_CODES)
def test_the_seed_form_is_supported(code):
    schema, ui = seed_form(code)
    assert eforms.schema_problems(schema, ui) == []
    assert sum(len(p.paths) for p in eforms.pages(schema, ui)) == len(
        eforms.form_fields(schema, ui)
    )


@pytest.mark.parametrize("code", SEED_CODES)
def test_valid_input_passes_and_comes_back_typed(code):
    schema, ui = seed_form(code)
    data, errors = eforms.clean(schema, VALID[code], ui=ui)
    assert errors == {}
    assert eforms.validate(schema, data, ui=ui) == {}
    assert data["requester" if code != "1.000894" else "applicant"]


def test_the_birth_registration_is_normalised():
    schema, ui = seed_form("1.001193")
    data, _errors = eforms.clean(schema, VALID["1.001193"], ui=ui)
    assert data["child"]["birth_date"] == "2026-03-05"
    assert data["mother"]["birth_year"] == 1995
    assert data["requester"]["is_parent"] is True
    assert data["requester"]["phone"] == "0912 345 678"
    assert data["declaration"] is True
    assert "father" not in data  # Tờ khai: the father's part stays blank when not established


def test_the_marriage_form_normalises_both_date_forms():
    schema, ui = seed_form("1.000894")
    data, _errors = eforms.clean(schema, VALID["1.000894"], ui=ui)
    assert data["bride"]["birth_date"] == "1996-01-20"
    assert data["groom"]["birth_date"] == "1994-08-12"
    assert data["groom"]["marriage_number"] == 1


@pytest.mark.parametrize("code", SEED_CODES)
def test_each_required_field_missing_gives_its_message(code):
    schema, ui = seed_form(code)
    fields = {f.path: f for f in eforms.form_fields(schema, ui)}
    required = [f for f in fields.values() if f.required]
    assert required
    for f in required:
        raw = {k: v for k, v in VALID[code].items() if k != f.name}
        _data, errors = eforms.clean(schema, raw, ui=ui)
        label = f.label[0].lower() + f.label[1:] if f.label[1:2].islower() else f.label
        expected = {
            "radio": f"Choose {label}.",
            "select": f"Choose {label}.",
            "checkbox": f"Tick the box: {label}.",
        }.get(f.widget, f"Enter {label}.")
        assert errors == {f.path: expected}, f.path


def test_bad_date_bad_option_and_too_long():
    schema, ui = seed_form("1.001193")
    raw = {
        **VALID["1.001193"],
        "child__birth_date": "30/02/2026",
        "child__sex": "Khác",
        "child__full_name": "Nguyễn " * 20,
        "mother__birth_year": "1850",
        "requester__id_number": "0010-890",
    }
    data, errors = eforms.clean(schema, raw, ui=ui)
    assert errors == {
        "requester.id_number": "Enter giấy tờ tùy thân (số) in the right format.",
        "child.full_name": "Enter at most 100 characters.",
        "child.birth_date": "Enter a date like 31/12/2024.",
        "child.sex": "Choose one of the options.",
        "mother.birth_year": "Enter a number of at least 1900.",
    }
    assert data["child"]["birth_date"] == "30/02/2026"  # kept as typed to show it again


def test_the_relationship_is_required_when_the_requester_is_not_a_parent():
    # TT 04/2020/TT-BTP, Tờ khai đăng ký khai sinh: "Quan hệ với người được khai sinh".
    schema, ui = seed_form("1.001193")
    raw = {**VALID["1.001193"], "requester__is_parent": "false"}
    assert eforms.clean(schema, raw, ui=ui)[1] == {
        "requester.relationship": "Enter quan hệ với người được khai sinh."
    }
    raw["requester__relationship"] = "Bà nội"
    assert eforms.clean(schema, raw, ui=ui)[1] == {}


def test_the_spouse_is_required_when_the_person_is_married():
    schema, ui = seed_form("1.004873")
    raw = {**VALID["1.004873"], "marital_status": "Đang có vợ/chồng"}
    assert eforms.clean(schema, raw, ui=ui)[1] == {
        "spouse_name": "Enter họ, chữ đệm, tên vợ/chồng hiện tại."
    }


def test_one_page_at_a_time():
    schema, ui = seed_form("1.001193")
    page = eforms.pages(schema, ui)[1]
    assert page.title == "Người được khai sinh"
    data, errors = eforms.clean(schema, {"child__full_name": "Minh Anh"}, ui=ui, paths=page.paths)
    assert set(errors) == {
        "child.birth_date",
        "child.sex",
        "child.ethnicity",
        "child.nationality",
        "child.birth_place",
    }
    assert data == {"child": {"full_name": "Minh Anh"}}


def test_prefill_takes_the_requester_from_the_profile():
    schema, ui = seed_form("1.001193")
    profile = {
        "full_name": "Nguyễn Văn An",
        "id_number": "001089012345",
        "date_of_birth": dt.date(1990, 1, 2),
        "phone": "0912345678",
        "email": "",
        "address": "Xã Tân Lập, tỉnh Phú Thọ",
    }
    assert eforms.prefill(schema, ui, profile) == {
        "requester": {
            "full_name": "Nguyễn Văn An",
            "id_number": "001089012345",
            "residence": "Xã Tân Lập, tỉnh Phú Thọ",
            "phone": "0912345678",
        }
    }


def test_summary_lists_answers_as_people_read_them():
    schema, ui = seed_form("1.001193")
    data, _errors = eforms.clean(schema, VALID["1.001193"], ui=ui)
    rows = eforms.summary(schema, ui, data)
    by_path = {path: (label, value) for label, value, path in rows}
    assert by_path["child.birth_date"] == (
        "Người được khai sinh – Ngày, tháng, năm sinh",
        "05/03/2026",
    )
    assert by_path["requester.is_parent"][1] == "Yes"
    assert by_path["mother.birth_year"][1] == "1995"
    assert "father.full_name" not in by_path  # optional and unanswered
    assert rows[0][2] == "requester.full_name"


# --- rendering ------------------------------------------------------------------------------
def render(schema, ui, **kwargs) -> str:
    return render_to_string(
        "catalog/eform/_form.html",
        eforms.template_context(eforms.form_fields(schema, ui, **kwargs)),
    )


def test_rendering_links_labels_hints_and_errors():
    schema, ui = seed_form("1.001193")
    raw = {**VALID["1.001193"], "child__birth_date": "hôm qua"}
    data, errors = eforms.clean(schema, raw, ui=ui)
    html = render(schema, ui, data=data, errors=errors)
    # Label → input, autocomplete, hint referenced by aria-describedby.
    assert '<label class="eform-label" for="field-requester__full_name">' in html
    assert 'autocomplete="name"' in html
    assert (
        'id="field-child__birth_date" name="child__birth_date" value="hôm qua" inputmode="numeric"'
        ' aria-describedby="field-child__birth_date-hint field-child__birth_date-error"'
        ' aria-invalid="true"'
    ) in html
    assert (
        '<p class="eform-hint" id="field-child__birth_date-hint">For example, 31/12/2024</p>'
        in (html)
    )
    assert 'id="field-child__birth_date-error">Enter a date like 31/12/2024.</p>' in html
    # Error summary links to the field.
    assert 'role="alert"' in html
    assert '<a href="#field-child__birth_date">Enter a date like 31/12/2024.</a>' in html
    # Groups and radio sets are fieldsets with a legend; required is said in words.
    assert '<legend class="eform-group-title">Mẹ</legend>' in html
    assert "Giới tính <span" in html and "(required)" in html
    assert 'id="field-child__sex-2" name="child__sex" value="Nữ" checked' in html
    assert html.count("<fieldset") == html.count("</fieldset>")


def test_rendering_without_errors_has_no_summary_and_shows_dates_as_typed_by_people():
    schema, ui = seed_form("1.000656")
    data, _errors = eforms.clean(schema, VALID["1.000656"], ui=ui)
    html = render(schema, ui, data=data)
    assert "eform-error-summary" not in html and "aria-invalid" not in html
    assert 'name="death__date" value="02/06/2026"' in html
    assert 'type="tel" id="field-requester__phone"' in html


# --- exchange format, seed and publishing --------------------------------------------------
def _with_form(doc: dict[str, Any]) -> dict[str, Any]:
    schema, ui = seed_form("1.001193")
    variant = doc["procedures"][0]["variants"][0]
    assert doc["procedures"][0]["code"] == "1.001193"
    variant["form_schema"], variant["form_ui"] = schema, ui
    return doc


@pytest.mark.django_db
def test_forms_travel_in_the_json_and_xlsx_exchange_format():
    import_catalog(_with_form(sample_document()))
    variant = ProcedureVariant.objects.get(version__procedure__code="1.001193", is_default=True)
    assert variant.form_schema["title"] == "Tờ khai đăng ký khai sinh"
    exported = export_catalog()
    assert exported["procedures"][0]["variants"][0]["form_ui"] == seed_form("1.001193")[1]
    assert len(import_catalog(exported).unchanged) == 4
    assert len(import_catalog(xlsx_to_document(export_catalog_xlsx())).unchanged) == 4
    # A document without forms (an older export) is another version: the form is gone.
    assert import_catalog(sample_document()).updated == ["1.001193"]


@pytest.mark.django_db
def test_a_broken_form_is_an_import_error_with_its_location():
    doc = _with_form(sample_document())
    doc["procedures"][0]["variants"][0]["form_schema"]["properties"]["child"]["properties"]["sex"][
        "enum"
    ] = "Nam"
    with pytest.raises(ValidationFailed) as excinfo:
        import_catalog(doc)
    assert (
        "procedures[1] 1.001193 variants[1] form: properties.child.sex: enum must be a non-empty"
        in str(excinfo.value.message)
    )
    assert not ProcedureVersion.objects.exists()


@pytest.mark.django_db
def test_the_seed_catalogue_carries_the_five_forms_and_reloads_as_unchanged():
    report = load_seed_catalog()
    assert set(SEED_CODES) <= set(report.created)
    for code in SEED_CODES:
        variant = selectors.procedure_detail(code).variants.get(is_default=True)
        assert variant.form_schema == seed_form(code)[0], code
    again = load_seed_catalog()
    assert again.created == [] and again.updated == []


@pytest.mark.django_db
def test_publishing_refuses_a_case_whose_form_has_problems():
    import_catalog(sample_document())
    current = selectors.procedure_detail("1.001193")
    draft = ProcedureVersion.objects.get(pk=current.pk)
    variants = list(current.variants.all())
    components = list(current.components.all())
    draft.pk, draft.number, draft.status = None, 2, VersionStatus.DRAFT
    draft.save()
    for v in variants:
        v.pk, v.version = None, draft
        v.form_schema = {"type": "object", "properties": {"x": {"type": "array", "title": "X"}}}
        v.save()
    for c in components:
        c.pk, c.version, c.variant = None, draft, None
        c.save()
    with pytest.raises(ValidationFailed) as excinfo:
        procedure_version_publish(version=draft)
    assert "application form: properties.x: type 'array' is not supported" in str(
        excinfo.value.message
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


# --- admin ----------------------------------------------------------------------------------
@pytest.fixture
def admin(client):
    from motcua.accounts.tests.mfa import mfa_login
    from motcua.org.tests.factories import UserFactory

    mfa_login(client, UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
def test_the_admin_previews_the_form(admin):
    load_seed_catalog()
    variant = selectors.procedure_detail("1.001193").variants.get(is_default=True)
    response = admin.get(f"/admin/catalog/procedurevariant/{variant.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Người được khai sinh" in html and 'for="field-child__birth_date"' in html
    assert "<fieldset disabled>" in html  # the preview never posts with the admin form


@pytest.mark.django_db
def test_the_admin_refuses_a_form_with_problems(admin):
    from motcua.catalog.admin import VariantForm

    load_seed_catalog()
    variant = selectors.procedure_detail("1.001193").variants.get(is_default=True)
    data = {
        "version": variant.version_id,
        "code": variant.code,
        "name": variant.name,
        "order": 0,
        "is_default": True,
        "time_amount": "1",
        "time_unit": variant.time_unit,
        "form_schema": json.dumps({"type": "object", "properties": {"x": {"type": "array"}}}),
        "form_ui": "{}",
    }
    form = VariantForm(data=data, instance=variant)
    assert not form.is_valid()
    assert "properties.x: type 'array' is not supported" in form.errors["form_schema"]
    data["form_schema"] = json.dumps(seed_form("1.001193")[0])
    data["form_ui"] = json.dumps(seed_form("1.001193")[1])
    assert VariantForm(data=data, instance=variant).is_valid()


def test_docs_describe_the_subset():
    doc = Path(__file__).resolve().parents[4] / "docs" / "eforms.md"
    assert "schema_problems" in doc.read_text(encoding="utf-8")


def test_the_form_may_name_the_component_it_stands_for():
    """ui "component": the tờ khai is the form itself, so it is not uploaded (docs/eforms.md)."""
    ui = {"component": "Tờ khai đăng ký khai sinh"}
    assert eforms.is_form_component(ui, "Tờ khai đăng ký khai sinh theo mẫu")
    assert eforms.is_form_component(ui, "Tờ khai đăng ký khai sinh")
    assert not eforms.is_form_component(ui, "Giấy chứng sinh")
    assert not eforms.is_form_component({}, "Tờ khai đăng ký khai sinh")
    schema = {"type": "object", "properties": {"x": {"type": "string", "title": "X"}}}
    assert eforms.schema_problems(schema, ui) == []
    assert eforms.schema_problems(schema, {"component": " "}) == [
        "ui.component: must be the name (or its start) of a component"
    ]

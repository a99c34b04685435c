"""Import and export of the procedure catalogue as JSON (format ``motcua.procedures/1``) and XLSX.

Provinces maintain their own procedure lists (publication decisions), so the catalogue travels
as data. Import validates everything first and writes nothing if any procedure is invalid;
re-importing the same file changes nothing; a changed procedure gets a new published version.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Choices, Max

from motcua.catalog import eforms, fees, process
from motcua.catalog.choices import (
    ApplicantType,
    Channel,
    FeeKind,
    ImplementationLevel,
    OnlineLevel,
    TimeUnitChoice,
    VersionStatus,
)
from motcua.catalog.models import (
    ChannelOption,
    Component,
    FeeItem,
    LegalBasis,
    Procedure,
    ProcedureVariant,
    ProcedureVersion,
    ProcessStep,
    Sector,
)
from motcua.catalog.services.versions import procedure_version_publish
from motcua.core.errors import ValidationFailed
from motcua.org.choices import AgencyKind, Role

FORMAT = "motcua.procedures/1"
SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "seed_procedures.json"
SEED_FORMS = Path(__file__).resolve().parent.parent / "data" / "forms"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sectors: int = 0


# --- export ---------------------------------------------------------------------------------
def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _time(amount: Decimal | None, unit: str) -> dict[str, Any] | None:
    if amount is None or not unit:
        return None
    return {"amount": _num(amount), "unit": unit}


def version_to_dict(version: ProcedureVersion) -> dict[str, Any]:
    variants = list(version.variants.all())
    by_pk: dict[int | None, str] = {v.pk: v.code for v in variants}  # get(None) for no case
    return {
        "code": version.procedure.code,
        "name": version.name,
        "sector": version.sector.code,
        "levels": list(version.levels),
        "implementing_agency": {
            "kind": version.implementing_kind,
            "unit_key": version.implementing_unit_key,
            "text": version.implementing_agency_text,
        },
        "applicant_types": list(version.applicant_types),
        "online_level": version.online_level,
        "is_interlinked": version.is_interlinked,
        "sequence": version.sequence,
        "conditions": version.conditions,
        "result": {"name": version.result_name, "is_document": version.result_is_document},
        "time_text": version.time_text,
        "fee_text": version.fee_text,
        "publication_decision": version.publication_decision,
        "legal_bases": [
            {
                "number": b.number,
                "title": b.title,
                "issued_on": b.issued_on.isoformat() if b.issued_on else None,
                "issuer": b.issuer,
            }
            for b in version.legal_bases.all()
        ],
        "variants": [
            {
                "code": v.code,
                "name": v.name,
                "default": v.is_default,
                "time": _time(v.time_amount, v.time_unit),
                "channels": [
                    {
                        "channel": c.channel,
                        "time": _time(c.time_amount, c.time_unit),
                        "description": c.description,
                    }
                    for c in v.channels.all()
                ],
                "steps": [
                    {
                        "name": s.name,
                        "role": s.role,
                        "hours": _num(s.hours),
                        "status_code": s.status_code,
                    }
                    for s in v.steps.all()
                ],
                "form_schema": v.form_schema or {},
                "form_ui": v.form_ui or {},
            }
            for v in variants
        ],
        "components": [
            {
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "mandatory": c.mandatory,
                "template": c.template,
                "variant": by_pk.get(c.variant_id),
                "note": c.note,
            }
            for c in version.components.all()
        ],
        "fees": [
            {
                "name": f.name,
                "kind": f.kind,
                "amount": _num(f.amount),
                "formula": f.formula,
                "channel": f.channel,
                "exemptions": f.exemptions,
                "note": f.note,
            }
            for f in version.fees.all()
        ],
    }


def _export_versions():
    return (
        ProcedureVersion.objects.current()
        .select_related("procedure", "sector")
        .prefetch_related(
            "legal_bases", "variants__channels", "variants__steps", "components", "fees"
        )
        .order_by("procedure__code")
    )


def export_catalog() -> dict[str, Any]:
    versions = list(_export_versions())
    sectors = {v.sector for v in versions}
    return {
        "format": FORMAT,
        "sectors": [
            {"code": s.code, "name": s.name, "ministry_code": s.ministry_code}
            for s in sorted(sectors, key=lambda s: s.code)
        ],
        "procedures": [version_to_dict(v) for v in versions],
    }


# --- validation -----------------------------------------------------------------------------
def _choice(value: Any, choices: type[Choices], where: str, errors: list[str]) -> None:
    if value not in choices.values:
        errors.append(f"{where}: {value!r} is not one of {', '.join(map(str, choices.values))}")


def _decimal(value: Any, where: str, errors: list[str]) -> Decimal | None:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(f"{where}: {value!r} is not a number")
        return None
    if result < 0:
        errors.append(f"{where}: must not be negative")
    return result


def validate_document(data: Any) -> list[str]:
    """All problems in an import document, each prefixed with where it is."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return [f"the document is not in format {FORMAT}"]
    errors: list[str] = []
    sector_codes = {s.get("code") for s in data.get("sectors", [])}
    sector_codes |= set(Sector.objects.values_list("code", flat=True))
    for i, s in enumerate(data.get("sectors", []), 1):
        if not s.get("code") or not s.get("name"):
            errors.append(f"sectors[{i}]: code and name are required")
    seen: set[str] = set()
    for i, p in enumerate(data.get("procedures", []), 1):
        where = f"procedures[{i}] {p.get('code', '?')}"
        errors.extend(_validate_procedure(p, where, sector_codes, seen))
    return errors


def _validate_procedure(p: dict[str, Any], where: str, sectors: set, seen: set) -> list[str]:
    errors: list[str] = []
    for key in ("code", "name", "sector", "sequence", "time_text", "variants", "components"):
        if not p.get(key):
            errors.append(f"{where}: {key} is required")
    if errors:
        return errors
    if p["code"] in seen:
        errors.append(f"{where}: the code appears twice")
    seen.add(p["code"])
    if p["sector"] not in sectors:
        errors.append(f"{where}: unknown sector {p['sector']!r}")
    for level in p.get("levels", []):
        _choice(level, ImplementationLevel, f"{where} levels", errors)
    for applicant in p.get("applicant_types", []):
        _choice(applicant, ApplicantType, f"{where} applicant_types", errors)
    _choice(p.get("online_level"), OnlineLevel, f"{where} online_level", errors)
    agency = p.get("implementing_agency") or {}
    _choice(agency.get("kind"), AgencyKind, f"{where} implementing_agency.kind", errors)
    if not agency.get("text"):
        errors.append(f"{where}: implementing_agency.text is required")
    for k, basis in enumerate(p.get("legal_bases", []), 1):
        if not basis.get("title"):
            errors.append(f"{where} legal_bases[{k}]: title is required")
        if basis.get("issued_on"):
            try:
                dt.date.fromisoformat(str(basis["issued_on"]))
            except ValueError:
                errors.append(f"{where} legal_bases[{k}]: issued_on must be a date YYYY-MM-DD")
    if not (p.get("result") or {}).get("name"):
        errors.append(f"{where}: result.name is required")
    variant_codes = set()
    defaults = 0
    for j, v in enumerate(p["variants"], 1):
        vwhere = f"{where} variants[{j}]"
        variant_codes.add(v.get("code"))
        defaults += bool(v.get("default"))
        time = v.get("time") or {}
        _choice(time.get("unit"), TimeUnitChoice, f"{vwhere} time.unit", errors)
        amount = _decimal(time.get("amount"), f"{vwhere} time.amount", errors)
        hours = []
        for k, step in enumerate(v.get("steps", []), 1):
            _choice(step.get("role"), Role, f"{vwhere} steps[{k}].role", errors)
            h = _decimal(step.get("hours"), f"{vwhere} steps[{k}].hours", errors)
            if h is not None:
                hours.append(h)
        if amount is not None and time.get("unit") in TimeUnitChoice.values:
            errors.extend(
                f"{vwhere}: {e}" for e in process.budget_errors(amount, time["unit"], hours)
            )
        for c in v.get("channels", []):
            _choice(c.get("channel"), Channel, f"{vwhere} channel", errors)
        form_schema, form_ui = v.get("form_schema") or {}, v.get("form_ui") or {}
        errors.extend(f"{vwhere} form: {e}" for e in eforms.schema_problems(form_schema, form_ui))
    if defaults != 1:
        errors.append(f"{where}: exactly one variant must be the default")
    for k, c in enumerate(p["components"], 1):
        if not c.get("name"):
            errors.append(f"{where} components[{k}]: name is required")
        if c.get("variant") is not None and c["variant"] not in variant_codes:
            errors.append(f"{where} components[{k}]: unknown variant {c['variant']!r}")
    for k, f in enumerate(p.get("fees", []), 1):
        fwhere = f"{where} fees[{k}]"
        _choice(f.get("kind"), FeeKind, f"{fwhere} kind", errors)
        if f.get("formula"):
            errors.extend(f"{fwhere}: {e}" for e in fees.validate_formula(f["formula"]))
        elif f.get("amount") is None:
            errors.append(f"{fwhere}: an amount or a formula is required")
        else:
            _decimal(f["amount"], f"{fwhere} amount", errors)
    return errors


# --- import ---------------------------------------------------------------------------------
def _normalised(p: dict[str, Any]) -> str:
    """A canonical form for comparing an incoming procedure with the version in force."""
    return json.dumps(p, sort_keys=True, ensure_ascii=False, default=str)


def _create_version(
    procedure: Procedure, p: dict[str, Any], sectors: dict[str, Sector]
) -> ProcedureVersion:
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    agency = p["implementing_agency"]
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        status=VersionStatus.DRAFT,
        name=p["name"],
        sector=sectors[p["sector"]],
        levels=p.get("levels", []),
        applicant_types=p.get("applicant_types", []),
        implementing_agency_text=agency["text"],
        implementing_kind=agency["kind"],
        implementing_unit_key=agency.get("unit_key", ""),
        sequence=p["sequence"],
        conditions=p.get("conditions", ""),
        result_name=p["result"]["name"],
        result_is_document=p["result"].get("is_document", True),
        online_level=p["online_level"],
        is_interlinked=p.get("is_interlinked", False),
        time_text=p["time_text"],
        fee_text=p.get("fee_text", ""),
        publication_decision=p.get("publication_decision", ""),
    )
    LegalBasis.objects.bulk_create(
        LegalBasis(
            version=version,
            number=b.get("number", ""),
            title=b["title"],
            issued_on=dt.date.fromisoformat(b["issued_on"]) if b.get("issued_on") else None,
            issuer=b.get("issuer", ""),
            order=i,
        )
        for i, b in enumerate(p.get("legal_bases", []))
    )
    variants: dict[str, ProcedureVariant] = {}
    for i, v in enumerate(p["variants"]):
        variant = ProcedureVariant.objects.create(
            version=version,
            code=v["code"],
            name=v["name"],
            order=i,
            is_default=bool(v.get("default")),
            time_amount=Decimal(str(v["time"]["amount"])),
            time_unit=v["time"]["unit"],
            form_schema=v.get("form_schema") or {},
            form_ui=v.get("form_ui") or {},
        )
        variants[v["code"]] = variant
        ChannelOption.objects.bulk_create(
            ChannelOption(
                variant=variant,
                channel=c["channel"],
                time_amount=Decimal(str(c["time"]["amount"])) if c.get("time") else None,
                time_unit=c["time"]["unit"] if c.get("time") else "",
                description=c.get("description", ""),
            )
            for c in v.get("channels", [])
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                variant=variant,
                order=k + 1,
                name=s["name"],
                role=s["role"],
                hours=Decimal(str(s["hours"])),
                status_code=s["status_code"],
            )
            for k, s in enumerate(v.get("steps", []))
        )
    Component.objects.bulk_create(
        Component(
            version=version,
            variant=variants.get(c["variant"]) if c.get("variant") else None,
            name=c["name"],
            originals=c.get("originals", 0),
            copies=c.get("copies", 0),
            mandatory=c.get("mandatory", True),
            template=c.get("template", ""),
            note=c.get("note", ""),
            order=i,
        )
        for i, c in enumerate(p["components"])
    )
    FeeItem.objects.bulk_create(
        FeeItem(
            version=version,
            channel=f.get("channel"),
            name=f["name"],
            kind=f["kind"],
            amount=Decimal(str(f["amount"])) if f.get("amount") is not None else None,
            formula=f.get("formula"),
            exemptions=f.get("exemptions", ""),
            note=f.get("note", ""),
            order=i,
        )
        for i, f in enumerate(p.get("fees", []))
    )
    return version


def import_catalog(data: Any, *, actor=None, valid_from: dt.date | None = None) -> ImportReport:
    errors = validate_document(data)
    if errors:
        raise ValidationFailed(
            "; ".join(errors[:20]) + (f" (+{len(errors) - 20} more)" if len(errors) > 20 else ""),
            code="import_invalid",
        )
    report = ImportReport()
    with transaction.atomic():
        for s in data.get("sectors", []):
            _, created = Sector.objects.update_or_create(
                code=s["code"],
                defaults={"name": s["name"], "ministry_code": s.get("ministry_code", "")},
            )
            report.sectors += created
        sectors = {s.code: s for s in Sector.objects.all()}
        current = {v.procedure.code: v for v in _export_versions()}
        for p in data.get("procedures", []):
            existing = current.get(p["code"])
            if existing is not None and _normalised(_canonical(p)) == _normalised(
                version_to_dict(existing)
            ):
                report.unchanged.append(p["code"])
                continue
            procedure, _created = Procedure.objects.get_or_create(code=p["code"])
            version = _create_version(procedure, p, sectors)
            procedure_version_publish(version=version, actor=actor, valid_from=valid_from)
            (report.updated if existing is not None else report.created).append(p["code"])
    return report


def _canonical(p: dict[str, Any]) -> dict[str, Any]:
    """Fill the defaults of an incoming procedure the way export writes them."""

    def num(x):
        d = Decimal(str(x))
        return int(d) if d == d.to_integral_value() else float(d)

    agency = p["implementing_agency"]
    return {
        "code": p["code"],
        "name": p["name"],
        "sector": p["sector"],
        "levels": p.get("levels", []),
        "implementing_agency": {
            "kind": agency["kind"],
            "unit_key": agency.get("unit_key", ""),
            "text": agency["text"],
        },
        "applicant_types": p.get("applicant_types", []),
        "online_level": p["online_level"],
        "is_interlinked": p.get("is_interlinked", False),
        "sequence": p["sequence"],
        "conditions": p.get("conditions", ""),
        "result": {
            "name": p["result"]["name"],
            "is_document": p["result"].get("is_document", True),
        },
        "time_text": p["time_text"],
        "fee_text": p.get("fee_text", ""),
        "publication_decision": p.get("publication_decision", ""),
        "legal_bases": [
            {
                "number": b.get("number", ""),
                "title": b["title"],
                "issued_on": b.get("issued_on") or None,
                "issuer": b.get("issuer", ""),
            }
            for b in p.get("legal_bases", [])
        ],
        "variants": [
            {
                "code": v["code"],
                "name": v["name"],
                "default": bool(v.get("default")),
                "time": {"amount": num(v["time"]["amount"]), "unit": v["time"]["unit"]},
                "channels": sorted(
                    (
                        {
                            "channel": c["channel"],
                            "time": (
                                {"amount": num(c["time"]["amount"]), "unit": c["time"]["unit"]}
                                if c.get("time")
                                else None
                            ),
                            "description": c.get("description", ""),
                        }
                        for c in v.get("channels", [])
                    ),
                    key=lambda c: c["channel"],
                ),
                "steps": [
                    {
                        "name": s["name"],
                        "role": s["role"],
                        "hours": num(s["hours"]),
                        "status_code": s["status_code"],
                    }
                    for s in v.get("steps", [])
                ],
                "form_schema": v.get("form_schema") or {},
                "form_ui": v.get("form_ui") or {},
            }
            for v in p["variants"]
        ],
        "components": [
            {
                "name": c["name"],
                "originals": c.get("originals", 0),
                "copies": c.get("copies", 0),
                "mandatory": c.get("mandatory", True),
                "template": c.get("template", ""),
                "variant": c.get("variant"),
                "note": c.get("note", ""),
            }
            for c in p["components"]
        ],
        "fees": [
            {
                "name": f["name"],
                "kind": f["kind"],
                "amount": num(f["amount"]) if f.get("amount") is not None else None,
                "formula": f.get("formula"),
                "channel": f.get("channel"),
                "exemptions": f.get("exemptions", ""),
                "note": f.get("note", ""),
            }
            for f in p.get("fees", [])
        ],
    }


def with_seed_forms(document: dict[str, Any], forms_dir: Path = SEED_FORMS) -> dict[str, Any]:
    """Attach the e-forms of ``forms_dir/<procedure code>.json`` (``{"schema", "ui"}``) to
    every case of each procedure that has one (and no form of its own): the cases of one
    procedure share its tờ khai."""
    for p in document.get("procedures", []):
        path = forms_dir / f"{p.get('code')}.json"
        if not path.is_file():
            continue
        form = json.loads(path.read_text(encoding="utf-8"))
        for v in p.get("variants", []):
            if not v.get("form_schema"):
                v["form_schema"], v["form_ui"] = form["schema"], form.get("ui", {})
    return document


def load_seed_catalog(*, actor=None) -> ImportReport:
    with SEED_FILE.open(encoding="utf-8") as fh:
        document = with_seed_forms(json.load(fh))
    return import_catalog(document, actor=actor, valid_from=dt.date(2025, 7, 1))


# --- XLSX -----------------------------------------------------------------------------------
_SHEETS = {
    "Thủ tục": [
        "code",
        "name",
        "sector",
        "levels",
        "online_level",
        "is_interlinked",
        "implementing_kind",
        "implementing_unit_key",
        "implementing_agency_text",
        "applicant_types",
        "result_name",
        "result_is_document",
        "time_text",
        "fee_text",
        "sequence",
        "conditions",
        "publication_decision",
    ],
    "Lĩnh vực": ["code", "name", "ministry_code"],
    "Trường hợp": [
        "procedure",
        "code",
        "name",
        "default",
        "time_amount",
        "time_unit",
        "channels",
        "form_schema",
        "form_ui",
    ],
    "Quy trình": ["procedure", "variant", "order", "name", "role", "hours", "status_code"],
    "Thành phần": [
        "procedure",
        "variant",
        "name",
        "originals",
        "copies",
        "mandatory",
        "template",
        "note",
    ],
    "Phí, lệ phí": [
        "procedure",
        "name",
        "kind",
        "amount",
        "formula",
        "channel",
        "exemptions",
        "note",
    ],
    "Căn cứ pháp lý": ["procedure", "number", "title", "issued_on", "issuer"],
}


def export_catalog_xlsx() -> bytes:
    """The catalogue as a workbook with one sheet per kind of row (same content as JSON)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    doc = export_catalog()
    rows: dict[str, list[list[Any]]] = {name: [] for name in _SHEETS}
    rows["Lĩnh vực"] = [[s["code"], s["name"], s["ministry_code"]] for s in doc["sectors"]]
    for p in doc["procedures"]:
        a = p["implementing_agency"]
        rows["Thủ tục"].append(
            [
                p["code"],
                p["name"],
                p["sector"],
                ",".join(p["levels"]),
                p["online_level"],
                p["is_interlinked"],
                a["kind"],
                a["unit_key"],
                a["text"],
                ",".join(map(str, p["applicant_types"])),
                p["result"]["name"],
                p["result"]["is_document"],
                p["time_text"],
                p["fee_text"],
                p["sequence"],
                p["conditions"],
                p["publication_decision"],
            ]
        )
        for v in p["variants"]:
            rows["Trường hợp"].append(
                [
                    p["code"],
                    v["code"],
                    v["name"],
                    v["default"],
                    v["time"]["amount"],
                    v["time"]["unit"],
                    json.dumps(v["channels"], ensure_ascii=False),
                    json.dumps(v["form_schema"], ensure_ascii=False) if v["form_schema"] else None,
                    json.dumps(v["form_ui"], ensure_ascii=False) if v["form_ui"] else None,
                ]
            )
            for i, s in enumerate(v["steps"], 1):
                rows["Quy trình"].append(
                    [p["code"], v["code"], i, s["name"], s["role"], s["hours"], s["status_code"]]
                )
        for c in p["components"]:
            rows["Thành phần"].append(
                [
                    p["code"],
                    c["variant"],
                    c["name"],
                    c["originals"],
                    c["copies"],
                    c["mandatory"],
                    c["template"],
                    c["note"],
                ]
            )
        for f in p["fees"]:
            rows["Phí, lệ phí"].append(
                [
                    p["code"],
                    f["name"],
                    f["kind"],
                    f["amount"],
                    json.dumps(f["formula"], ensure_ascii=False) if f["formula"] else None,
                    f["channel"],
                    f["exemptions"],
                    f["note"],
                ]
            )
        for b in p["legal_bases"]:
            rows["Căn cứ pháp lý"].append(
                [p["code"], b["number"], b["title"], b["issued_on"], b["issuer"]]
            )
    wb = Workbook()
    wb.remove(wb.active)
    for name, header in _SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[name]:
            ws.append(row)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _json_cell(value: Any, column: str) -> Any:
    """A JSON cell of the workbook (empty: {}); a sheet written before the column existed has
    no such cell."""
    if value in (None, ""):
        return {}
    try:
        return json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"the {column} cell is not valid JSON ({exc})", code="import_invalid"
        ) from exc


def xlsx_to_document(content: bytes) -> dict[str, Any]:
    """Read a workbook written by ``export_catalog_xlsx`` (possibly edited) back into the JSON
    document form, so that both formats share one validation and import path."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    missing = [name for name in _SHEETS if name not in wb.sheetnames]
    if missing:
        raise ValidationFailed(
            f"the workbook lacks the sheets: {', '.join(missing)}", code="import_invalid"
        )

    def records(name: str) -> list[dict[str, Any]]:
        ws = wb[name]
        it = ws.iter_rows(values_only=True)
        header = [str(h) for h in next(it)]
        return [dict(zip(header, r, strict=False)) for r in it if any(v is not None for v in r)]

    def text(v: Any) -> str:
        return "" if v is None else str(v)

    def boolean(v: Any) -> bool:
        return v in (True, 1, "1", "TRUE", "True", "true", "x", "có")

    procedures: dict[str, dict[str, Any]] = {}
    for r in records("Thủ tục"):
        procedures[text(r["code"])] = {
            "code": text(r["code"]),
            "name": text(r["name"]),
            "sector": text(r["sector"]),
            "levels": [x for x in text(r["levels"]).split(",") if x],
            "implementing_agency": {
                "kind": text(r["implementing_kind"]),
                "unit_key": text(r["implementing_unit_key"]),
                "text": text(r["implementing_agency_text"]),
            },
            "applicant_types": [int(x) for x in text(r["applicant_types"]).split(",") if x],
            "online_level": text(r["online_level"]),
            "is_interlinked": boolean(r["is_interlinked"]),
            "sequence": text(r["sequence"]),
            "conditions": text(r["conditions"]),
            "result": {
                "name": text(r["result_name"]),
                "is_document": boolean(r["result_is_document"]),
            },
            "time_text": text(r["time_text"]),
            "fee_text": text(r["fee_text"]),
            "publication_decision": text(r["publication_decision"]),
            "legal_bases": [],
            "variants": [],
            "components": [],
            "fees": [],
        }

    def owner(r: dict[str, Any]) -> dict[str, Any]:
        code = text(r["procedure"])
        if code not in procedures:
            raise ValidationFailed(
                f"unknown procedure {code!r} in the workbook", code="import_invalid"
            )
        return procedures[code]

    variants: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records("Trường hợp"):
        v: dict[str, Any] = {
            "code": text(r["code"]),
            "name": text(r["name"]),
            "default": boolean(r["default"]),
            "time": {"amount": r["time_amount"], "unit": text(r["time_unit"])},
            "channels": json.loads(r["channels"]) if r["channels"] else [],
            "steps": [],
            "form_schema": _json_cell(r.get("form_schema"), "form_schema"),
            "form_ui": _json_cell(r.get("form_ui"), "form_ui"),
        }
        owner(r)["variants"].append(v)
        variants[(text(r["procedure"]), v["code"])] = v
    for r in sorted(records("Quy trình"), key=lambda r: (text(r["procedure"]), int(r["order"]))):
        variant = variants.get((text(r["procedure"]), text(r["variant"])))
        if variant is None:
            raise ValidationFailed(
                f"unknown case {r['variant']!r} in the workbook", code="import_invalid"
            )
        variant["steps"].append(
            {
                "name": text(r["name"]),
                "role": text(r["role"]),
                "hours": r["hours"],
                "status_code": int(r["status_code"]),
            }
        )
    for r in records("Thành phần"):
        owner(r)["components"].append(
            {
                "name": text(r["name"]),
                "originals": int(r["originals"] or 0),
                "copies": int(r["copies"] or 0),
                "mandatory": boolean(r["mandatory"]),
                "template": text(r["template"]),
                "variant": r["variant"] or None,
                "note": text(r["note"]),
            }
        )
    for r in records("Phí, lệ phí"):
        owner(r)["fees"].append(
            {
                "name": text(r["name"]),
                "kind": text(r["kind"]),
                "amount": r["amount"],
                "formula": json.loads(r["formula"]) if r["formula"] else None,
                "channel": int(r["channel"]) if r["channel"] else None,
                "exemptions": text(r["exemptions"]),
                "note": text(r["note"]),
            }
        )
    for r in records("Căn cứ pháp lý"):
        issued = r["issued_on"]
        if isinstance(issued, dt.datetime):
            issued = issued.date().isoformat()
        owner(r)["legal_bases"].append(
            {
                "number": text(r["number"]),
                "title": text(r["title"]),
                "issued_on": issued or None,
                "issuer": text(r["issuer"]),
            }
        )
    return {
        "format": FORMAT,
        "sectors": [
            {
                "code": text(r["code"]),
                "name": text(r["name"]),
                "ministry_code": text(r["ministry_code"]),
            }
            for r in records("Lĩnh vực")
        ],
        "procedures": list(procedures.values()),
    }

"""E-forms: the application form (tờ khai) of a procedure case, as JSON Schema plus a UI schema.

Pure module (no database). The schema is a documented SUBSET of JSON Schema draft 2020-12; the
UI schema says how to show it. See ``docs/eforms.md`` for the full description.

Schema subset
    * top level: ``type: "object"`` with ``properties``, ``required`` and optionally ``allOf``
      (conditional requirements), ``title``, ``description``, ``$schema``, ``$id``,
      ``additionalProperties``;
    * property types: ``string`` (``format``: ``date`` or ``email``; ``pattern``, ``minLength``,
      ``maxLength``, ``enum``), ``integer`` (``minimum``, ``maximum``), ``boolean``;
    * ``object`` groups one level deep (``"mother": {"type": "object", "properties": …}``),
      shown as a fieldset; an optional group left entirely empty is dropped;
    * ``allOf: [{"if": {"properties": {"x": {"const": v}}}, "then": {"required": [...]}}]``,
      where ``x`` may also be a field of a group (``{"properties": {"g": {"properties": {"x":
      {"const": v}}}}}``) and ``then`` may require group fields (``{"properties": {"g":
      {"required": [...]}}}``). Unlike plain JSON Schema, a condition on an absent (or invalid)
      field does not hold: the form asks its own question about that field instead. (A
      portable schema says the same with ``"required": ["x"]`` inside ``if``.)

UI schema
    ``{"order": [paths], "pages": [{"title": …, "fields": [paths]}], "fields": {path: {"label",
    "help", "widget", "autocomplete", "prefill", "choices"}}}``; a path is ``"name"`` or
    ``"group.name"``; a group path in ``order`` or ``pages`` stands for all its fields.

Data is a nested dict (``{"mother": {"full_name": "…"}}``); errors are keyed by path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

Schema = Mapping[str, Any]
Ui = Mapping[str, Any]

WIDGETS = {"text", "textarea", "radio", "select", "date", "checkbox"}
PREFILL_KEYS = {"full_name", "id_number", "date_of_birth", "phone", "email", "address"}
# WHATWG autofill field names that make sense on an administrative form.
AUTOCOMPLETE_TOKENS = {
    "off",
    "on",
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "nickname",
    "email",
    "organization",
    "organization-title",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level1",
    "address-level2",
    "address-level3",
    "address-level4",
    "country",
    "country-name",
    "postal-code",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "tel",
    "tel-national",
    "url",
}
_TOP_KEYS = {
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "allOf",
    "additionalProperties",
}
_GROUP_KEYS = {"type", "title", "description", "properties", "required"}
_FIELD_KEYS = {
    "type",
    "title",
    "description",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "enum",
    "minimum",
    "maximum",
    "default",
    "examples",
}
_UI_KEYS = {"order", "pages", "fields", "component"}
_UI_FIELD_KEYS = {"label", "help", "widget", "autocomplete", "prefill", "choices"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$")  # no "__": it joins HTML names
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TRUE = {"true", "on", "1", "yes", "có"}
_FALSE = {"false", "off", "0", "no", "không"}


# --- structure ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """Everything a template needs to render one input."""

    path: str
    name: str
    label: str
    help: str
    widget: str
    type: str
    choices: list[tuple[str, str]]
    required: bool
    autocomplete: str
    value: str
    error: str
    group: str = ""
    group_title: str = ""
    input_type: str = "text"
    inputmode: str = ""
    maxlength: int | None = None

    @property
    def id(self) -> str:
        return f"field-{self.name}"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint" if self.help else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}-error" if self.error else ""

    @property
    def describedby(self) -> str:
        return " ".join(x for x in (self.hint_id, self.error_id) if x)

    @property
    def anchor(self) -> str:
        """The id the error summary links to (the first option of a radio set)."""
        return f"{self.id}-1" if self.widget == "radio" else self.id

    @property
    def fieldset(self) -> bool:
        """Radio sets are a fieldset with a legend (the label) rather than a label element."""
        return self.widget == "radio"


@dataclass(frozen=True)
class FieldGroup:
    """Consecutive fields of one schema group (a fieldset), or top-level fields (``path=""``)."""

    path: str
    title: str
    fields: list[Field] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    title: str
    paths: list[str]


@dataclass(frozen=True)
class _Leaf:
    path: str
    prop: Mapping[str, Any]
    group: str
    group_title: str


def _leaves(schema: Schema) -> list[_Leaf]:
    leaves: list[_Leaf] = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        if prop.get("type") == "object":
            title = str(prop.get("title", name))
            for sub, subprop in (prop.get("properties") or {}).items():
                if isinstance(subprop, Mapping):
                    leaves.append(_Leaf(f"{name}.{sub}", subprop, name, title))
        else:
            leaves.append(_Leaf(name, prop, "", ""))
    return leaves


def _expand(paths: Iterable[str], leaves: Sequence[_Leaf]) -> list[str]:
    """Leaf paths for a list of leaf or group paths, in the given order, without repeats."""
    out: list[str] = []
    for path in paths:
        matched = [leaf.path for leaf in leaves if leaf.path == path or leaf.group == path]
        out.extend(p for p in matched if p not in out)
    return out


def _ordered(schema: Schema, ui: Ui) -> list[_Leaf]:
    leaves = _leaves(schema)
    by_path = {leaf.path: leaf for leaf in leaves}
    order = _expand(ui.get("order") or [], leaves)
    order += [leaf.path for leaf in leaves if leaf.path not in order]
    return [by_path[p] for p in order]


def _ui_field(ui: Ui, path: str) -> Mapping[str, Any]:
    value = (ui.get("fields") or {}).get(path) or {}
    return value if isinstance(value, Mapping) else {}


def _label(leaf: _Leaf, ui: Ui) -> str:
    return str(_ui_field(ui, leaf.path).get("label") or leaf.prop.get("title") or "")


def _widget(leaf: _Leaf, ui: Ui) -> str:
    chosen = _ui_field(ui, leaf.path).get("widget")
    if chosen:
        return str(chosen)
    prop = leaf.prop
    if prop.get("type") == "boolean":
        return "radio"
    if prop.get("enum"):
        return "radio" if len(prop["enum"]) <= 5 else "select"
    if prop.get("format") == "date":
        return "date"
    return "text"


def _choices(leaf: _Leaf, ui: Ui) -> list[tuple[str, str]]:
    labels = _ui_field(ui, leaf.path).get("choices") or {}
    if leaf.prop.get("type") == "boolean":
        return [
            ("true", str(labels.get("true", _("Yes")))),
            ("false", str(labels.get("false", _("No")))),
        ]
    return [(str(v), str(labels.get(str(v), v))) for v in leaf.prop.get("enum") or []]


def _is_required(schema: Schema, leaf: _Leaf) -> bool:
    """Unconditionally required (the group, if any, is required and requires the field)."""
    top = schema.get("required") or []
    if not leaf.group:
        return leaf.path in top
    group = schema["properties"][leaf.group]
    return leaf.group in top and leaf.path.split(".", 1)[1] in (group.get("required") or [])


def pages(schema: Schema, ui: Ui) -> list[Page]:
    """The pages of the form (one topic per page); one page with every field when the UI schema
    has none."""
    leaves = _ordered(schema, ui)
    declared = ui.get("pages") or []
    if not declared:
        return [Page(str(schema.get("title", "")), [leaf.path for leaf in leaves])]
    order = [leaf.path for leaf in leaves]
    result = []
    for page in declared:
        paths = _expand(page.get("fields") or [], leaves)
        result.append(Page(str(page.get("title", "")), sorted(paths, key=order.index)))
    return result


# --- problems -------------------------------------------------------------------------------
def _prop_problems(where: str, prop: Any) -> list[str]:
    if not isinstance(prop, Mapping):
        return [f"{where}: must be an object"]
    problems = [f"{where}: {k} is not supported" for k in prop if k not in _FIELD_KEYS]
    kind = prop.get("type")
    if kind not in ("string", "integer", "boolean"):
        return [*problems, f"{where}: type {kind!r} is not supported"]
    string_only = ("format", "pattern", "minLength", "maxLength", "enum")
    for key in string_only:
        if key in prop and kind != "string":
            problems.append(f"{where}: {key} applies only to strings")
    for key in ("minimum", "maximum"):
        if key in prop and kind != "integer":
            problems.append(f"{where}: {key} applies only to integers")
        elif key in prop and (not isinstance(prop[key], int) or isinstance(prop[key], bool)):
            problems.append(f"{where}: {key} must be an integer")
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        problems.append(f"{where}: minimum is greater than maximum")
    if "format" in prop and prop["format"] not in ("date", "email"):
        problems.append(f"{where}: format {prop['format']!r} is not supported")
    if "pattern" in prop:
        try:
            re.compile(str(prop["pattern"]))
        except re.error as exc:
            problems.append(f"{where}: pattern does not compile ({exc})")
    for key in ("minLength", "maxLength"):
        value = prop.get(key)
        if key in prop and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(f"{where}: {key} must be a non-negative integer")
    lo, hi = prop.get("minLength"), prop.get("maxLength")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        problems.append(f"{where}: minLength is greater than maxLength")
    if "enum" in prop:
        enum = prop["enum"]
        if not isinstance(enum, list) or not enum or not all(isinstance(v, str) for v in enum):
            problems.append(f"{where}: enum must be a non-empty list of strings")
        elif len(set(enum)) != len(enum):
            problems.append(f"{where}: enum has repeated values")
    return problems


def _names_problems(where: str, names: Any, known: Iterable[str]) -> list[str]:
    if not isinstance(names, list):
        return [f"{where}: must be a list of field names"]
    known = set(known)
    return [f"{where}: unknown field {n!r}" for n in names if n not in known]


def _condition_problems(where: str, rule: Any, schema: Schema) -> list[str]:
    if not isinstance(rule, Mapping) or set(rule) != {"if", "then"}:
        return [f"{where}: only {{'if': …, 'then': …}} is supported"]
    props = schema.get("properties") or {}
    problems: list[str] = []
    cond = rule["if"]
    if not isinstance(cond, Mapping) or set(cond) - {"properties", "required"}:
        problems.append(f"{where}.if: only properties with const (and required) are supported")
        cond = {}
    for name, test in (cond.get("properties") or {}).items():
        prop = props.get(name)
        if not isinstance(prop, Mapping):
            problems.append(f"{where}.if: unknown field {name!r}")
        elif prop.get("type") == "object" and isinstance(test, Mapping) and "properties" in test:
            for sub, subtest in test["properties"].items():
                subprop = (prop.get("properties") or {}).get(sub)
                problems += _const_problems(f"{where}.if {name}.{sub}", subtest, subprop)
        else:
            problems += _const_problems(f"{where}.if {name}", test, prop)
    if "required" in cond:
        problems += _names_problems(f"{where}.if.required", cond["required"], props)
    then = rule["then"]
    if not isinstance(then, Mapping) or set(then) - {"required", "properties"}:
        return [*problems, f"{where}.then: only required (also inside a group) is supported"]
    if "required" in then:
        problems += _names_problems(f"{where}.then.required", then["required"], props)
    for name, sub in (then.get("properties") or {}).items():
        group = props.get(name)
        if not isinstance(group, Mapping) or group.get("type") != "object":
            problems.append(f"{where}.then: {name!r} is not a group")
        elif not isinstance(sub, Mapping) or set(sub) != {"required"}:
            problems.append(f"{where}.then {name}: only required is supported")
        else:
            problems += _names_problems(
                f"{where}.then {name}.required", sub["required"], group.get("properties") or {}
            )
    return problems


def _const_problems(where: str, test: Any, prop: Any) -> list[str]:
    if not isinstance(prop, Mapping):
        return [f"{where}: unknown field"]
    if not isinstance(test, Mapping) or set(test) != {"const"}:
        return [f"{where}: only const is supported"]
    value = test["const"]
    expected = {"string": str, "integer": int, "boolean": bool}.get(str(prop.get("type")))
    if expected is None or not isinstance(value, expected):
        return [f"{where}: const {value!r} does not match the field's type"]
    if prop.get("enum") and value not in prop["enum"]:
        return [f"{where}: const {value!r} is not one of the field's options"]
    return []


def _ui_problems(schema: Schema, ui: Ui, leaves: Sequence[_Leaf]) -> list[str]:
    problems = [f"ui: {k} is not supported" for k in ui if k not in _UI_KEYS]
    if "component" in ui and not (isinstance(ui["component"], str) and ui["component"].strip()):
        problems.append("ui.component: must be the name (or its start) of a component")
    paths = {leaf.path for leaf in leaves} | {leaf.group for leaf in leaves if leaf.group}

    def check_paths(where: str, value: Any) -> None:
        if not isinstance(value, list):
            problems.append(f"{where}: must be a list of field paths")
            return
        for p in value:
            if p not in paths:
                problems.append(f"{where}: unknown field {p!r}")

    check_paths("ui.order", ui.get("order", []))
    fields = ui.get("fields", {})
    if not isinstance(fields, Mapping):
        problems.append("ui.fields: must be an object keyed by field path")
        fields = {}
    by_path = {leaf.path: leaf for leaf in leaves}
    for path, conf in fields.items():
        where = f"ui.fields {path}"
        leaf = by_path.get(path)
        if leaf is None or not isinstance(conf, Mapping):
            problems.append(
                f"{where}: unknown field" if leaf is None else f"{where}: not an object"
            )
            continue
        problems += [f"{where}: {k} is not supported" for k in conf if k not in _UI_FIELD_KEYS]
        widget = conf.get("widget")
        kind, prop = leaf.prop.get("type"), leaf.prop
        if widget is not None:
            if widget not in WIDGETS:
                problems.append(f"{where}: widget {widget!r} is not supported")
            elif widget in ("radio", "select") and not (prop.get("enum") or kind == "boolean"):
                problems.append(f"{where}: widget {widget} needs an enum or a boolean")
            elif widget == "checkbox" and kind != "boolean":
                problems.append(f"{where}: widget checkbox needs a boolean")
            elif widget == "date" and prop.get("format") != "date":
                problems.append(f"{where}: widget date needs format date")
            elif widget in ("text", "textarea") and (kind == "boolean" or prop.get("enum")):
                problems.append(f"{where}: widget {widget} cannot show a choice")
        token = conf.get("autocomplete")
        if token is not None and token not in AUTOCOMPLETE_TOKENS:
            problems.append(f"{where}: autocomplete {token!r} is not a known token")
        if conf.get("prefill") is not None and conf["prefill"] not in PREFILL_KEYS:
            problems.append(f"{where}: prefill {conf['prefill']!r} is not a profile attribute")
        if "choices" in conf:
            labels = conf["choices"]
            allowed = {"true", "false"} if kind == "boolean" else set(prop.get("enum") or [])
            if not isinstance(labels, Mapping) or set(labels) - allowed:
                problems.append(f"{where}: choices must label the field's options")
    declared = ui.get("pages", [])
    if not isinstance(declared, list):
        problems.append("ui.pages: must be a list")
        declared = []
    placed: dict[str, int] = {}
    for i, page in enumerate(declared, 1):
        where = f"ui.pages[{i}]"
        if not isinstance(page, Mapping) or not page.get("title"):
            problems.append(f"{where}: a page needs a title and fields")
            continue
        check_paths(f"{where}.fields", page.get("fields"))
        for p in _expand(page.get("fields") or [], leaves):
            if p in placed:
                problems.append(f"{where}: {p!r} is already on page {placed[p]}")
            placed.setdefault(p, i)
    if declared:
        problems += [
            f"ui.pages: {leaf.path!r} is on no page" for leaf in leaves if leaf.path not in placed
        ]
    for leaf in leaves:
        if not _label(leaf, ui):
            problems.append(f"{leaf.path}: no label (ui.fields label or schema title)")
    return problems


def schema_problems(schema: Any, ui: Any) -> list[str]:
    """What in a form definition is unsupported or inconsistent; empty when it is usable.
    An empty schema (no form) has no problems."""
    if not schema and not ui:
        return []
    if not isinstance(schema, Mapping):
        return ["schema: must be an object"]
    if not isinstance(ui, Mapping):
        return ["ui: must be an object"]
    problems = [f"schema: {k} is not supported" for k in schema if k not in _TOP_KEYS]
    if schema.get("type") != "object":
        problems.append("schema: type must be 'object'")
    props = schema.get("properties")
    if not isinstance(props, Mapping) or not props:
        return [*problems, "schema: properties must be a non-empty object"]
    for name, prop in props.items():
        where = f"properties.{name}"
        if not _NAME.match(name):
            problems.append(f"{where}: the name must be letters, digits and single underscores")
        if isinstance(prop, Mapping) and prop.get("type") == "object":
            problems += [f"{where}: {k} is not supported" for k in prop if k not in _GROUP_KEYS]
            sub = prop.get("properties")
            if not isinstance(sub, Mapping) or not sub:
                problems.append(f"{where}: properties must be a non-empty object")
                continue
            for subname, subprop in sub.items():
                subwhere = f"{where}.{subname}"
                if not _NAME.match(subname):
                    problems.append(f"{subwhere}: the name must be letters, digits and underscores")
                if isinstance(subprop, Mapping) and subprop.get("type") == "object":
                    problems.append(f"{subwhere}: groups may be nested one level only")
                else:
                    problems += _prop_problems(subwhere, subprop)
            problems += _names_problems(f"{where}.required", prop.get("required", []), sub)
        else:
            problems += _prop_problems(where, prop)
    problems += _names_problems("schema.required", schema.get("required", []), props)
    rules = schema.get("allOf", [])
    if not isinstance(rules, list):
        problems.append("schema.allOf: must be a list")
    else:
        for i, rule in enumerate(rules, 1):
            problems += _condition_problems(f"schema.allOf[{i}]", rule, schema)
    if not problems:
        problems += _ui_problems(schema, ui, _leaves(schema))
    return problems


# --- values ---------------------------------------------------------------------------------
def parse_date(value: Any) -> dt.date | None:
    """A date typed as dd/mm/yyyy (also with - or .) or yyyy-mm-dd; None if it is not one."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if m := _ISO.match(text):
        y, mo, d = (int(x) for x in m.groups())
    elif m := _DMY.match(text):
        d, mo, y = (int(x) for x in m.groups())
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def _get(data: Mapping[str, Any], path: str) -> Any:
    head, _sep, tail = path.partition(".")
    value = data.get(head)
    if tail:
        return value.get(tail) if isinstance(value, Mapping) else None
    return value


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    head, _sep, tail = path.partition(".")
    if tail:
        data.setdefault(head, {})[tail] = value
    else:
        data[head] = value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _lower_first(label: str) -> str:
    """ "Họ, chữ đệm, tên" → "họ, chữ đệm, tên" inside a sentence; "CCCD" stays."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _missing_message(leaf: _Leaf, ui: Ui) -> str:
    label = _lower_first(_label(leaf, ui))
    widget = _widget(leaf, ui)
    if widget == "checkbox":
        return str(_("Tick the box: %(label)s.") % {"label": label})
    if widget in ("radio", "select"):
        return str(_("Choose %(label)s.") % {"label": label})
    return str(_("Enter %(label)s.") % {"label": label})


def _coerce(leaf: _Leaf, ui: Ui, value: Any) -> tuple[Any, str]:
    """(typed value, error message) for a value that is present."""
    prop = leaf.prop
    kind = prop.get("type")
    if kind == "boolean":
        if isinstance(value, bool):
            return value, ""
        text = str(value).strip().lower()
        if text in _TRUE:
            return True, ""
        if text in _FALSE:
            return False, ""
        return value, str(_("Choose one of the options."))
    if kind == "integer":
        if isinstance(value, bool):
            return value, str(_("Enter a whole number."))
        try:
            number = int(str(value).strip().replace(" ", "").replace(".", ""))
        except ValueError:
            return value, str(_("Enter a whole number."))
        if "minimum" in prop and number < prop["minimum"]:
            return value, str(_("Enter a number of at least %(min)s.") % {"min": prop["minimum"]})
        if "maximum" in prop and number > prop["maximum"]:
            return value, str(_("Enter a number of at most %(max)s.") % {"max": prop["maximum"]})
        return number, ""
    text = " ".join(str(value).split()) if _widget(leaf, ui) != "textarea" else str(value).strip()
    if prop.get("enum"):
        if text not in prop["enum"]:
            return text, str(_("Choose one of the options."))
        return text, ""
    if prop.get("format") == "date":
        day = parse_date(text)
        if day is None:
            return text, str(_("Enter a date like 31/12/2024."))
        return day.isoformat(), ""
    if prop.get("format") == "email" and not _EMAIL.match(text):
        return text, str(_("Enter an email address like name@example.com."))
    if "minLength" in prop and len(text) < prop["minLength"]:
        return text, str(_("Enter at least %(min)s characters.") % {"min": prop["minLength"]})
    if "maxLength" in prop and len(text) > prop["maxLength"]:
        return text, str(_("Enter at most %(max)s characters.") % {"max": prop["maxLength"]})
    if "pattern" in prop and not re.search(str(prop["pattern"]), text):
        label = _lower_first(_label(leaf, ui))
        return text, str(_("Enter %(label)s in the right format.") % {"label": label})
    return text, ""


def _condition_holds(cond: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    for name in cond.get("required") or []:
        if _blank(data.get(name)):
            return False
    for name, test in (cond.get("properties") or {}).items():
        if isinstance(test, Mapping) and "properties" in test:
            group = data.get(name)
            if not isinstance(group, Mapping):
                return False
            for sub, subtest in test["properties"].items():
                if group.get(sub) != subtest.get("const"):
                    return False
        elif data.get(name) != test.get("const"):
            return False
    return True


def _required_paths(schema: Schema, data: Mapping[str, Any]) -> set[str]:
    """Paths required for these data: static requirements, then the conditional ones."""
    props = schema.get("properties") or {}
    top = set(schema.get("required") or [])
    extra: dict[str, set[str]] = {}
    for rule in schema.get("allOf") or []:
        if not _condition_holds(rule["if"], data):
            continue
        top |= set(rule["then"].get("required") or [])
        for group, sub in (rule["then"].get("properties") or {}).items():
            extra.setdefault(group, set()).update(sub.get("required") or [])
    paths: set[str] = set()
    for name, prop in props.items():
        if prop.get("type") != "object":
            if name in top:
                paths.add(name)
            continue
        # A group is checked when it is required or when anything in it was given.
        present = isinstance(data.get(name), Mapping) and any(
            not _blank(v) for v in data[name].values()
        )
        if name in top or present or name in extra:
            names = set(prop.get("required") or []) if (name in top or present) else set()
            names |= extra.get(name, set())
            paths |= {f"{name}.{n}" for n in names}
    return paths


def _run(
    schema: Schema, ui: Ui, data: Mapping[str, Any], paths: Iterable[str] | None
) -> tuple[dict[str, Any], dict[str, str]]:
    leaves = _leaves(schema)
    wanted = set(_expand(paths, leaves)) if paths is not None else None
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for leaf in leaves:
        value = _get(data, leaf.path)
        if _blank(value):
            continue
        typed, error = _coerce(leaf, ui, value)
        _set(cleaned, leaf.path, typed)
        if error:
            errors[leaf.path] = error
    required = _required_paths(schema, cleaned)
    for leaf in leaves:
        if leaf.path in required and leaf.path not in errors:
            value = _get(cleaned, leaf.path)
            checkbox = _widget(leaf, ui) == "checkbox"
            if _blank(value) or (checkbox and value is False):
                errors[leaf.path] = _missing_message(leaf, ui)
    if wanted is not None:
        errors = {p: m for p, m in errors.items() if p in wanted}
    order = [leaf.path for leaf in _ordered(schema, ui)]
    return cleaned, {p: errors[p] for p in order if p in errors}


def validate(
    schema: Schema,
    data: Mapping[str, Any],
    *,
    ui: Ui | None = None,
    paths: Iterable[str] | None = None,
) -> dict[str, str]:
    """Errors (path → message, in form order) for nested data; empty when valid. ``paths``
    (leaf or group paths, e.g. one page) limits which fields report errors; conditions are still
    evaluated on all the data. ``ui`` only refines the wording (labels)."""
    return _run(schema, ui or {}, data, paths)[1]


def clean(
    schema: Schema,
    raw: Mapping[str, Any],
    *,
    ui: Ui | None = None,
    paths: Iterable[str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse HTML form input (names like ``mother__full_name``) into typed nested data and
    errors. Dates come back as ISO strings, integers as int, booleans as bool; an invalid value
    is kept as typed so the form can show it again. An unticked checkbox is False. ``paths``
    limits parsing and errors to some fields (one page)."""
    ui = ui or {}
    leaves = _leaves(schema)
    wanted = set(_expand(paths, leaves)) if paths is not None else None
    data: dict[str, Any] = {}
    for leaf in leaves:
        if wanted is not None and leaf.path not in wanted:
            continue
        value = raw.get(leaf.path.replace(".", "__"))
        if value is None and _widget(leaf, ui) == "checkbox":
            value = False
        if value is not None:
            _set(data, leaf.path, value)
    return _run(schema, ui, data, paths)


def prefill(schema: Schema, ui: Ui, profile: Mapping[str, Any]) -> dict[str, Any]:
    """Initial data from the applicant's profile for the fields that ask for it
    (``ui.fields[path].prefill``); dates as ISO strings; absent profile values are skipped."""
    data: dict[str, Any] = {}
    for leaf in _leaves(schema):
        key = _ui_field(ui, leaf.path).get("prefill")
        if not key:
            continue
        value = profile.get(key)
        if _blank(value):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        _set(data, leaf.path, str(value) if not isinstance(value, (bool, int)) else value)
    return data


# --- display --------------------------------------------------------------------------------
def _display(leaf: _Leaf, ui: Ui, value: Any) -> str:
    """A value as a person reads it (dates dd/mm/yyyy, options by their label)."""
    if _blank(value):
        return ""
    if leaf.prop.get("type") == "boolean" and isinstance(value, bool):
        return dict(_choices(leaf, ui))["true" if value else "false"]
    if leaf.prop.get("enum"):
        return dict(_choices(leaf, ui)).get(str(value), str(value))
    if leaf.prop.get("format") == "date":
        day = parse_date(value)
        return day.strftime("%d/%m/%Y") if day else str(value)
    return str(value)


def _input_value(leaf: _Leaf, ui: Ui, value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if leaf.prop.get("format") == "date":
        return _display(leaf, ui, value)
    return str(value)


def form_fields(
    schema: Schema,
    ui: Ui,
    *,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, Any] | None = None,
    paths: Iterable[str] | None = None,
) -> list[Field]:
    """The fields to render, in order, with their current value and error. ``paths`` limits
    them to some fields (e.g. ``pages(schema, ui)[i].paths``)."""
    data = data or {}
    errors = errors or {}
    leaves = _ordered(schema, ui)
    wanted = set(_expand(paths, leaves)) if paths is not None else None
    fields: list[Field] = []
    for leaf in leaves:
        if wanted is not None and leaf.path not in wanted:
            continue
        conf = _ui_field(ui, leaf.path)
        widget = _widget(leaf, ui)
        prop = leaf.prop
        token = str(conf.get("autocomplete", ""))
        input_type, inputmode = "text", ""
        if prop.get("format") == "email":
            input_type = "email"
        elif token.startswith("tel"):
            input_type = "tel"
        elif prop.get("type") == "integer" or widget == "date":
            inputmode = "numeric"
        help_text = str(conf.get("help") or prop.get("description") or "")
        if widget == "date" and not help_text:
            help_text = str(_("For example, 31/12/2024"))
        fields.append(
            Field(
                path=leaf.path,
                name=leaf.path.replace(".", "__"),
                label=_label(leaf, ui),
                help=help_text,
                widget=widget,
                type=str(prop.get("type")),
                choices=_choices(leaf, ui),
                required=_is_required(schema, leaf),
                autocomplete=token,
                value=_input_value(leaf, ui, _get(data, leaf.path)),
                error=str(errors.get(leaf.path, "")),
                group=leaf.group,
                group_title=leaf.group_title,
                input_type=input_type,
                inputmode=inputmode,
                maxlength=prop.get("maxLength"),
            )
        )
    return fields


def group_fields(fields: Sequence[Field]) -> list[FieldGroup]:
    """Consecutive fields of the same group, for fieldsets in the template."""
    groups: list[FieldGroup] = []
    for f in fields:
        if not groups or groups[-1].path != f.group:
            groups.append(FieldGroup(f.group, f.group_title))
        groups[-1].fields.append(f)
    return groups


def template_context(fields: Sequence[Field]) -> dict[str, Any]:
    """The context of ``catalog/eform/_form.html``: the fields grouped into fieldsets and the
    fields with an error (for the error summary)."""
    return {"groups": group_fields(fields), "errored": [f for f in fields if f.error]}


def summary(schema: Schema, ui: Ui, data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Rows (label, value as shown, path) for "check your answers", in form order; a field of a
    group is labelled "Group – Field"; unanswered optional fields are left out."""
    required = _required_paths(schema, data)
    rows = []
    for leaf in _ordered(schema, ui):
        value = _display(leaf, ui, _get(data, leaf.path))
        if not value and leaf.path not in required:
            continue
        label = _label(leaf, ui)
        if leaf.group:
            label = f"{leaf.group_title} – {label}"
        rows.append((label, value, leaf.path))
    return rows


def is_form_component(ui: Ui, name: str) -> bool:
    """Whether the component called ``name`` is the one the form stands for (ui "component")."""
    wanted = str((ui or {}).get("component") or "").strip()
    return bool(wanted) and name.strip().startswith(wanted)

"""HTML forms generated from the catalogue: Field declarations → inputs; submitted values → interchange lines.

Form inputs are named like the fields the ledger's errors name (`date`, `ref`, `data.topic` …), so every
message lands beside its input. What can be checked without the ledger (an integer that is not a number) is
checked here; everything else is left to the ledger's own validation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.catalogue import KINDS, Field, Kind, Step, outcomes_for
from domain.validation import exact_int

Form = Mapping[str, str]


@dataclass
class Input:
    """One input as a template draws it."""

    name: str  # the form name, e.g. data.topic
    label: str
    widget: str  # text | number | checkbox | select | lines | date
    required: bool
    value: str = ""
    checked: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    hint: str = ""
    # A field that applies only when another of its form has one of some values (the catalogue's `when`): the
    # other's form name and those values as the page's script compares them (codes; true/false for a checkbox).
    # The script shows the field only then; without it every field shows with its hint and the server judges.
    when: str = ""
    when_values: tuple[str, ...] = ()


def display(f: Field, value: Any) -> str:
    """A stored value as a person reads it: codes by their label, yes/no, lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if f.type == "code":
        return f.codes.get(str(value), str(value))
    if f.type == "bool":
        return "是" if value else "否"
    if f.type == "list":
        return "、".join(str(v) for v in value)
    return str(value)


def as_text(f: Field, value: Any) -> str:
    """A stored value as an input holds it."""
    if value is None:
        return ""
    if f.type == "list":
        return "\n".join(str(v) for v in value)
    if f.type == "bool":
        return "on" if value else ""
    return str(value)


def inputs(fields: tuple[Field, ...], values: Form, errors: Mapping[str, str], prefix: str = "data.") -> list[Input]:
    """The inputs of a group of fields, filled with `values` (form names) and each field's error."""
    out = []
    for f in fields:
        name = prefix + f.name
        value = values.get(name, "")
        hint = ""
        if f.type == "int":
            hint = f"{f.minimum}–{f.maximum:,}" if f.maximum != 1_000_000 or f.minimum else ""
        if f.type == "list":
            hint = "每行一项"
        if f.when is not None:
            hint = (hint + "；" if hint else "") + when_text(fields, f)
        item = Input(name, f.label, _WIDGETS[f.type], f.required, value, error=errors.get(name, ""), hint=hint)
        if f.when is not None and any(x.name == f.when[0] for x in fields):
            item.when = prefix + f.when[0]
            item.when_values = tuple(_script_value(v) for v in f.when[1])
        if f.type == "bool":
            item.checked = value in ("on", "true", "1")
        if f.type == "code":
            item.options = list(f.codes.items())
        out.append(item)
    return out


# Money and scores are typed as text and validated exactly as decimals (DOMAIN.md §7.1).
_WIDGETS = {
    "str": "text",
    "int": "number",
    "bool": "checkbox",
    "code": "select",
    "list": "lines",
    "money": "text",
    "score": "text",
}


def _script_value(value: object) -> str:
    """A value of the catalogue's `when` as the page's script reads it from the other input."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def when_text(fields: tuple[Field, ...], f: Field) -> str:
    """When a conditional field applies, in words: 仅当执法类别为行政检查、其他行政执法行为时填写."""
    assert f.when is not None
    other, values = f.when
    found = next((x for x in fields if x.name == other), None)
    labels = [
        ("是" if v else "否") if isinstance(v, bool) else str(found.codes.get(str(v), v)) if found else str(v)
        for v in values
    ]
    return f"仅当{found.label if found else other}为{'、'.join(labels)}时填写"


def parse(fields: tuple[Field, ...], form: Form, prefix: str = "data.") -> tuple[dict[str, Any], dict[str, str]]:
    """The data of a new record or step: blank optional fields left out, required ones left to the ledger. A
    field that applies only with some value of another (DOMAIN.md §7.2: `count` only for inspections …) is left
    out when that value was not chosen and it holds only the default the form filled in; typed into, it is an
    error in the form's words (the ledger's would speak of JSON's null)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        name = prefix + f.name
        raw = form.get(name, "")
        if f.type == "bool":
            if raw or f.required:
                data[f.name] = bool(raw)
            continue
        value, problem = _value(f, raw)
        if problem:
            errors[name] = problem
        elif value is not None:
            data[f.name] = value
    for f in fields:
        if f.when is None or f.name not in data:
            continue
        other, values = f.when
        if data.get(other) in values:
            continue
        if data[f.name] == f.default or (f.type == "bool" and data[f.name] is False):
            del data[f.name]
        elif data.get(other) is not None:
            errors[prefix + f.name] = f"{f.label}：{when_text(fields, f)}，请清空此项"
    return data, errors


def _value(f: Field, raw: str) -> tuple[Any, str]:
    text = raw.strip()
    if f.type == "list":
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        return (items or None), ""
    if not text:
        return None, ""
    if f.type == "int":
        value = exact_int(text.replace(",", "").replace("，", ""))  # the domain's rule: "20", "20.0"
        # Anything else goes to the domain as typed: it names it with every other error of the form at once.
        return (value if isinstance(value, int) else text), ""
    return text, ""


def changes(fields: tuple[Field, ...], form: Form, current: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The data fields a correction form changes (null clears an optional field)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        name = "data." + f.name
        raw = form.get(name, "")
        if f.type == "bool":
            value: Any = bool(raw)
            if value != bool(current.get(f.name)) and (value or f.name in current):
                out[f.name] = value
            continue
        value, problem = _value(f, raw)
        if problem:
            errors[name] = problem
        elif value != current.get(f.name):
            out[f.name] = value
    return out, errors


def record_body(kind: Kind, form: Form) -> tuple[dict[str, Any], dict[str, str]]:
    data, errors = parse(kind.fields, form)
    body = {
        "unit": form.get("unit", ""),
        "kind": kind.code,
        "ref": form.get("ref", "").strip(),
        "date": form.get("date", "").strip(),
        "data": data,
    }
    return body, errors


def step_fields(kind: Kind, step: str, data: Mapping[str, Any] | None = None) -> tuple[Field, ...]:
    """A step's fields for an activity with this data: the variant its fields allow (an enforcement case's
    `decided` is a penalty decision or a licence decision, DOMAIN.md §7.2); a case's `decided` offers only the
    outcomes of its case type."""
    data = dict(data or {})
    found = kind.step(step, data) or kind.step(step)
    if found is None:
        return ()
    if kind.code == "case" and step == "decided":
        outcomes = outcomes_for(data.get("case_type"))
        return tuple(Field(f.name, f.label, f.type, f.required, outcomes) for f in found.fields)
    return found.fields


def steps_to_offer(kind: Kind, data: Mapping[str, Any], steps: list[dict[str, Any]]) -> list[Step]:
    """The steps that can still be added to an activity: those its fields allow, once each, without an
    at-most-one step already live, nor one that may not stand beside a live step (decided / withdrawn)."""
    live = {s["step"] for s in steps if not s.get("voided")}
    offered: list[Step] = []
    for s in kind.steps_for(dict(data)):
        if any(o.name == s.name for o in offered):
            continue
        if (s.at_most_one and s.name in live) or any(n in live for n in s.not_beside):
            continue
        offered.append(s)
    return offered


def prefix_of(kind: str) -> str:
    """A short reference prefix from the kind's code: study_session → SS, petition → PET."""
    words = kind.split("_")
    return "".join(w[0] for w in words).upper() if len(words) > 1 else kind[:3].upper()


def suggest_ref(kind: str, day: date, taken: Callable[[str], bool]) -> str:
    """The first free reference of the form SS-20260105-01."""
    n = 1
    while taken(ref := f"{prefix_of(kind)}-{day:%Y%m%d}-{n:02d}"):
        n += 1
    return ref


def values_of(kind: Kind, current: Mapping[str, Any]) -> dict[str, str]:
    """An activity's data as form values."""
    return {"data." + f.name: as_text(f, current.get(f.name)) for f in kind.fields}


def errors_by_field(errors: list[dict[str, Any]], names: set[str]) -> tuple[dict[str, str], list[str]]:
    """A Refused's errors split into those an input of `names` can show and the rest."""
    placed: dict[str, str] = {}
    rest: list[str] = []
    for e in errors:
        name = str(e.get("field") or "")
        if name in names:
            placed.setdefault(name, e["message"])
        else:
            rest.append(e["message"])
    return placed, rest


def kinds() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in KINDS.values()]

"""The form of the figures page (DOMAIN.md §8) both ways: a declaration's `data` → the form's inputs (to edit
it), and the submitted form → `data` (to preview or save it). Everything offered comes from the kind catalogue
(kinds, fields, codes, steps and their labels), so staff choose and never type a code.

A condition is one row: a subject (a field of the kind, or a step), an operator fitting the subject's type
(`OPS`), its values, and "不满足" to negate it. The page has no script: choosing a subject and pressing 更新
renders the row again with the inputs that subject takes; what the form cannot express is caught by the
domain's own validation, with its messages (§8.4), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.catalogue import KINDS, Field, Kind
from domain.definition import step_fields

# Operators by field type: (value in the form, label). `present`/`absent` only for optional fields.
OPS: dict[str, tuple[tuple[str, str], ...]] = {
    "code": (("in", "是以下之一"),),
    "str": (("in", "等于以下之一（每行一个）"),),
    "bool": (("is_true", "为“是”"), ("is_false", "为“否”")),
    "list": (("nonempty", "已填写（不为空）"), ("empty", "未填写（为空）"), ("contains", "包含")),
    "int": (("range", "在范围内"),),
    "money": (("range", "在范围内"),),
    "score": (("range", "在范围内"),),
}
PRESENCE = (("present", "已填写"), ("absent", "未填写"))
MEASURES = (
    ("count", "计数：符合条件的活动数"),
    ("sum", "求和：符合条件的活动某一数值之和"),
    ("steps", "步骤计数：本年度的某一步骤数"),
    ("rate", "比率：符合条件的活动中，另满足下列条件的比例"),
)
EXTRA_ROWS = 2  # empty condition rows offered below the filled ones
MIN_ROWS = 3

Form = Mapping[str, list[str]]


def one(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def ops_for(f: Field) -> tuple[tuple[str, str], ...]:
    optional = not f.required or f.when is not None
    return OPS.get(f.type, ()) + (PRESENCE if optional else ())


# ---- data → form ----


def form_of(data: Mapping[str, Any], unit: str) -> dict[str, list[str]]:
    """The form's values for a declaration's `data` (as given on its line)."""
    code = str(data.get("code", ""))
    out: dict[str, list[str]] = {
        "unit": [unit],
        "code": [code.removeprefix("local.")],
        "label": [str(data.get("label", ""))],
        "unit_word": [str(data.get("unit_word", ""))],
        "kind": [str(data.get("kind", ""))],
    }
    for i, c in enumerate(data.get("where") or []):
        _condition_form(c, f"w{i}", out)
    measure = data.get("measure") or {}
    if isinstance(measure, dict):
        out["m.type"] = [str(measure.get("type", "count"))]
        if measure.get("type") == "sum":
            out["m.field"] = [str(measure.get("field", ""))]
        if measure.get("type") == "steps":
            _step_form(measure, "m", out)
        for i, c in enumerate(measure.get("numerator") or []):
            _condition_form(c, f"n{i}", out)
    return out


def _condition_form(c: Any, prefix: str, out: dict[str, list[str]], negated: bool = False) -> None:
    if not isinstance(c, dict):
        return
    if "not" in c:
        _condition_form(c["not"], prefix, out, not negated)
        return
    if negated:
        out[f"{prefix}.not"] = ["1"]
    if "step" in c:
        out[f"{prefix}.subject"] = [f"s:{c['step']}"]
        if c.get("in_year"):
            out[f"{prefix}.in_year"] = ["1"]
        _step_form(c, prefix, out)
        return
    out[f"{prefix}.subject"] = [f"f:{c.get('field', '')}"]
    if "in" in c:
        values = [str(v) for v in c["in"]] if isinstance(c["in"], list) else []
        out[f"{prefix}.op"] = ["in"]
        out[f"{prefix}.in"] = values
        out[f"{prefix}.text"] = ["\n".join(values)]
    elif "is" in c:
        out[f"{prefix}.op"] = ["is_true" if c["is"] else "is_false"]
    elif "nonempty" in c:
        out[f"{prefix}.op"] = ["nonempty" if c["nonempty"] else "empty"]
    elif "contains" in c:
        out[f"{prefix}.op"] = ["contains"]
        out[f"{prefix}.text"] = [str(c["contains"])]
    elif "present" in c:
        out[f"{prefix}.op"] = ["present" if c["present"] else "absent"]
    else:
        out[f"{prefix}.op"] = ["range"]
        for bound in ("gte", "lte"):
            if bound in c:
                out[f"{prefix}.{bound}"] = [str(c[bound])]


def _step_form(c: Mapping[str, Any], prefix: str, out: dict[str, list[str]]) -> None:
    if prefix == "m":
        out["m.step"] = [str(c.get("step", ""))]
    if "field" in c:
        out[f"{prefix}.sfield"] = [str(c["field"])]
        if "in" in c:
            out[f"{prefix}.sin"] = [str(v) for v in c["in"]] if isinstance(c["in"], list) else []
        elif "is" in c:
            out[f"{prefix}.sis"] = ["true" if c["is"] else "false"]


# ---- form → data ----


def data_of(form: Form) -> dict[str, Any]:
    """The `data` of a `figure` line from the submitted form (left to the domain to judge)."""
    kind = KINDS.get(one(form, "kind"))
    suffix = one(form, "code")
    mtype = one(form, "m.type") or "count"
    data: dict[str, Any] = {
        "code": suffix if suffix.startswith("local.") else f"local.{suffix}",
        "label": one(form, "label"),
        # A rate is counted in % (§8.1): left blank, that is what it is.
        "unit_word": one(form, "unit_word") or ("%" if mtype == "rate" else ""),
        "kind": one(form, "kind"),
    }
    where = _conditions(form, "w", kind)
    if where:
        data["where"] = where
    measure: dict[str, Any] = {"type": mtype}
    if mtype == "sum":
        measure["field"] = one(form, "m.field")
    elif mtype == "steps":
        measure["step"] = one(form, "m.step")
        measure.update(_step_field(form, "m", kind, measure["step"]))
    elif mtype == "rate":
        measure["numerator"] = _conditions(form, "n", kind)
    data["measure"] = measure
    return data


def rows_in(form: Form, letter: str) -> list[int]:
    """The indexes of the condition rows the form has (filled or not), in order."""
    found = set()
    for name in form:
        head = name.split(".", 1)[0]
        if head[:1] == letter and head[1:].isdigit():
            found.add(int(head[1:]))
    return sorted(found)


def _conditions(form: Form, letter: str, kind: Kind | None) -> list[dict[str, Any]]:
    out = []
    for i in rows_in(form, letter):
        c = _condition(form, f"{letter}{i}", kind)
        if c is not None:
            out.append({"not": c} if one(form, f"{letter}{i}.not") else c)
    return out


def _condition(form: Form, prefix: str, kind: Kind | None) -> dict[str, Any] | None:
    subject = one(form, f"{prefix}.subject")
    if not subject:
        return None  # an empty row
    what, _, name = subject.partition(":")
    if what == "s":
        c: dict[str, Any] = {"step": name}
        if one(form, f"{prefix}.in_year"):
            c["in_year"] = True
        c.update(_step_field(form, prefix, kind, name))
        return c
    f = kind.field(name) if kind is not None else None
    ops = [op for op, _ in ops_for(f)] if f is not None else []
    op = one(form, f"{prefix}.op")
    if op not in ops and ops:
        op = ops[0]  # the subject changed since the operator was chosen: its first operator
    c = {"field": name}
    if op == "in":
        if f is not None and f.type == "code":
            c["in"] = [v for v in form.get(f"{prefix}.in", []) if v]
        else:
            c["in"] = [line.strip() for line in one(form, f"{prefix}.text").splitlines() if line.strip()]
    elif op in ("is_true", "is_false"):
        c["is"] = op == "is_true"
    elif op in ("nonempty", "empty"):
        c["nonempty"] = op == "nonempty"
    elif op == "contains":
        c["contains"] = one(form, f"{prefix}.text")
    elif op in ("present", "absent"):
        c["present"] = op == "present"
    elif op == "range":
        for bound in ("gte", "lte"):
            text = one(form, f"{prefix}.{bound}")
            if text:
                c[bound] = _number(text, f)
    return c


def _number(text: str, f: Field | None) -> Any:
    """A bound as the line carries it: an int field's whole number; a money or score bound as its text, read
    exactly by the domain (never through a binary float, §7.1)."""
    text = text.replace(",", "").replace("，", "")
    if f is not None and f.type == "int" and text.lstrip("-").isdigit():
        return int(text)
    return text


def _step_field(form: Form, prefix: str, kind: Kind | None, step: str) -> dict[str, Any]:
    name = one(form, f"{prefix}.sfield")
    fields = step_fields(kind, step) if kind is not None and step else ()
    f = next((x for x in fields if x.name == name), None)
    if not name:
        return {}
    if f is not None and f.type == "bool":
        return {"field": name, "is": one(form, f"{prefix}.sis") != "false"}
    return {"field": name, "in": [v for v in form.get(f"{prefix}.sin", []) if v]}


# ---- the inputs a row offers ----


@dataclass
class Choice:
    value: str
    label: str
    chosen: bool = False


@dataclass
class Row:
    """One condition row as the template draws it."""

    prefix: str
    subjects: list[Choice]
    negated: bool
    kind: str = ""  # "field", "step" or "" (no subject yet)
    field_type: str = ""
    ops: list[Choice] = field(default_factory=list)
    op: str = ""
    codes: list[Choice] = field(default_factory=list)  # in (code fields)
    text: str = ""
    gte: str = ""
    lte: str = ""
    in_year: bool = False
    step_fields: list[Choice] = field(default_factory=list)  # a step's code and bool fields
    step_field_type: str = ""
    step_codes: list[Choice] = field(default_factory=list)
    step_is: str = "true"
    errors: list[str] = field(default_factory=list)


def subjects(kind: Kind, chosen: str) -> list[Choice]:
    out = [Choice("", "（不设条件）", chosen == "")]
    out += [Choice(f"f:{f.name}", f"字段：{f.label}", chosen == f"f:{f.name}") for f in kind.fields]
    out += [Choice(f"s:{name}", f"步骤：有“{label}”", chosen == f"s:{name}") for name, label in step_names(kind)]
    return out


def step_choices(kind: Kind, step: str, form: Form, prefix: str) -> tuple[list[Choice], str, list[Choice], str]:
    """The fields a step condition may test (code and bool fields of the step), and the chosen one's values."""
    if not step or kind.step(step) is None:
        return [], "", [], "true"
    chosen = one(form, f"{prefix}.sfield")
    testable = [f for f in step_fields(kind, step) if f.type in ("code", "bool")]
    fields = [Choice("", "（不限）", not chosen)] + [Choice(f.name, f.label, f.name == chosen) for f in testable]
    f = next((x for x in testable if x.name == chosen), None)
    if f is None:
        return fields, "", [], "true"
    picked = set(form.get(f"{prefix}.sin", []))
    codes = [Choice(c, label, c in picked) for c, label in f.codes.items()]
    return fields, f.type, codes, one(form, f"{prefix}.sis") or "true"


def row(kind: Kind, form: Form, prefix: str) -> Row:
    subject = one(form, f"{prefix}.subject")
    r = Row(prefix, subjects(kind, subject), bool(one(form, f"{prefix}.not")))
    what, _, name = subject.partition(":")
    if what == "s":
        r.kind = "step"
        r.in_year = bool(one(form, f"{prefix}.in_year"))
        r.step_fields, r.step_field_type, r.step_codes, r.step_is = step_choices(kind, name, form, prefix)
        return r
    f = kind.field(name) if what == "f" else None
    if f is None:
        return r
    r.kind, r.field_type = "field", f.type
    ops = ops_for(f)
    op = one(form, f"{prefix}.op")
    r.op = op if op in [o for o, _ in ops] else (ops[0][0] if ops else "")
    r.ops = [Choice(o, label, o == r.op) for o, label in ops]
    picked = set(form.get(f"{prefix}.in", []))
    r.codes = [Choice(c, label, c in picked) for c, label in f.codes.items()]
    r.text, r.gte, r.lte = one(form, f"{prefix}.text"), one(form, f"{prefix}.gte"), one(form, f"{prefix}.lte")
    return r


def rows(kind: Kind, form: Form, letter: str) -> list[Row]:
    """The rows to draw from a `compact` form: every filled one (row n is `where[n]` of the line and of its
    errors), then a few empty ones to add conditions."""
    filled = [i for i in rows_in(form, letter) if one(form, f"{letter}{i}.subject")]
    return [row(kind, form, f"{letter}{i}") for i in range(max(len(filled) + EXTRA_ROWS, MIN_ROWS))]


def compact(form: Form) -> dict[str, list[str]]:
    """The form with empty condition rows dropped and the rest renumbered from 0 (what `rows` draws)."""
    out = {k: list(v) for k, v in form.items() if k.split(".", 1)[0][:1] not in ("w", "n") or "." not in k}
    for letter in ("w", "n"):
        filled = [i for i in rows_in(form, letter) if one(form, f"{letter}{i}.subject")]
        for new, old in enumerate(filled):
            for name, values in form.items():
                if name.startswith(f"{letter}{old}."):
                    out[f"{letter}{new}." + name.split(".", 1)[1]] = list(values)
    return out


def suggested_code(kind: Kind, taken: set[str]) -> str:
    """A code for a new declaration (after `local.`), so nobody has to invent one: the kind and a number."""
    n = 1
    while f"local.{kind.code}.n{n}" in taken:
        n += 1
    return f"{kind.code}.n{n}"


def measure_fields(kind: Kind) -> list[tuple[str, str]]:
    """The fields a sum may add up: the kind's int and money fields (§8.3)."""
    return [(f.name, f.label) for f in kind.fields if f.type in ("int", "money")]


def step_names(kind: Kind) -> list[tuple[str, str]]:
    """Each step name once, labelled by all its variants (处罚决定/许可决定: the same `decided`, §7.2)."""
    labels: dict[str, list[str]] = {}
    for s in kind.steps:
        if s.label not in labels.setdefault(s.name, []):
            labels[s.name].append(s.label)
    return [(name, "/".join(names)) for name, names in labels.items()]


def step_label(kind: Kind, step: str) -> str:
    return dict(step_names(kind)).get(step, step)


def describe(data: Mapping[str, Any]) -> str:
    """A declaration in words, for the list and the history (Chinese labels from the catalogue)."""
    kind = KINDS.get(str(data.get("kind", "")))
    if kind is None:
        return ""
    parts = [kind.label]
    for c in data.get("where") or []:
        parts.append(_words(kind, c))
    m = data.get("measure") or {}
    t = m.get("type")
    if t == "sum":
        f = kind.field(str(m.get("field", "")))
        parts.append(f"求和：{f.label if f else m.get('field')}")
    elif t == "steps":
        test = ""
        if "field" in m:
            test = (
                "（"
                + _words(kind, {"step": m.get("step"), **{k: m[k] for k in ("field", "in", "is") if k in m}})
                + "）"
            )
        parts.append(f"步骤计数：{step_label(kind, str(m.get('step', '')))}{test}")
    elif t == "rate":
        parts.append("比率：" + "且".join(_words(kind, c) for c in m.get("numerator") or []))
    else:
        parts.append("计数")
    return " · ".join(parts)


def _words(kind: Kind, c: Any) -> str:
    if not isinstance(c, dict):
        return "?"
    if "not" in c:
        return f"非（{_words(kind, c['not'])}）"
    if "step" in c:
        step = str(c["step"])
        text = f"有“{step_label(kind, step)}”" + ("（本年度）" if c.get("in_year") else "")
        if "field" in c:
            f = next((x for x in step_fields(kind, step) if x.name == c["field"]), None)
            text += _test_words(f, c) if f else ""
        return text
    f = kind.field(str(c.get("field", "")))
    return _test_words(f, c) if f else str(c.get("field"))


def _test_words(f: Field, c: Mapping[str, Any]) -> str:
    if "in" in c:
        values = [f.codes.get(str(v), str(v)) for v in c["in"]] if isinstance(c["in"], list) else []
        return f"{f.label}为{'、'.join(values)}"
    if "is" in c:
        return f"{f.label}为{'是' if c['is'] else '否'}"
    if "nonempty" in c:
        return f"{f.label}{'已填写' if c['nonempty'] else '未填写'}"
    if "contains" in c:
        return f"{f.label}包含“{c['contains']}”"
    if "present" in c:
        return f"{f.label}{'已填写' if c['present'] else '未填写'}"
    low, high = c.get("gte"), c.get("lte")
    if low is not None and high is not None:
        return f"{f.label}在 {low}–{high}"
    return f"{f.label}≥{low}" if low is not None else f"{f.label}≤{high}"

"""The definition of a figure a unit declares (DOMAIN.md §8): parsed from a `figure` line's `data` into typed
values, every error at once, each naming the key it is about (`data.where[1].field`, `data.measure.numerator`).

Everything is checked against the kind catalogue, generically by field type, so a kind or field added to the
catalogue can be used in a declaration without a change here. The read model compiles the same typed
definition to SQL (`projections/declared.py`); nothing else interprets a declaration's `data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .catalogue import KINDS, MAX_STR, Field, Kind
from .errors import DomainError, FieldError

CODE = re.compile(r"local\.([a-z0-9_]+(\.[a-z0-9_]+)*)")
MAX_CONDITIONS = 20
MAX_VALUES = 50
NUMBER_TYPES = ("int", "money", "score")
# The bounds of the decimal types (§7.1); an int field keeps its own range from the catalogue.
DECIMAL_BOUNDS = {"money": Decimal(1_000_000_000_000), "score": Decimal(100)}
DECIMAL_TEXT = re.compile(r"\d+(\.\d{1,2})?")
DATA_KEYS = ("code", "label", "unit_word", "kind", "where", "measure", "retire")
MEASURES = ("count", "sum", "steps", "rate")


# ---- the typed definition ----


@dataclass(frozen=True)
class FieldTest:
    """A test of one data field of the activity (or, inside a StepTest, of the step)."""

    field: str
    op: Literal["in", "is", "nonempty", "contains", "range", "present"]
    values: tuple[str, ...] = ()  # in
    flag: bool = True  # is, nonempty, present
    item: str = ""  # contains
    gte: Decimal | None = None  # range (exact: int fields hold whole numbers)
    lte: Decimal | None = None


@dataclass(frozen=True)
class StepTest:
    """The activity has a live step `step` (dated in the year when `in_year`), whose field matches `test`."""

    step: str
    in_year: bool = False
    test: FieldTest | None = None


@dataclass(frozen=True)
class Not:
    inner: Condition


Condition = FieldTest | StepTest | Not


@dataclass(frozen=True)
class Measure:
    type: Literal["count", "sum", "steps", "rate"]
    field: str | None = None  # sum: the activity field summed
    step: StepTest | None = None  # steps: the step counted (its field test, if any)
    numerator: tuple[Condition, ...] = ()  # rate


@dataclass(frozen=True)
class Definition:
    code: str
    label: str
    unit_word: str
    kind: str
    where: tuple[Condition, ...]
    measure: Measure

    @property
    def rate(self) -> bool:
        return self.measure.type == "rate"

    @property
    def money(self) -> bool:
        """A sum of a money field: its value is a decimal string (§7.1)."""
        f = KINDS[self.kind].field(self.measure.field or "") if self.measure.type == "sum" else None
        return f is not None and f.type == "money"


    def counted(self) -> str:
        """What decides the figure's numbers, in one canonical form (JSON text): kind, conditions and measure,
        without the label or unit word (a relabel counts the same, §8.6), conditions of an "all must hold" list
        and the values of `in` in a fixed order, numbers normalised (10 = 10.00). Two definitions with the same
        form count the same activities the same way, whatever ledger they are declared on: what lets a
        superior add a unit's value of a declared figure to its own (api/services/packages.py)."""
        import json

        return json.dumps(
            {"kind": self.kind, "where": _forms(self.where), "measure": _form(self.measure)},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )


def _form(x: Any) -> Any:
    import json

    if isinstance(x, Decimal):
        return format(x.normalize(), "f")
    if isinstance(x, FieldTest):
        out = {k: _form(v) for k, v in vars(x).items() if v not in (None, (), "")}
        if x.op == "in":
            out["values"] = sorted(set(x.values))
        return {"field_test": out}
    if isinstance(x, StepTest | Not | Measure):
        body = {k: _form(v) for k, v in vars(x).items() if v is not None and v != ()}
        if isinstance(x, Measure):
            body["numerator"] = _forms(x.numerator)
        return {type(x).__name__: body}
    if isinstance(x, tuple):
        return [_form(v) for v in x]
    json.dumps(x)  # a plain value (str, bool, int): anything else is a bug here, not a different definition
    return x


def _forms(conditions: tuple[Condition, ...]) -> list[Any]:
    """An "all must hold" list as a set: its conditions in a fixed order, each once."""
    import json

    forms = {json.dumps(_form(c), sort_keys=True, ensure_ascii=False): _form(c) for c in conditions}
    return [forms[k] for k in sorted(forms)]


@dataclass(frozen=True)
class Retirement:
    code: str


def step_fields(kind: Kind, step: str) -> tuple[Field, ...]:
    """The data fields of step `step` of `kind`, over every variant of it: an enforcement case's `decided` is
    a 处罚决定 on a penalty and a 许可决定 on a licence (§7.2), and a declaration over `decided` may test either's
    outcome, so a field both have takes the codes of both."""
    merged: dict[str, Field] = {}
    for s in kind.steps:
        if s.name != step:
            continue
        for f in s.fields:
            seen = merged.get(f.name)
            merged[f.name] = f if seen is None else replace(seen, codes={**seen.codes, **f.codes})
    return tuple(merged.values())


# ---- parsing ----


def parse(data: Any) -> Definition | Retirement:
    """The definition (or retirement) a `figure` line's `data` gives; a DomainError listing every problem."""
    p = _Parser()
    result = p.data(data)
    if p.errors or result is None:
        raise DomainError(*p.errors)
    return result


def code_of(data: Any) -> str | None:
    """The code a line names, when it names a well-formed one (for errors found outside this module)."""
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, str) and _good_code(code) else None


def _good_code(code: str) -> bool:
    m = CODE.fullmatch(code)
    return m is not None and 1 <= len(m.group(1)) <= 64


def _quote(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _text(value: Any, longest: int) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= longest and bool(value.strip())


class _Parser:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def data(self, data: Any) -> Definition | Retirement | None:
        if not isinstance(data, dict):
            self.err("data", "must be an object")
            return None
        for key in data:
            if key not in DATA_KEYS:
                self.err(f"data.{key}", f"unknown key {_quote(key)}")
        code = self.code(data)
        if "retire" in data:
            if data["retire"] is not True:
                self.err("data.retire", "must be true (or left out)")
            if any(k != "code" and k != "retire" for k in data):
                self.err("data.retire", "no other key than code")
            return Retirement(code) if code is not None else None
        label = self.text(data, "label", 64)
        kind = self.kind(data)
        where = self.conditions(data.get("where", []), "data.where", kind, 0) if "where" in data else ()
        measure = self.measure(data.get("measure"), kind)
        unit_word = self.text(data, "unit_word", 8)
        # Judged by the measure's type even when the rest of the measure is wrong: both errors are reported.
        raw_measure = data.get("measure")
        mtype = raw_measure.get("type") if isinstance(raw_measure, dict) else None
        if unit_word is not None and mtype in MEASURES:
            if mtype == "rate" and unit_word != "%":
                self.err("data.unit_word", 'must be "%" for a rate')
            elif mtype != "rate" and unit_word == "%":
                self.err("data.unit_word", '"%" is only for a rate')
        if None in (code, label, unit_word, kind, where, measure):
            return None
        return Definition(code, label, unit_word, kind.code, where, measure)  # type: ignore[arg-type, union-attr]

    def code(self, data: dict[str, Any]) -> str | None:
        if "code" not in data:
            self.err("data.code", "required")
            return None
        code = data["code"]
        if not isinstance(code, str) or not _good_code(code):
            built_in = isinstance(code, str) and re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", code)
            hint = " (built-in figure ids cannot be declared, changed or retired)" if built_in else ""
            self.err(
                "data.code",
                f'must be "local." + 1–64 characters matching [a-z0-9_]+(\\.[a-z0-9_]+)*, got {_quote(code)}{hint}',
            )
            return None
        return code

    def text(self, data: dict[str, Any], key: str, longest: int) -> str | None:
        if key not in data:
            self.err(f"data.{key}", "required")
            return None
        if not _text(data[key], longest):
            self.err(f"data.{key}", f"must be a text of 1–{longest} characters, not blank")
            return None
        return data[key]  # type: ignore[no-any-return]

    def kind(self, data: dict[str, Any]) -> Kind | None:
        if "kind" not in data:
            self.err("data.kind", "required")
            return None
        code = data["kind"]
        if not isinstance(code, str) or code not in KINDS:
            self.err("data.kind", f"unknown kind {_quote(code)}")
            return None
        return KINDS[code]

    # -- conditions --

    def conditions(self, raw: Any, path: str, kind: Kind | None, least: int) -> tuple[Condition, ...] | None:
        if not isinstance(raw, list) or not least <= len(raw) <= MAX_CONDITIONS:
            self.err(path, f"needs {least}–{MAX_CONDITIONS} conditions")
            return None
        out = [self.condition(c, f"{path}[{i}]", kind) for i, c in enumerate(raw)]
        return None if any(c is None for c in out) else tuple(out)  # type: ignore[arg-type]

    def condition(self, raw: Any, path: str, kind: Kind | None) -> Condition | None:
        if not isinstance(raw, dict):
            self.err(path, "a condition must be an object")
            return None
        if "not" in raw:
            if len(raw) != 1:
                self.err(path, '"not" takes no other key: a condition has exactly one of the shapes of §8.2')
                return None
            inner = self.condition(raw["not"], f"{path}.not", kind)
            return None if inner is None else Not(inner)
        if "step" in raw:
            return self.step_test(raw, path, kind, in_year_allowed=True)
        if "field" in raw:
            f = self.field_of(raw["field"], f"{path}.field", kind, None)
            ops = [k for k in raw if k != "field"]
            return self.field_test(raw, path, f, ops, kind)
        self.err(path, 'a condition needs "field", "step" or "not" (one of the shapes of §8.2)')
        return None

    def field_of(self, name: Any, path: str, kind: Kind | None, step: str | None) -> Field | None:
        if kind is None:
            return None  # the kind is wrong already: its fields cannot be checked
        fields = step_fields(kind, step) if step else kind.fields
        found = next((f for f in fields if f.name == name), None) if isinstance(name, str) else None
        if found is None:
            where = f"{kind.code} step {_quote(step)}" if step else kind.code
            self.err(path, f"{where} has no field {_quote(name)}")
        return found

    def field_test(
        self, raw: dict[str, Any], path: str, f: Field | None, ops: list[str], kind: Kind | None, step: str = ""
    ) -> FieldTest | None:
        known = {"in", "is", "nonempty", "contains", "gte", "lte", "present"}
        for op in ops:
            if op not in known:
                self.err(f"{path}.{op}", f"unknown key {_quote(op)}")
                return None
        shape = sorted({"range" if op in ("gte", "lte") else op for op in ops})
        if len(shape) != 1:
            self.err(
                path,
                "a condition has exactly one of the shapes of §8.2: give one of in, is, nonempty, "
                "contains, gte/lte, present",
            )
            return None
        if f is None:
            return None
        op = shape[0]
        name = f.name
        owner = ".".join(filter(None, [kind.code if kind else "", step]))  # study_session, case.decided
        if op == "in":
            if f.type not in ("code", "str"):
                self.err(path, '"in" needs a code or str field')
                return None
            values = self.values(raw["in"], f"{path}.in", f, f"{owner}.{name}")
            return None if values is None else FieldTest(name, "in", values=values)
        if op in ("is", "nonempty", "present"):
            needs = {"is": "bool", "nonempty": "list"}.get(op)
            if needs and f.type != needs:
                self.err(path, f'"{op}" needs a {needs} field')
                return None
            # A field required only with some values of another (`procedure` with action penalty) is optional.
            if op == "present" and f.required and getattr(f, "when", None) is None:
                self.err(path, '"present" needs an optional field')
                return None
            if not isinstance(raw[op], bool):
                self.err(f"{path}.{op}", "must be true or false")
                return None
            return FieldTest(name, op, flag=raw[op])  # type: ignore[arg-type]
        if op == "contains":
            if f.type != "list":
                self.err(path, '"contains" needs a list field')
                return None
            if not _text(raw["contains"], MAX_STR):
                self.err(f"{path}.contains", f"must be a text of 1–{MAX_STR} characters")
                return None
            return FieldTest(name, "contains", item=raw["contains"])
        if f.type not in NUMBER_TYPES:
            self.err(path, '"gte" and "lte" need an int, money or score field')
            return None
        bounds = {k: self.number(raw[k], f"{path}.{k}", f) for k in ("gte", "lte") if k in raw}
        if any(v is None for v in bounds.values()):
            return None
        return FieldTest(name, "range", gte=bounds.get("gte"), lte=bounds.get("lte"))

    def values(self, raw: Any, path: str, f: Field, named: str) -> tuple[str, ...] | None:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_VALUES:
            self.err(path, f"needs 1–{MAX_VALUES} values")
            return None
        ok = True
        for i, v in enumerate(raw):
            if f.type == "code" and (not isinstance(v, str) or v not in f.codes):
                self.err(f"{path}[{i}]", f"{_quote(v)} is not a code of {named}")
                ok = False
            elif f.type == "str" and not _text(v, MAX_STR):
                self.err(f"{path}[{i}]", f"must be a text of 1–{MAX_STR} characters")
                ok = False
        return tuple(raw) if ok else None

    def number(self, raw: Any, path: str, f: Field) -> Decimal | None:
        """A bound for an int field (a whole number in its range) or a money/score field (§7.1's text rule)."""
        if f.type == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or not f.minimum <= raw <= f.maximum:
                self.err(path, f"must be an integer {f.minimum}–{f.maximum:,}")
                return None
            return Decimal(raw)
        top = DECIMAL_BOUNDS.get(f.type, DECIMAL_BOUNDS["money"])
        text: str | None = None
        if isinstance(raw, str):
            text = raw
        elif isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            text = str(raw)  # a JSON number's shortest text: 1753.79 stays "1753.79"
        try:
            value = Decimal(text) if text is not None and DECIMAL_TEXT.fullmatch(text) else None
        except InvalidOperation:
            value = None
        if value is None or value > top:
            self.err(path, f"must be a number 0–{top:,} with at most 2 decimals")
            return None
        return value

    def step_test(self, raw: dict[str, Any], path: str, kind: Kind | None, in_year_allowed: bool) -> StepTest | None:
        allowed = {"step", "field", "in", "is"} | ({"in_year"} if in_year_allowed else {"type"})
        for key in raw:
            if key not in allowed:
                self.err(f"{path}.{key}", f"unknown key {_quote(key)}")
                return None
        name = raw["step"]
        spec = kind.step(name) if kind is not None and isinstance(name, str) else None
        if kind is not None and spec is None:
            self.err(f"{path}.step", f"{kind.code} has no step {_quote(name)}")
            return None
        in_year = raw.get("in_year", False)
        if "in_year" in raw and raw["in_year"] is not True:
            self.err(f"{path}.in_year", "must be true (or left out)")
            return None
        test: FieldTest | None = None
        if "field" in raw:
            f = self.field_of(raw["field"], f"{path}.field", kind, name)
            ops = [k for k in ("in", "is") if k in raw]
            if len(ops) != 1:
                self.err(path, 'a step condition with "field" needs exactly one of "in" or "is"')
                return None
            test = self.field_test({k: raw[k] for k in ("field", *ops)}, path, f, ops, kind, name)
            if test is None:
                return None
        elif "in" in raw or "is" in raw:
            self.err(path, '"in" and "is" on a step need its "field"')
            return None
        if spec is None:
            return None
        return StepTest(name, in_year, test)

    # -- measure --

    def measure(self, raw: Any, kind: Kind | None) -> Measure | None:
        path = "data.measure"
        if raw is None:
            self.err(path, "required")
            return None
        if not isinstance(raw, dict):
            self.err(path, "must be an object")
            return None
        kind_of = raw.get("type")
        if kind_of not in MEASURES:
            self.err(f"{path}.type", f"unknown measure {_quote(kind_of)}: one of count, sum, steps, rate")
            return None
        allowed = {
            "count": {"type"},
            "sum": {"type", "field"},
            "steps": {"type", "step", "field", "in", "is"},
            "rate": {"type", "numerator"},
        }[kind_of]
        bad = [k for k in raw if k not in allowed]
        for key in bad:
            self.err(f"{path}.{key}", f"not a key of a {kind_of} measure")
        if bad:
            return None
        if kind_of == "count":
            return Measure("count")
        if kind_of == "sum":
            if "field" not in raw:
                self.err(f"{path}.field", "required")
                return None
            f = self.field_of(raw["field"], f"{path}.field", kind, None)
            if f is None:
                return None
            if f.type not in ("int", "money"):
                self.err(f"{path}.field", f"{_quote(f.name)} is not an int or money field")
                return None
            return Measure("sum", field=f.name)
        if kind_of == "steps":
            if "step" not in raw:
                self.err(f"{path}.step", "required")
                return None
            step = self.step_test({k: v for k, v in raw.items() if k != "type"}, path, kind, in_year_allowed=False)
            return None if step is None else Measure("steps", step=step)
        numerator = self.conditions(raw.get("numerator"), f"{path}.numerator", kind, 1)
        return None if numerator is None else Measure("rate", numerator=numerator)

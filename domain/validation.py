"""Pydantic models built from the catalogue, and their errors turned into messages naming the field."""

from __future__ import annotations

import calendar
import difflib
import json
import math
import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    create_model,
)
from pydantic import Field as PydField

from .catalogue import DECIMAL_TYPES, FIRST_YEAR, KINDS, LINE_LABELS, MAX_LIST, MAX_STR, OPS, Field, Kind
from .errors import DomainError, FieldError

EARLIEST = date(FIRST_YEAR, 1, 1)
UNIT_CODE = r"^[a-z0-9][a-z0-9-]{0,63}$"

# C0 control characters other than tab, line feed and carriage return, DEL, and lone UTF-16 surrogates: JSON
# can carry them (\u0000, \ud800), but a surrogate cannot be encoded as UTF-8 (so no digest, no event, no
# response) and the controls break the XLSX writer and every document built from the ledger.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Records nest three deep (line → data → list → text), declared figures a few more (their definition is a
# small expression tree); far deeper is never data, and would exhaust the stack of recursive validators.
MAX_DEPTH = 32


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored, or None (the message names the character by code point, never echoes it)."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"含无效字符 U+{code:04X}（不是有效的 UTF-8 文本，或孤立的 UTF-16 代理项）"
    return f"不能包含控制字符 U+{code:04X}"


def _printable_text(value: str) -> str:
    if problem := text_problem(value):
        raise ValueError(problem)
    return value


Printable = AfterValidator(_printable_text)
Text = Annotated[StrictStr, StringConstraints(min_length=1, max_length=MAX_STR, pattern=r"\S"), Printable]
Ident = Annotated[StrictStr, StringConstraints(min_length=1, max_length=128, pattern=r"\S"), Printable]
UnitCode = Annotated[StrictStr, StringConstraints(pattern=UNIT_CODE)]


# The forms people type (DOMAIN.md §4 keeps YYYY-MM-DD canonical; these are unambiguous with the year first):
# 2025-03-01, 2025-3-1, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301. Anything else (3/1/2025, 2025-3) is refused.
_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
DATE_FORMAT_MESSAGE = "须为 YYYY-MM-DD 格式的日期（也可写作 2025-3-1、2025/3/1、2025.3.1、2025年3月1日 或 20250301）"


def parse_date_text(value: str) -> date:
    """A date as people type it (see `_DATE_FORMS`); ValueError with a message for people otherwise."""
    text = value.strip()
    found = next((m for form in _DATE_FORMS if (m := form.fullmatch(text))), None)
    if found is None:
        raise ValueError(f"{DATE_FORMAT_MESSAGE}，收到「{value}」")
    year, month, day = (int(g) for g in found.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"月份须为 1–12，收到「{value}」中的 {month} 月")
    if year < EARLIEST.year:
        raise ValueError(f"不能早于 {EARLIEST.isoformat()}，收到 {value}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"{year}年{month}月没有{day}日（该月共 {last} 日），收到「{value}」")
    return date(year, month, day)


def _business_date(value: str, info: ValidationInfo) -> date:
    day = parse_date_text(value)
    if day < EARLIEST:
        raise ValueError(f"不能早于 {EARLIEST.isoformat()}，收到 {value}")
    today = (info.context or {}).get("today")
    if today is not None and day > today:
        raise ValueError(f"不能晚于今天（{today.isoformat()}），收到 {value}")
    return day


BusinessDate = Annotated[StrictStr, AfterValidator(_business_date)]

_STRICT = ConfigDict(extra="forbid")


# ---- money and score (DOMAIN.md §7.1): decimals read exactly from the text of the line ----


class JSONDecimal(Decimal):
    """A JSON number with a fraction or an exponent, with the text it was written as (see `json_number`)."""

    text: str


def json_number(text: str) -> Decimal:
    """`parse_float` for json.loads: the exact decimal of the text, never a binary float (DOMAIN.md §7.1), keeping
    the text so that an exponent (`1e3`, `1.5e1`) can still be told apart from a plain number and rejected."""
    number = JSONDecimal(text)
    number.text = text
    return number


_DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")  # no sign, no exponent, at most 2 decimal places


def decimal_text(value: Any) -> str | None:
    """The text a money or score value was written as, or None when it is not a number or numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, JSONDecimal):
        return value.text
    if isinstance(value, int | Decimal | str):
        return str(value)
    if isinstance(value, float):
        # Only from a caller that parsed JSON itself (the JSON Lines reader never makes floats): the shortest
        # repr gives back the written digits of every value with at most 15 significant digits, which covers
        # every money value up to 1,000,000,000,000.00.
        return repr(value)
    return None


def parse_decimal(value: Any, maximum: int, what: str) -> Decimal:
    text = decimal_text(value)
    if text is None or not _DECIMAL_TEXT.fullmatch(text) or Decimal(text) > maximum:
        shown = text if text is not None else repr(value)
        raise ValueError(f"须为 0–{maximum:,} 之间、最多两位小数的{what}（不带正负号和指数），收到「{shown}」")
    return Decimal(text)


def canonical_decimal(value: Any) -> str:
    """How a valid money or score value is stored in events: its exact value with two decimals ("136161.00")."""
    return f"{Decimal(decimal_text(value) or '0'):.2f}"


def _decimal_annotation(f: Field) -> Any:
    what = "金额（元）" if f.type == "money" else "分数"

    def check(value: Any) -> Any:
        parse_decimal(value, f.maximum, what)
        return value

    return Annotated[Any, AfterValidator(check)]


def _annotation(f: Field) -> Any:
    if f.type in DECIMAL_TYPES:
        return _decimal_annotation(f)
    if f.type == "str":
        return Text
    if f.type == "int":
        return Annotated[StrictInt, PydField(ge=f.minimum, le=f.maximum)]
    if f.type == "bool":
        return StrictBool
    if f.type == "list":
        return Annotated[list[Text], PydField(max_length=MAX_LIST)]
    return Literal[tuple(f.codes)]


# ---- what people type for a code or an integer (issue 12): normalised before validation, so events keep
# the code and the int ----


def code_of(value: Any, codes: dict[str, str]) -> Any:
    """A code given by its Chinese label exactly as the catalogue declares it (`中心组学习` → central_group; a
    label with alternatives, `业务培训/集体学习`, whole); anything else unchanged, for validation to name."""
    if isinstance(value, str) and value not in codes:
        text = value.strip()
        for code, label in codes.items():
            if text in (label, code):
                return code
    return value


def _shown(got: Any) -> str:
    """A refused value as the person wrote it, in 「」 like every other message: JSON's words for true, false
    and null (not Python's True/None), text without quotes."""
    if got is None or isinstance(got, bool):
        return f"「{json.dumps(got)}」"
    if isinstance(got, str | int | float):
        return f"「{got}」"
    return f"「{json.dumps(got, ensure_ascii=False, default=str)[:80]}」"


def suggestion(got: Any, codes: dict[str, str]) -> str:
    """`您是不是要输入 code（label）？` for the code or label nearest to an unknown one, or ""."""
    if not isinstance(got, str) or not got.strip() or not codes:
        return ""
    by_label = {label: code for code, label in codes.items()}
    typed = got.strip()
    found = difflib.get_close_matches(typed, [*codes, *by_label], n=1, cutoff=0.6)
    if not found:
        # A short Chinese label with one character mistyped (开廷 for 开庭, 接案 for 结案) is only 50% alike to
        # difflib, below any useful cutoff: a label of the same length that differs in one character is meant.
        same_length = [x for x in by_label if len(x) == len(typed) >= 2]
        found = [x for x in same_length if sum(a != b for a, b in zip(x, typed, strict=True)) == 1][:1]
    if not found:
        return ""
    code = found[0] if found[0] in codes else by_label[found[0]]
    return f"您是不是要输入 {code}（{codes[code]}）？"


# An exact integer as text or as a number with a zero fraction ("20", 20.0, "20.0"); never an exponent, a sign
# other than minus (the bounds then refuse it), a unit ("20元") or a boolean.
_INTEGRAL = re.compile(r"-?[0-9]{1,19}(\.0+)?")


def exact_int(value: Any) -> Any:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, JSONDecimal):
        text: str | None = value.text
    elif isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value) if math.isfinite(value) else None
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = None
    if text is not None and len(text) <= 64 and _INTEGRAL.fullmatch(text):
        return int(text.split(".")[0])
    return value


def forgiven(fields: tuple[Field, ...], data: dict[str, Any]) -> dict[str, Any]:
    """The data with codes given by label turned into codes and exact integers into ints (else unchanged)."""
    out = dict(data)
    for f in fields:
        if f.name not in out:
            continue
        if f.type == "code":
            out[f.name] = code_of(out[f.name], f.codes)
        elif f.type == "int":
            out[f.name] = exact_int(out[f.name])
    return out


def _model(name: str, fields: tuple[Field, ...]) -> type[BaseModel]:
    spec: dict[str, Any] = {}
    for f in fields:
        ann = _annotation(f)
        # A field taken only beside certain values of another is checked by `_conditional`, not here.
        spec[f.name] = (ann, ...) if f.required and f.when is None else (ann | None, None)
    return create_model(name, __config__=_STRICT, **spec)


@cache
def data_model(kind: str) -> type[BaseModel]:
    return _model(f"{kind}_data", KINDS[kind].fields)


@cache
def _step_model(kind: str, index: int) -> type[BaseModel]:
    s = KINDS[kind].steps[index]
    return _model(f"{kind}_{s.name}_{index}_data", s.fields)


def step_model(kind: str, step: str, data: dict[str, Any] | None = None) -> type[BaseModel]:
    """The model of a step's data (for an activity with `data`: of the variant its fields allow)."""
    s = KINDS[kind].step(step, data)
    assert s is not None
    return _step_model(kind, KINDS[kind].steps.index(s))


def check_data(
    model: type[BaseModel], fields: tuple[Field, ...], data: Any, prefix: str = "data"
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate kind or step data: (the data without absent optional fields, every error at once)."""
    if not isinstance(data, dict):
        return {}, [FieldError(prefix, f"{LINE_LABELS['data']}：须为对象（JSON object）")]
    data = forgiven(fields, data)
    errors: list[FieldError] = []
    try:
        model.model_validate(data)
    except ValidationError as e:
        errors = field_errors(e, {f.name: f for f in fields}, prefix)
    bad = {e.field for e in errors}
    errors += [e for e in _conditional(fields, data, prefix, bad) if e.field not in bad]
    clean = {k: v for k, v in data.items() if v is not None}
    if not errors:
        for f in fields:
            if f.type in DECIMAL_TYPES and f.name in clean:
                clean[f.name] = canonical_decimal(clean[f.name])
    return clean, errors


def clean_data(model: type[BaseModel], fields: tuple[Field, ...], data: Any, prefix: str = "data") -> dict[str, Any]:
    """Validate kind or step data; return it without absent optional fields (an explicit null means absent)."""
    clean, errors = check_data(model, fields, data, prefix)
    if errors:
        raise DomainError(*errors)
    return clean


def _value_text(f: Field | None, value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if f is not None and isinstance(value, str) and value in f.codes:
        return f"{value}（{f.codes[value]}）"
    return f"「{value}」" if value is not None else "未填"


def _conditional(fields: tuple[Field, ...], data: dict[str, Any], prefix: str, bad: set[str]) -> list[FieldError]:
    """Fields taken only beside certain values of another field (DOMAIN.md §7.2, §7.4): required there when
    required, rejected elsewhere (clear them with null in the same correction)."""
    by_name = {f.name: f for f in fields}
    out = []
    for f in fields:
        if f.when is None:
            continue
        other, values = f.when
        if f"{prefix}.{other}" in bad:
            continue  # the controlling field is itself wrong: its own error says so
        current = data.get(other)
        taken = current in values and isinstance(current, bool) == isinstance(values[0], bool)
        given = data.get(f.name) is not None
        spec = by_name.get(other)
        label = spec.label if spec else other
        allowed = "或".join(_value_text(spec, v) for v in values)
        if taken and f.required and not given:
            out.append(FieldError(f"{prefix}.{f.name}", f"{f.label}：{label}为{_value_text(spec, current)}时必填"))
        elif given and not taken:
            out.append(
                FieldError(
                    f"{prefix}.{f.name}",
                    f"{f.label}：仅当{label}为{allowed}时可填写（当前为{_value_text(spec, current)}），"
                    f"请删除该字段或以 null 清除",
                )
            )
    return out


# ---- the interchange line envelope (DOMAIN.md §4) ----


KIND_LABELS = {k.code: k.label for k in KINDS.values()}


def kind_code(value: Any) -> Any:
    """A kind given by its code or its Chinese label (`学法/学习活动` → study_session)."""
    return code_of(value, KIND_LABELS)


class _Line(BaseModel):
    model_config = _STRICT
    id: Ident
    unit: UnitCode
    by: Text | None = None


class UnitData(BaseModel):
    model_config = _STRICT
    name: Text
    parent: UnitCode | None = None


class UnitLine(_Line):
    op: Literal["unit"]
    data: UnitData


class RecordLine(_Line):
    op: Literal["record"]
    kind: Annotated[Literal[tuple(KINDS)], BeforeValidator(kind_code)]  # type: ignore[valid-type]
    ref: Ident
    date: BusinessDate
    data: dict[str, Any]


class StepLine(_Line):
    op: Literal["step"]
    ref: Ident
    step: Text
    date: BusinessDate
    data: dict[str, Any] | None = None


class CorrectLine(_Line):
    op: Literal["correct"]
    ref: Ident
    reason: Text
    date: BusinessDate | None = None
    data: dict[str, Any] | None = None


class VoidLine(_Line):
    op: Literal["void"]
    ref: Ident
    reason: Text
    target: Ident | None = None


class FigureLine(_Line):
    """Declare, redeclare or retire a figure of the unit's own (§8); `data` is checked by `definition.parse`."""

    op: Literal["figure"]
    data: Any


Line = UnitLine | RecordLine | StepLine | CorrectLine | VoidLine | FigureLine
LINE_MODELS: dict[str, type[BaseModel]] = {
    "unit": UnitLine,
    "record": RecordLine,
    "step": StepLine,
    "correct": CorrectLine,
    "void": VoidLine,
    "figure": FigureLine,
}

_ENVELOPE_FIELDS = {name: Field(name, label) for name, label in LINE_LABELS.items()}
_ENVELOPE_FIELDS["kind"] = Field("kind", LINE_LABELS["kind"], "code", codes={k.code: k.label for k in KINDS.values()})
_ENVELOPE_FIELDS["op"] = Field("op", LINE_LABELS["op"], "code", codes=OPS)


def raw_problems(raw: Any) -> list[FieldError]:
    """What no line may hold anywhere, keys included: text that cannot be stored (see `text_problem`), a
    number that is not finite (NaN, Infinity, 1e309: JSON parsers accept them, and a JSON encoder turns them
    into null, which in a correction clears a stored value), nesting deeper than any line has. Checked before
    anything else reads the line (its digest cannot even be computed over a lone surrogate); iterative, so
    depth cannot exhaust the stack."""
    out: list[FieldError] = []
    kind = KINDS.get(raw.get("kind")) if isinstance(raw, dict) and isinstance(raw.get("kind"), str) else None
    todo: list[tuple[Any, list[str]]] = [(raw, [])]
    while todo:
        value, path = todo.pop()
        if len(path) > MAX_DEPTH:
            out.append(FieldError(".".join(path[:MAX_DEPTH]) or "line", f"{_label(path, kind)}：嵌套层次过深"))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if problem := text_problem(name):
                    out.append(FieldError(".".join([*path, _escaped(name)]), f"字段名：{problem}"))
                    continue
                todo.append((item, [*path, name]))
        elif isinstance(value, list):
            todo.extend((item, [*path, str(i)]) for i, item in enumerate(value))
        elif isinstance(value, str):
            if problem := text_problem(value):
                out.append(FieldError(".".join(path) or "line", f"{_label(path, kind)}：{problem}"))
        elif isinstance(value, float | Decimal) and not math.isfinite(float(value)):
            # A decimal beyond a double's range (1e309, as the JSON Lines reader keeps it) is refused like the
            # Infinity a JSON route's parser makes of the same text: one message on every path.
            got = "NaN" if math.isnan(float(value)) else ("Infinity" if value > 0 else "-Infinity")
            message = f"须为有限的数值（超出范围的数读作 Infinity），收到 {got}"
            out.append(FieldError(".".join(path) or "line", f"{_label(path, kind)}：{message}"))
    # One error per field, in the order the fields were written (the walk above is depth-first, reversed).
    unique = {e.field: e for e in reversed(out)}
    return list(unique.values())


def _escaped(text: str) -> str:
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _label(path: list[str], kind: Kind | None) -> str:
    """The field's label for a message: an envelope field's, or a data field's (by the record's kind, else the
    first kind that has a field of that name: steps and corrections do not carry their kind)."""
    names = [p for p in path if not p.isdigit()]
    if not names:
        return "行"
    if names[0] != "data" or len(names) == 1:
        return LINE_LABELS.get(names[0], names[0])
    name = names[1]
    for k in ([kind] if kind else []) + list(KINDS.values()):
        for f in k.fields + tuple(f for s in k.steps for f in s.fields):
            if f.name == name:
                return f.label
    return {"name": "单位名称", "parent": "上级单位"}.get(name, name)


def parse_line(raw: Any, today: date) -> Line:
    """Validate the envelope of one interchange line (not yet the kind-specific data)."""
    if not isinstance(raw, dict):
        raise DomainError.of("line", "每行须为一个 JSON 对象")
    if problems := raw_problems(raw):
        raise DomainError(*problems)
    op = raw.get("op")
    model = LINE_MODELS.get(op) if isinstance(op, str) else None
    if model is None:
        raise DomainError.of("op", _message({"type": "literal_error", "input": op}, _ENVELOPE_FIELDS["op"]))
    try:
        return model.model_validate(raw, context={"today": today})  # type: ignore[return-value]
    except ValidationError as e:
        errors = field_errors(e, _ENVELOPE_FIELDS, "")
        raise DomainError(*errors, *_record_data_errors(raw, errors)) from None


def _record_data_errors(raw: dict[str, Any], errors: list[FieldError]) -> list[FieldError]:
    """A record line whose envelope is wrong: its data's errors too (every error of a line at once), when its
    kind is known and its data an object; the activity checks the same data again once the envelope is right."""
    if raw.get("op") != "record" or any(e.field.split(".")[0] in ("kind", "data") for e in errors):
        return []
    kind = kind_code(raw.get("kind"))
    data = raw.get("data")
    if not isinstance(kind, str) or kind not in KINDS or not isinstance(data, dict):
        return []
    return check_data(data_model(kind), KINDS[kind].fields, data)[1]


def kind_of(code: str) -> Kind:
    return KINDS[code]


# ---- pydantic errors -> messages ----


def field_errors(e: ValidationError, fields: dict[str, Field], prefix: str) -> list[FieldError]:
    out: list[FieldError] = []
    seen: set[str] = set()
    for err in e.errors():
        loc = [str(p) for p in err["loc"] if not str(p).startswith(("function-after", "literal["))]
        name = loc[0] if loc else ""
        path = ".".join(filter(None, [prefix, *loc]))
        if path in seen:
            continue
        seen.add(path)
        f = fields.get(name) or Field(name, LINE_LABELS.get(name, name))
        if len(loc) > 1 and loc[0] == "data" and not prefix:
            f = Field(loc[-1], {"name": "单位名称", "parent": "上级单位"}.get(loc[-1], loc[-1]))
        out.append(FieldError(path, _message(err, f)))
    return out


def _codes_text(f: Field) -> str:
    return "、".join(f"{c}（{label}）" for c, label in f.codes.items())


def _message(err: dict[str, Any], f: Field) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if isinstance(got, JSONDecimal):
        got = got.text
    elif isinstance(got, Decimal):
        got = str(got)
    if kind == "missing":
        text = "必填，不能缺少"
    elif kind == "extra_forbidden":
        text = "未知字段，不能提交"
        return f"{f.name}：{text}"
    elif kind == "literal_error":
        text = (
            f"未知代码「{got}」，{suggestion(got, f.codes)}可选：{_codes_text(f)}" if f.codes else f"不可取值「{got}」"
        )
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        text = f"须为整数，收到{_shown(got)}"
    elif kind == "bool_type":
        text = f"须为 true 或 false，收到{_shown(got)}"
    elif kind in ("greater_than_equal", "less_than_equal"):
        text = f"须为 {f.minimum}–{f.maximum:,} 之间的整数，收到 {got}"
    elif kind in ("string_too_short", "string_pattern_mismatch") and f.name in ("unit", "parent"):
        text = f"单位代码须为小写字母、数字和连字符（首字符不能是连字符，最长64），收到「{got}」"
    elif kind in ("string_too_short", "string_pattern_mismatch"):
        text = "不能为空"
    elif kind == "string_too_long":
        text = f"不得超过 {ctx.get('max_length')} 个字符"
    elif kind == "too_long":
        text = f"最多 {ctx.get('max_length')} 项"
    elif kind == "string_type":
        text = f"须为文本，收到{_shown(got)}"
    elif kind == "list_type":
        text = f"须为文本列表，收到{_shown(got)}"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        text = "须为对象（JSON object）"
    elif kind == "value_error":
        text = str(ctx.get("error", err.get("msg")))
    else:
        text = str(err.get("msg"))
    return f"{f.label}：{text}"

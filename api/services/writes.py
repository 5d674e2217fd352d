"""How a request becomes interchange lines (DOMAIN.md §4) and is applied all-or-nothing: one line (a form or
`POST /api/...`), a JSON Lines file, a filled-in template workbook. Every line is checked against the
actor's access first; on a ledger with users, `by` must be the actor."""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

from domain.access import may, may_declare
from domain.activity import NEW_LINE_PREFIX, WORKBOOK_ROW_PREFIX
from domain.definition import code_of
from domain.ledger import LineError, Submission, Written
from domain.user import USERNAME
from domain.validation import json_number, text_problem

from .access import DECLARE_FORBIDDEN, require_declare, require_duty, require_write
from .context import Actor, Context, Unrestricted
from .refusals import Refused, field_problem

IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,80}$"
IMPORT_SUFFIXES = (".jsonl", ".xlsx")
Lines = list[tuple[int, Any]]


@dataclass(frozen=True)
class Imported:
    applied: int
    skipped: int

    def to_json(self) -> dict[str, int]:
        return {"applied": self.applied, "skipped": self.skipped}


# ---- reading files into lines ----


# The json module's messages, in the staff's words.
JSON_MESSAGES = {
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名须用英文双引号括起来",
    "Unterminated string starting at": "字符串缺少结尾的引号",
    "Extra data": "一行只能有一个 JSON 对象，后面有多余的内容",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义符（\\）",
}


def json_problem(e: json.JSONDecodeError, text: str) -> str:
    said = JSON_MESSAGES.get(e.msg, e.msg)
    hint = "；是否用了中文引号或逗号？JSON 须用英文双引号 \" 和逗号 ," if any(c in text for c in "“”，：") else ""
    return f"不是有效的 JSON（第 {e.colno} 列）：{said}{hint}"


def json_line(text: str) -> tuple[Any, str | None]:
    """One line's JSON value, or why it is not JSON: a syntax error, nesting too deep for the parser (its
    recursion limit) or an integer too long to convert (Python's 4,300-digit limit) are the same kind of error.
    Numbers with a fraction are read as exact decimals (money, DOMAIN.md §7.1), never through a binary float."""
    try:
        return json.loads(text, parse_float=json_number), None
    except json.JSONDecodeError as e:
        return None, json_problem(e, text)
    except RecursionError:
        return None, "不是有效的 JSON：嵌套层次过深"
    except ValueError:
        return None, f"不是有效的 JSON：整数位数过多（最多 {sys.get_int_max_str_digits()} 位）"


def read_lines(stream: Iterable[str]) -> tuple[Lines, list[LineError]]:
    """Numbered JSON Lines (blank lines skipped) and the lines that are not JSON."""
    # Bytes that are not UTF-8 become lone surrogates instead of a traceback: the ledger refuses them, naming
    # the line and the field they are in.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
    lines, errors = [], []
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        value, problem = json_line(text)
        if problem:
            errors.append(LineError(number, "json", problem))
        else:
            lines.append((number, value))
    return lines, errors


def line_problems(errors: Iterable[LineError]) -> list[dict[str, Any]]:
    return [{"line": e.line, "field": e.field, "message": e.message} for e in errors]


def rejected(problems: list[dict[str, Any]]) -> Refused:
    return Refused("invalid", f"共 {len(problems)} 处错误，未导入任何内容", problems)


@dataclass(frozen=True)
class JsonLines:
    """A JSON Lines file read: its numbered lines, the lines that are not JSON, and the encoding it was in."""

    lines: Lines
    broken: list[LineError]
    encoding: str


def decoded(data: bytes) -> tuple[str, str]:
    """A text file's content and its encoding's name, as staff's tools write them: UTF-8 with or without a BOM,
    UTF-16 with a BOM (Excel's "Unicode text"), else GB18030 (GBK's superset: Excel and WPS on Chinese Windows).
    Bytes that are none of these stay UTF-8 with lone surrogates, so the line and field they are in are named."""
    for bom, name in ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            codec = "utf-8" if name == "UTF-8" else "utf-16"
            start = len(bom) if codec == "utf-8" else 0
            return data[start:].decode(codec, errors="surrogateescape" if codec == "utf-8" else "strict"), name
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="surrogateescape"), "UTF-8"


def jsonl_read(data: bytes) -> JsonLines:
    """A JSON Lines file's bytes as numbered lines and those that are not JSON (reported with every other error;
    see `import_lines`)."""
    try:
        text, encoding = decoded(data)
    except UnicodeDecodeError:
        raise field_problem("file", "文件：不是有效的 UTF-16 文本，请另存为 UTF-8 编码后再导入") from None
    lines, broken = read_lines(text.splitlines())
    return JsonLines(lines, broken, encoding)


def jsonl_file_lines(path: Path) -> tuple[JsonLines, dict[int, str]]:
    """A JSON Lines file as numbered lines, and where each came from (第 N 行)."""
    return jsonl_read(path.read_bytes()), {}  # every line is where its number says (see import_file)


def workbook_lines(ctx: Context, actor: Actor, path: Path) -> tuple[Lines, dict[int, str]]:
    """A filled-in import template as interchange lines and the `sheet!row` of each."""
    from zipfile import BadZipFile

    from openpyxl.utils.exceptions import InvalidFileException

    from ..documents.xlsx_import import read_workbook

    def kind_of(unit: str, ref: str) -> str | None:
        """The kind of an existing activity (a step row's fields depend on it), only in units the actor reads."""
        if ctx.ledger.unit(unit) is None or not ctx.may_read(actor, unit):
            return None
        found = ctx.ledger.activity(unit, ref)
        return found.kind if found is not None else None

    try:
        return read_workbook(path, kind_of)
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException) as e:
        raise field_problem(
            "file",
            f"文件：无法读取 Excel 工作簿（{type(e).__name__}）",
        ) from None


# ---- a workbook imported again after its rows were changed ----

CHANGED_ROW = (
    "这一行以前导入过，之后在工作簿里改动了；导入不会改写已记录的活动。请在台账中打开活动「{ref}」用「更正」修改"
    "（须说明原因），或在导入页勾选「把改动过的行作为更正导入」并填写原因"
)


def reimported(ctx: Context, raw: Any) -> Any | None:
    """The activity a workbook record row wrote when it was imported before, if the row has changed since
    (its generated id `xlsx-…` has a receipt with another digest); else None."""
    from domain.ids import receipt_id
    from domain.ledger import digest

    row_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
    if not (row_id.startswith(WORKBOOK_ROW_PREFIX) and raw.get("op") == "record"):
        return None
    if not isinstance(raw.get("unit"), str) or not isinstance(raw.get("ref"), str):
        return None
    receipt = ctx.ledger._get(receipt_id(raw["id"]))  # noqa: SLF001 — the ledger's own lookup by id
    if receipt is None or receipt.digest == digest(raw):
        return None
    return ctx.ledger.activity(raw["unit"], raw["ref"])


def explain_changed_rows(ctx: Context, lines: Lines, errors: list[dict[str, Any]]) -> None:
    """The ledger's "this id was used for another line" for a changed workbook row, in words that say what to do."""
    by_line = {n: raw for n, raw in lines}
    for err in errors:
        raw = by_line.get(err.get("line"))  # type: ignore[arg-type]
        if err.get("field") == "id" and reimported(ctx, raw) is not None:
            err["message"] = CHANGED_ROW.format(ref=raw["ref"])


def rows_as_corrections(ctx: Context, lines: Lines, reason: str) -> tuple[Lines, int]:
    """Changed workbook rows of activities recorded before become corrections with `reason` (only the fields
    that differ; a field left empty clears it); a row that now matches the activity is dropped. Returns the
    lines and how many rows were dropped as unchanged."""
    from domain.catalogue import KINDS
    from domain.errors import DomainError
    from domain.validation import check_data, data_model, parse_line

    out: Lines = []
    dropped = 0
    today = ctx.ledger.today()
    for number, raw in lines:
        found = reimported(ctx, raw)
        if found is None or found.voided or raw.get("kind") not in (found.kind, KINDS[found.kind].label):
            out.append((number, raw))
            continue
        body: dict[str, Any] = {"unit": found.unit, "ref": found.ref, "reason": reason}
        try:
            line = parse_line(raw, today)
            clean, problems = check_data(data_model(found.kind), KINDS[found.kind].fields, raw.get("data") or {})
        except DomainError:
            problems = ["the row itself"]
        if problems:
            # The row as typed becomes the correction, so that the ledger names each of its problems by field
            # (kept as the record it was, it would only be "this row was imported before", which the user who
            # asked for corrections already knows).
            typed = raw.get("data") or {}
            data = {k: v for k, v in typed.items() if found.data.get(k) != v}
            data.update({k: None for k in found.data if k not in typed})
            if raw.get("date") != found.date.isoformat():
                body["date"] = raw.get("date")
        else:
            data = {k: v for k, v in clean.items() if found.data.get(k) != v}
            data.update({k: None for k in found.data if k not in clean})
            if line.date != found.date:  # type: ignore[attr-defined]
                body["date"] = line.date.isoformat()  # type: ignore[attr-defined]
        if data:
            body["data"] = data
        if len(body) == 3:
            dropped += 1
            continue
        from domain.ledger import digest

        out.append((number, {"id": f"{raw['id']}-c-{digest(body)[:16]}", "op": "correct", **body}))
    return out, dropped


# ---- applying lines ----


def reserved_id(ctx: Context, actor: Actor, lid: Any) -> str | None:
    """`name:key` is the id of user `name`'s write with Idempotency-Key `key`: nobody else may take it (their
    line would make that user's write a clash, or answer it as a replay of someone else's)."""
    if not isinstance(lid, str) or ":" not in lid:
        return None
    owner = lid.split(":", 1)[0]
    if owner == actor.username or not USERNAME.match(owner) or ctx.ledger.user(owner) is None:
        return None
    return f"行编号：「{owner}:」开头的编号留给该用户的幂等键（Idempotency-Key）使用，请换一个编号"


def line_id(actor: Actor, given: str | None, idempotency_key: str | None) -> str:
    """The line's id: the one given, else one derived from the actor's Idempotency-Key (so a retry is the
    same line and is never applied twice), else a new one."""
    if given:
        return given
    if idempotency_key:
        return f"{actor.username}:{idempotency_key}"
    return f"{NEW_LINE_PREFIX}{uuid4().hex}"


async def write(
    ctx: Context,
    actor: Actor,
    op: str,
    body: dict[str, Any],
    idempotency_key: str | None,
    if_match: int | None,
    late_reason: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Write one line; returns what was written and whether this was a replay of an earlier identical request.
    `late_reason` is the 报后更正 reason a write to an approved (locked) year needs (domain/filing.py)."""
    unit = body.get("unit", "")
    if op == "unit":
        require_duty(actor, "units")
    else:
        require_write(ctx, actor, unit)
    if op == "figure":
        require_declare(ctx, actor, unit)
    lid = line_id(actor, body.pop("id", None), idempotency_key)
    if problem := reserved_id(ctx, actor, lid):
        raise field_problem("id", problem)
    raw = {"id": lid, "op": op, **body}
    expected = {lid: if_match} if if_match is not None and op in ("step", "correct", "void") else {}
    # One person's form or request: a correction that changes nothing is refused here (issue 12), not in files.
    outcome = await ctx.submit(
        Submission([(1, raw)], actor.username, expected, refuse_unchanged=True, late_reason=late_reason)
    )
    if op == "unit":
        ctx.forget()
    if outcome.errors:
        errors = [{"line": None, "field": e.field, "message": e.message} for e in outcome.errors]
        detail = "；".join(e.message for e in outcome.errors)
        kind = "conflict" if outcome.conflict is not None else "invalid"
        raise Refused(kind, detail, errors, outcome.conflict)
    ref = body.get("ref") if op != "unit" else None
    code = code_of(body.get("data")) if op == "figure" else None
    written: Written | None = outcome.written.get(lid) or ctx.ledger.written(lid, unit, ref, code)
    assert written is not None, "an applied or skipped line has an event"
    result = {
        "id": lid,
        "unit": unit,
        "ref": ref,
        "version": written.version,
        "recorded_at": written.recorded_at,
        "recorded_by": actor.username,
    }
    return result, outcome.skipped > 0


def access_problems(ctx: Context, actor: Actor, lines: Lines) -> list[dict[str, Any]]:
    """Every line the actor may not write: another's name in `by`, a unit outside their units, `op: unit`
    or `op: figure` (a declared figure, domain/access.py `may_declare`) by a non-admin. A ledger without users
    (`Unrestricted`) keeps the interchange format's `by`."""
    errors = []
    for number, raw in lines:
        if not isinstance(raw, dict):
            continue  # the ledger names the problem
        if not isinstance(actor, Unrestricted) and raw.get("by") not in (None, actor.username):
            errors.append({"line": number, "field": "by", "message": "录入人：由登录用户决定，不能代他人录入"})
        if problem := reserved_id(ctx, actor, raw.get("id")):
            errors.append({"line": number, "field": "id", "message": problem})
        unit = raw.get("unit")
        if not isinstance(unit, str) or text_problem(unit):
            continue  # the ledger names the problem (a lone surrogate could not even be sent back in a message)
        if raw.get("op") == "unit" and not may(actor, "units"):  # type: ignore[arg-type]
            errors.append({"line": number, "field": "op", "message": "操作：只有管理员可以登记单位"})
        elif raw.get("op") != "unit" and not ctx.may_write(actor, unit):
            errors.append({"line": number, "field": "unit", "message": f"单位：无权在「{unit}」的台账中录入"})
        elif raw.get("op") == "figure" and not may_declare(actor, unit, ctx.parent_of):
            errors.append({"line": number, "field": "op", "message": DECLARE_FORBIDDEN.format(unit=unit)})
    return errors


async def import_lines(
    ctx: Context, actor: Actor, lines: Lines, broken: list[LineError] | None = None, *, late_reason: str | None = None
) -> Imported:
    """A whole file's lines, all-or-nothing, every line checked against the actor's access first. `broken` are
    the file's lines that are not JSON: the file is then refused, but only after every other line was checked
    too (as if the broken lines were absent), so that every error of the file is reported at once. A line that
    changes an approved year needs the writer's 报后更正 `late_reason` (the same for the whole file)."""
    errors = access_problems(ctx, actor, lines)
    if broken:
        import asyncio

        checked = line_problems(await asyncio.to_thread(ctx.ledger.check, lines, actor.username))
        found = sorted([*line_problems(broken), *errors, *checked], key=lambda e: e["line"])
        raise rejected(found)
    if errors:
        kind = "invalid" if all(e["field"] in ("by", "id") for e in errors) else "forbidden"
        raise Refused(kind, "导入被拒绝，未导入任何内容", errors)
    outcome = await ctx.submit(Submission(lines, actor.username, late_reason=late_reason))
    ctx.forget()
    if outcome.errors:
        raise rejected(line_problems(outcome.errors))
    return Imported(outcome.applied, outcome.skipped)


async def import_file(
    ctx: Context,
    actor: Actor,
    path: Path,
    filename: str,
    correct_changed: str | None = None,
    *,
    late_reason: str | None = None,
) -> Imported:
    """A .jsonl or .xlsx file, all-or-nothing through `import_lines`; every error carries `where`
    (第 N 行 for JSON Lines, `sheet!row` for a workbook). `correct_changed`: a reason, to import a workbook's
    rows changed since an earlier import as corrections of their activities (see `rows_as_corrections`)."""
    import asyncio

    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise field_problem("file", f"文件：只接受 JSON Lines（.jsonl）或导入模板（.xlsx），收到「{filename[:60]}」")
    where: dict[int, str] = {}
    lines: Lines = []
    try:
        dropped = 0
        if suffix == ".xlsx":
            lines, where = await asyncio.to_thread(workbook_lines, ctx, actor, path)
            broken: list[LineError] = []
            if correct_changed and correct_changed.strip():
                lines, dropped = rows_as_corrections(ctx, lines, correct_changed.strip())
        else:
            found, where = await asyncio.to_thread(jsonl_file_lines, path)
            lines, broken = found.lines, found.broken
        if not lines and not broken:
            message = "文件：没有任何一行" if suffix == ".jsonl" else "文件：工作簿里没有填写任何一行"
            raise field_problem("file", message, "文件是空的")
        if not lines:
            return Imported(0, dropped)
        done = await import_lines(ctx, actor, lines, broken, late_reason=late_reason)
        return Imported(done.applied, done.skipped + dropped)
    except Refused as e:
        if suffix == ".xlsx":
            explain_changed_rows(ctx, lines, e.errors)
        for err in e.errors:
            line = err.get("line")
            err["where"] = where.get(line, f"第 {line} 行") if isinstance(line, int) else "文件"
        raise


def import_template(out: Path) -> None:
    """The import template workbook (units, one sheet per kind, steps), written to `out`."""
    from ..documents.xlsx_import import template

    template().save(str(out))

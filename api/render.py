"""Human-readable renderings of reports, explanations and histories (Markdown and plain text)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.catalogue import FIRST_YEAR, KINDS, LAST_YEAR, LINE_LABELS
from domain.ledger import DEFAULT_TZ
from projections.report_model import FigureValue, Report

AS_OF_YEARS = (FIRST_YEAR, LAST_YEAR)


def as_of_problem(moment: datetime) -> str | None:
    """Why an as-of instant cannot be asked for, or None. Nothing is recorded outside these years, and the
    extremes (year 1 or 9999 with an offset) overflow when converted to UTC, which every query does."""
    first, last = AS_OF_YEARS
    if not first <= moment.year <= last:
        return f"时点：须在 {first} 年至 {last} 年之间，收到「{moment.isoformat()[:40]}」"
    return None


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}%" if unit == "%" else f"{value}{unit}"


def local_instant(iso: str, tz: str | None = None) -> str:
    """An instant as staff read it: in the ledger's time zone with its offset, to the second, e.g.
    `2026-12-01 18:05:07+08:00` — what `--as-of` takes to reproduce the report, and the form the seal prints;
    the JSON keeps the exact UTC instant."""
    zone = ZoneInfo(tz or os.environ.get("TAIZHANG_TZ") or DEFAULT_TZ)
    local = datetime.fromisoformat(iso).astimezone(zone).replace(microsecond=0)
    return local.isoformat(sep=" ")


def local_stamp(moment: str | datetime, tz: str | None = None) -> str:
    """An instant in the ledger's time zone, to the second, with its offset (`2026-12-01 18:05:07+08:00`): what
    the command line prints, and what `--as-of` reads back (a time without an offset is in the ledger's zone)."""
    zone = ZoneInfo(tz or os.environ.get("TAIZHANG_TZ") or DEFAULT_TZ)
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = value.astimezone(zone).replace(microsecond=0)
    return local.isoformat(sep=" ")


def report_markdown(report: Report, tz: str | None = None) -> str:
    units = report.units
    scope = "（含下级单位：" + "、".join(u for u in units if u != report.unit) + "）" if len(units) > 1 else ""
    lines = [
        f"# {report.unit_name} {report.year} 年法治建设工作数据{scope}",
        "",
        f"截至 {local_instant(report.as_of, tz)}（事件日志 {report.log.size} 条）",
        "",
        f"| 指标 | 编号 | {report.year} | {report.year - 1} | 来源活动 |",
        "|---|---|---:|---:|---:|",
    ]
    for fid, f in report.figures.items():
        shown, before = _fmt(f.value, f.unit), _fmt(f.previous, f.unit)
        lines.append(f"| {f.label} | `{fid}` | {shown} | {before} | {len(f.sources)} |")
    lines += ["", "## 核验 Checks", ""]
    lines += [f"- {'✓' if c.ok else '✗'} `{c.id}` {c.message}" for c in report.checks]
    return "\n".join(lines) + "\n"


def declaration_of(d: Any) -> dict[str, Any]:
    """What explain prints of the declaration it used (§8.7): unit, line id, recorded_at, by, data as given."""
    return {"unit": d.unit, "line": d.line, "recorded_at": d.recorded_at.isoformat(), "by": d.by, "data": d.data}


def declaration_text(d: dict[str, Any]) -> str:
    data = json.dumps(d["data"], ensure_ascii=False, sort_keys=False)
    return (
        f"声明 declared: 单位 unit {d['unit']}，行 line {d['line']}，录入 recorded_at {d['recorded_at']}，"
        f"录入人 by {d['by']}\n  data: {data}\n"
    )


def explain_text(figure: FigureValue, fid: str, rows: list[dict[str, Any]]) -> str:
    head = f"{figure.label}（{fid}）= {_fmt(figure.value, figure.unit)}，来源活动 {len(rows)} 项"
    out = [head]
    for r in rows:
        share = f"{r['num']}/{r['den']}" if "den" in r else str(r["num"])
        kind = KINDS[r["kind"]].label
        out.append(f"  {r['source']:<32} {r['date']}  {kind:<12} 计入 {share}")
    return "\n".join(out) + "\n"


# What each projected event type is called in a timeline (`diff`), beside the event classes' names below.
ETYPE_LABELS = {"record": "补录", "correct": "更正", "void": "作废", "step": "步骤", "void_step": "作废步骤"}

EVENT_LABELS = {
    "Recorded": "记录",
    "StepAdded": "步骤",
    "Corrected": "更正",
    "Voided": "作废",
    "StepVoided": "作废步骤",
    "EvidenceAttached": "附件",
    "EvidenceVoided": "作废附件",
}


def history_rows(events: list[Any]) -> list[dict[str, Any]]:
    """One row per event; a correction also lists each field it changed as [old, new]."""
    rows = []
    state: dict[str, Any] = {}
    for e in events:
        name = type(e).__name__
        row: dict[str, Any] = {
            "version": e.originator_version,
            "recorded_at": e.timestamp.isoformat(),
            "recorded_by": e.recorded_by,
            "line_id": getattr(e, "line_id", None),
            "event": name,
        }
        for key in ("kind", "step", "date", "data", "reason", "target", "name", "sha256", "step_id"):
            if hasattr(e, key) and getattr(e, key) is not None:
                row[key] = getattr(e, key)
        if name == "Recorded":
            state = {"date": e.date, **e.data}
        elif name == "Corrected":
            changes = {"date": e.date} if e.date else {}
            changes.update(e.data)
            row["changes"] = {k: [state.get(k), v] for k, v in changes.items() if state.get(k) != v}
            state.update(changes)
        rows.append(row)
    return rows


def value_text(field: Any, value: Any) -> str:
    """A stored value as staff read it: codes by their label, 是/否, lists joined, dates plain, 空 for nothing."""
    if value is None or value == "" or value == []:
        return "（空）"
    if field is not None and field.type == "code":
        return field.codes.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def history_text(unit: str, ref: str, rows: list[dict[str, Any]], tz: str | None = None) -> str:
    """Each event in words: labels, not codes (形式：党组会, not form='party_group'); a step and a voided step by
    their name and date; instants in the ledger's time zone `tz`, to the second."""
    out = [f"{unit} / {ref}：共 {len(rows)} 个事件"]
    kind = next((KINDS[r["kind"]] for r in rows if r.get("kind") in KINDS), None)
    fields = {f.name: f for f in kind.fields} if kind else {}
    steps: dict[str, str] = {}  # step line id → "开庭（2025-02-10）"
    for r in rows:
        what = EVENT_LABELS.get(r["event"], r["event"])
        detail = []
        spec = kind.step(r["step"]) if kind and "step" in r else None
        step_fields = {f.name: f for f in spec.fields} if spec else {}
        if "kind" in r:
            detail.append(KINDS[r["kind"]].label)
        if "step" in r:
            named = f"{spec.label if spec else r['step']}（{r.get('date', '')}）"
            steps[r.get("step_id") or r.get("line_id") or ""] = named
            detail.append(named)
        elif "date" in r and "changes" not in r:
            detail.append(f"日期：{r['date']}")
        if "changes" in r:
            detail.append(
                "，".join(
                    f"{_label(k, fields)}：{value_text(fields.get(k), old)} → {value_text(fields.get(k), new)}"
                    for k, (old, new) in r["changes"].items()
                )
            )
        elif r.get("data"):
            own = step_fields if "step" in r else fields
            detail.append("，".join(f"{_label(k, own)}：{value_text(own.get(k), v)}" for k, v in r["data"].items()))
        if "target" in r:
            detail.append(f"作废的步骤：{steps.get(r['target'], r['target'])}")
        if "sha256" in r:
            detail.append(f"{r.get('name', '')}（sha256 {r['sha256'][:12]}…）".lstrip())
        if "reason" in r:
            detail.append(f"原因：{r['reason']}")
        stamp = local_stamp(r["recorded_at"], tz)
        out.append(f"  v{r['version']} {stamp} {r['recorded_by']} {what}：" + "；".join(detail))
    return "\n".join(out) + "\n"


def _label(name: str, fields: dict[str, Any]) -> str:
    return fields[name].label if name in fields else LINE_LABELS.get(name, name)

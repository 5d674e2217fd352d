"""The activity page (`/activity`): what was recorded, its steps, corrections, voids, evidence files and history;
downloading an evidence file (`/evidence`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from domain.catalogue import KINDS, LINE_LABELS, PERSONAL_FIELDS, Kind

from ..infra.evidence import MAX_BYTES, MAX_MB
from ..services import attachments, personal, reads, writes
from ..services.refusals import Refused
from . import forms
from .auth import Caller
from .context import context
from .page_kit import file_name_problem, form_key, posted, redirect, render, server_of, texts, viewer
from .page_personal import personal_url
from .refusals import status_of

router = APIRouter()


def activity_url(unit: str, ref: str, done: str = "") -> str:
    query = {"unit": unit, "ref": ref, **({"done": done} if done else {})}
    return "/activity?" + urlencode(query)


@router.get("/activity")
def activity_page(request: Request, unit: str, ref: str) -> Response:
    caller = viewer(request)
    return _activity(request, caller, unit, ref)


def _activity(
    request: Request,
    caller: Caller,
    unit: str,
    ref: str,
    status: int = 200,
    open_form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    duplicate: bool = False,
) -> Response:
    server = server_of(request)
    found = reads.activity(context(server), caller.user, unit, ref)
    rows = reads.labelled_history(context(server), caller.user, unit, ref)
    kind = KINDS[found["kind"]]
    values = values or {}
    errors = errors or {}
    fields = {f.name: f for f in kind.fields}
    files = {e["sha256"]: str(e.get("name") or "") for e in found["evidence"]}
    current = {"date": found["date"], **forms.values_of(kind, found["data"])}
    correct_values = {**current, **values} if open_form == "correct" else current
    step_forms = []
    offered = forms.steps_to_offer(kind, found["data"], found["steps"])
    asked = kind.step(open_form[5:], found["data"]) if open_form.startswith("step:") else None
    if asked is not None and asked not in offered:
        offered.append(asked)  # the step just refused stays open with what was typed and why
    for s in offered:
        mine = open_form == f"step:{s.name}"
        fields_of = forms.step_fields(kind, s.name, found["data"])
        shown = values if mine else {"date": server.ledger.today().isoformat()}
        step_forms.append(
            {
                "step": s,
                "open": mine,
                "values": shown,
                "errors": errors if mine else {},
                "inputs": forms.inputs(fields_of, shown, errors if mine else {}),
                "duplicate": mine and duplicate,
            }
        )
    return render(
        request,
        caller,
        "activity.html",
        status,
        a=found,
        kind=kind,
        data=[(f.label, forms.display(f, found["data"].get(f.name))) for f in kind.fields],
        steps=[_step_row(kind, s) for s in found["steps"]],
        step_forms=step_forms,
        correct_inputs=forms.inputs(kind.fields, correct_values, errors if open_form == "correct" else {}),
        correct_values=correct_values,
        open_form=open_form,
        values=values,
        errors=errors,
        message=message,
        evidence=[e for e in found["evidence"] if not e.get("voided")],
        history=[_history_row(kind, fields, r, files, found["steps"]) for r in rows],
        writable=server.may_write(caller.user, unit) and not found["voided"],
        form_key=form_key(),
        unit_name=(server.ledger.unit(unit).name if server.ledger.unit(unit) else unit),  # type: ignore[union-attr]
        # The way to a petition's personal data, for those who see it (api/services/personal.py).
        personal_url=personal_url(unit, ref)
        if PERSONAL_FIELDS.get(kind.code) and personal.may_see(context(server), caller.user, unit)
        else "",
    )


def _step_row(kind: Kind, s: dict[str, Any]) -> dict[str, Any]:
    declared = kind.step(s["step"])
    label = declared.label if declared else s["step"]
    shown = [(f.label, forms.display(f, s["data"].get(f.name))) for f in (declared.fields if declared else ())]
    return {**s, "label": label, "shown": [x for x in shown if x[1] != "—"]}


def _history_row(
    kind: Kind, fields: dict[str, Any], row: dict[str, Any], files: dict[str, str], steps: list[dict[str, Any]]
) -> dict[str, Any]:
    """One event of the timeline, its values in words: old → new for a correction; a voided file by its name; a
    voided step by its name and date."""
    out = dict(row)
    if row.get("sha256") and not row.get("name"):
        out["name"] = files.get(row["sha256"], "")
    if "step" in row:
        declared = kind.step(row["step"])
        out["step_label"] = declared.label if declared else row["step"]
    elif row["event"] == "StepVoided":
        voided = next((s for s in steps if s["id"] == row.get("target")), None)
        if voided is not None:
            declared = kind.step(voided["step"])
            out["step_label"] = f"{declared.label if declared else voided['step']}（{voided['date']}）"
    if "changes" in row:
        out["changed"] = [
            (
                fields[k].label if k in fields else LINE_LABELS.get(k, k),
                forms.display(fields[k], old) if k in fields else (old or "—"),
                forms.display(fields[k], new) if k in fields else (new or "—"),
            )
            for k, (old, new) in row["changes"].items()
        ]
    elif row.get("data") and row["event"] == "Recorded":
        out["shown"] = [(fields[k].label, forms.display(fields[k], v)) for k, v in row["data"].items() if k in fields]
    elif row.get("data") and row["event"] == "StepAdded":
        declared = kind.step(row["step"])
        own = {f.name: f for f in (declared.fields if declared else ())}
        out["shown"] = [(own[k].label, forms.display(own[k], v)) for k, v in row["data"].items() if k in own]
    return out


def _version(values: dict[str, str]) -> int | None:
    text = values.get("version", "")
    return int(text) if text.isdigit() else None


async def _write(
    request: Request, caller: Caller, op: str, body: dict[str, Any], values: dict[str, str], open_form: str
) -> Response:
    """Write one line from the activity page; a refusal re-renders the page with what was typed."""
    unit, ref = body["unit"], body["ref"]
    key = values.get("form_key") or form_key()
    version = _version(values) if op in ("correct", "void") else None
    late_reason = values.get("late_reason", "").strip() or None  # 报后更正 (domain/filing.py)
    try:
        await writes.write(context(server_of(request)), caller.user, op, body, key, version, late_reason)
    except Refused as e:
        if status_of(e) == 409:
            message = "记录已被他人修改：下面是当前的记录，请核对后重新提交。"
            return _activity(request, caller, unit, ref, 409, open_form, values, {}, message)
        if status_of(e) != 422:
            raise
        names = {"date", "reason", "late_reason", *(k for k in values if k.startswith("data."))} | (
            {"step"} if op == "step" else set()
        )
        errors, rest = forms.errors_by_field(e.errors, names)
        return _activity(request, caller, unit, ref, 422, open_form, values, errors, "；".join(rest))
    done = {"step": "step", "correct": "corrected", "void": "voided"}[op]
    return redirect(activity_url(unit, ref, done))


@router.post("/activity/step")
async def add_step(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref, name = values.get("unit", ""), values.get("ref", ""), values.get("step", "")
    found = reads.activity(context(server_of(request)), caller.user, unit, ref)
    kind = KINDS[found["kind"]]
    if kind.step(name) is None:
        raise Refused("not_found", f"「{kind.label}」没有「{name}」这一步骤")
    data, errors = forms.parse(forms.step_fields(kind, name, found["data"]), values)
    if errors:
        return _activity(request, caller, unit, ref, 422, f"step:{name}", values, errors)
    day = values.get("date", "").strip()
    label = reads.same_step_on_day(found, name, day)
    if label and values.get("confirm_same") != "1":
        # A second identical step on the same day (开庭 twice on 3 March) is usually a double entry: ask first.
        warning = f"已有 {day} 的「{label}」：确是同一天的另一次{label}吗？是的话请点「仍然记录」，否则不必再记。"
        return _activity(request, caller, unit, ref, 200, f"step:{name}", values, {"step": warning}, duplicate=True)
    body: dict[str, Any] = {"unit": unit, "ref": ref, "step": name, "date": day}
    if data:
        body["data"] = data
    return await _write(request, caller, "step", body, values, f"step:{name}")


@router.post("/activity/correct")
async def correct(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref = values.get("unit", ""), values.get("ref", "")
    found = reads.activity(context(server_of(request)), caller.user, unit, ref)
    kind = KINDS[found["kind"]]
    data, errors = forms.changes(kind.fields, values, found["data"])
    day = values.get("date", "").strip()
    body: dict[str, Any] = {"unit": unit, "ref": ref, "reason": values.get("reason", "").strip()}
    if day and day != found["date"]:
        body["date"] = day
    if data:
        body["data"] = data
    if not errors and "date" not in body and not data:
        errors["date"] = "没有修改任何内容：请修改日期或某项数据后再提交更正"
    if not body["reason"]:
        errors["reason"] = "原因：更正须说明原因"
    if errors:
        return _activity(request, caller, unit, ref, 422, "correct", values, errors)
    return await _write(request, caller, "correct", body, values, "correct")


@router.post("/activity/void")
async def void(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref = values.get("unit", ""), values.get("ref", "")
    body: dict[str, Any] = {"unit": unit, "ref": ref, "reason": values.get("reason", "").strip()}
    target = values.get("target", "")
    if target:
        body["target"] = target
    open_form = f"void:{target}" if target else "void"
    if not body["reason"]:
        return _activity(request, caller, unit, ref, 422, open_form, values, {"reason": "原因：作废须说明原因"})
    return await _write(request, caller, "void", body, values, open_form)


@router.post("/activity/evidence")
async def upload(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref = values.get("unit", ""), values.get("ref", "")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _activity(request, caller, unit, ref, 422, "evidence", values, {"file": "文件：请选择要上传的文件"})
    name = Path(upload.filename).name or "upload"
    if problem := file_name_problem(name):
        return _activity(request, caller, unit, ref, 422, "evidence", values, {"file": problem})
    with tempfile.TemporaryDirectory(prefix="taizhang-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as out:
            while chunk := await upload.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    message = f"文件：不得超过 {MAX_MB} MB，「{name}」超过了上限"
                    return _activity(request, caller, unit, ref, 413, "evidence", values, {"file": message})
                out.write(chunk)
        try:
            attachments.attach(context(server_of(request)), caller.user, unit, ref, path, values.get("step_id") or None)
        except Refused as e:
            if status_of(e) != 422:
                raise
            errors = {"file": e.detail}
            return _activity(request, caller, unit, ref, 422, "evidence", values, errors)
    return redirect(activity_url(unit, ref, "attached"))


@router.post("/activity/evidence/void")
async def void_evidence(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref, sha256 = values.get("unit", ""), values.get("ref", ""), values.get("sha256", "")
    reason = values.get("reason", "").strip()
    open_form = f"evidence-void:{sha256}"
    if not reason:
        return _activity(request, caller, unit, ref, 422, open_form, values, {"reason": "原因：作废附件须说明原因"})
    try:
        attachments.detach(context(server_of(request)), caller.user, unit, ref, sha256, reason)
    except Refused as e:
        if status_of(e) != 422:
            raise
        placed, rest = forms.errors_by_field(e.errors, {"reason"})
        return _activity(request, caller, unit, ref, 422, open_form, values, placed, "；".join(rest))
    return redirect(activity_url(unit, ref, "evidence_voided"))


@router.get("/evidence")
def download(request: Request, unit: str, ref: str, sha256: str) -> Response:
    caller = viewer(request)
    path, name, media = attachments.evidence_file(context(server_of(request)), caller.user, unit, ref, sha256)
    return FileResponse(path, media_type=media, filename=name)

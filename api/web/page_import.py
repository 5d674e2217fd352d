"""The import page (导入): upload a JSON Lines file or a filled-in template workbook, applied all-or-nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from domain.access import WRITER_ROLES

from ..services import writes
from ..services.refusals import Refused
from .auth import Caller
from .context import context
from .page_kit import posted, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter()
# The whole request may be 25 MB (app.BodyLimit); the form around the file takes a little of that.
MAX_IMPORT = 25 * 1024 * 1024 - 64 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_importer(caller: Caller) -> None:
    if caller.user.role not in WRITER_ROLES:
        raise Refused("forbidden", "只有录入员和管理员可以导入")


def _page(request: Request, caller: Caller, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    units = [u for u in server.units_for(caller.user) if server.may_write(caller.user, u[0])]
    context = {
        "result": None,
        "problem": "",
        "problems": [],
        "filename": "",
        "max_bytes": MAX_IMPORT,
        "late_reason": "",
        "correct_changed": False,
        "correct_reason": "",
        **extra,
    }
    return render(request, caller, "import.html", status, units=units, **context)


@router.get("/import")
def import_form(request: Request) -> Response:
    caller = viewer(request)
    require_importer(caller)
    return _page(request, caller)


@router.post("/import")
async def import_upload(request: Request) -> Response:
    caller, form = await posted(request)
    require_importer(caller)
    upload = form.get("file")
    late = form.get("late_reason")
    late_reason = late.strip() if isinstance(late, str) and late.strip() else None  # 报后更正 (domain/filing.py)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, caller, 422, problem="文件：请选择要导入的 .jsonl 或 .xlsx 文件")
    name = Path(upload.filename).name or "upload"
    with tempfile.TemporaryDirectory(prefix="taizhang-import-") as tmp:
        path = Path(tmp) / ("upload" + Path(name).suffix.lower())
        size = 0
        with path.open("wb") as out:
            while chunk := await upload.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_IMPORT:
                    return _page(request, caller, 413, filename=name, problem=f"文件：「{name}」超过 25 MB 上限")
                out.write(chunk)
        values = texts(form)
        asked = values.get("correct_changed") == "on"
        reason = values.get("correct_reason", "").strip() if asked else None
        # What was chosen and typed beside the file comes back with any refusal (the file itself must be chosen
        # again: no browser refills a file input).
        kept = {"late_reason": late_reason or "", "correct_changed": asked, "correct_reason": reason or ""}
        if asked and not reason:
            problem = "更正原因：把改动过的行作为更正导入时须说明原因"
            return _page(request, caller, 422, filename=name, problem=problem, **kept)
        try:
            result = await writes.import_file(
                context(server_of(request)), caller.user, path, name, reason, late_reason=late_reason
            )
        except Refused as e:
            if status_of(e) not in (403, 422):
                raise
            return _page(
                request,
                caller,
                status_of(e),
                filename=name,
                problem=e.detail,
                problems=e.errors,
                **kept,
            )
    return _page(request, caller, 200, filename=name, result=result)


@router.get("/import/template")
def template(request: Request) -> Response:
    caller = viewer(request)
    require_importer(caller)
    tmp = Path(tempfile.mkdtemp(prefix="taizhang-template-"))
    out = tmp / "template.xlsx"
    writes.import_template(out)
    return FileResponse(out, media_type=XLSX, filename="台账导入模板.xlsx", background=BackgroundTask(_remove, tmp))


def _remove(tmp: Path) -> None:
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()

"""Report packages on the web: the JSON API (`/api/packages`, `/api/seals/{id}/package`) and the page 报送包
(`/packages`): upload a unit's package, see each unit on its own server with its pinned key, the log witnessed,
packages imported and refused (a possible rewrite of history is shown as such), approve a key change, and
download a seal's package to send upward. Both call api/services/packages.py."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from ..services import audit, packages
from ..services.refusals import Refused
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep
from .page_kit import posted, render, server_of, viewer
from .refusals import status_of

api = APIRouter(responses=PROBLEMS, tags=["packages"])
router = APIRouter(include_in_schema=False)
PACKAGE_TYPE = "application/zip"
MAX_PACKAGE = 25 * 1024 * 1024 - 64 * 1024  # within the app's body limit


def _download(data: bytes, unit: str, year: int) -> Response:
    name = f"{unit}-{year}.tzpkg"
    return Response(data, media_type=PACKAGE_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/api/seals/{seal_id}/package")
def export_package(seal_id: str, caller: CallerDep, server: ServerDep) -> Response:
    """The report package of a seal (zip): report JSON, DOCX, signatures, key, parts, consistency proofs."""
    ctx = context(server)
    sealed = audit.load_seal(ctx, caller.user, seal_id)
    return _download(packages.export(ctx, caller.user, seal_id), sealed.unit, sealed.year)


@api.post("/api/packages", status_code=201)
async def import_package(
    request: Request,
    caller: WriterDep,
    server: ServerDep,
    parent: Annotated[str | None, Query()] = None,
    late_reason: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """Import a package (the request body is the file): verified offline, then rolled up under `parent`
    (`late_reason`: the 报后更正 reason, when the year it rolls into is approved and locked)."""
    data = await request.body()
    got = await run_in_threadpool(packages.import_package, context(server), caller.user, data, parent, late_reason)
    return asdict(got)


@api.get("/api/packages")
def list_packages(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    """Units on their own servers: pinned key, witnessed log, packages imported and refused, key changes."""
    return [asdict(r) for r in packages.remote_units(context(server), caller.user)]


@api.post("/api/packages/{unit}/key")
def approve_key(unit: str, body: dict[str, str], caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Approve a unit's new signing key: {"key": hex, "reason": text}."""
    got = packages.approve_key(context(server), caller.user, unit, body.get("key", ""), body.get("reason", ""))
    return asdict(got)


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    ctx = context(server_of(request))
    remote = packages.remote_units(ctx, caller.user)
    seals = audit.seals(ctx, caller.user)
    units = [u for u in server_of(request).units_for(caller.user)]
    page = {"remote": remote, "seals": seals, "units": units, "result": None, "problem": "", "problems": [], **extra}
    return render(request, caller, "packages.html", status, **page)


@router.get("/packages")
def packages_page(request: Request) -> Response:
    return _page(request)


@router.get("/packages/seal/{seal_id}")
def download_page(request: Request, seal_id: str) -> Response:
    caller = viewer(request)
    ctx = context(server_of(request))
    sealed = audit.load_seal(ctx, caller.user, seal_id)
    return _download(packages.export(ctx, caller.user, seal_id), sealed.unit, sealed.year)


@router.get("/packages/{unit}/{seal_id}")
def stored_page(request: Request, unit: str, seal_id: str) -> Response:
    caller = viewer(request)
    path = packages.stored_package(context(server_of(request)), caller.user, unit, seal_id)
    return FileResponse(path, media_type=PACKAGE_TYPE, filename=f"{unit}-{seal_id}.tzpkg")


@router.post("/packages")
async def upload(request: Request) -> Response:
    caller, form = await posted(request)
    upload = form.get("file")
    parent = form.get("parent")
    late = form.get("late_reason")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 422, problem="文件：请选择要导入的报送包（.tzpkg）")
    data = await upload.read(MAX_PACKAGE + 1)
    if len(data) > MAX_PACKAGE:
        return _page(request, 413, problem="文件：报送包超过 25 MB 上限")
    ctx = context(server_of(request))
    try:
        got = await run_in_threadpool(
            packages.import_package,
            ctx,
            caller.user,
            data,
            parent if isinstance(parent, str) and parent else None,
            late if isinstance(late, str) and late else None,
        )
    except Refused as e:
        if status_of(e) not in (403, 404, 409, 422):
            raise
        return _page(request, status_of(e), problem=e.detail, problems=e.errors)
    return _page(request, 200, result=got)


@router.post("/packages/{unit}/key")
async def approve_page(request: Request, unit: str) -> Response:
    caller, form = await posted(request)
    key, reason = form.get("key"), form.get("reason")
    try:
        packages.approve_key(
            context(server_of(request)), caller.user, unit, key if isinstance(key, str) else "",
            reason if isinstance(reason, str) else "",
        )  # fmt: skip
    except Refused as e:
        if status_of(e) not in (403, 404, 409, 422):
            raise
        return _page(request, status_of(e), problem=e.detail, problems=e.errors)
    return _page(request, 200, approved=unit)

"""The writes: one POST per interchange op (DOMAIN.md §4) — /api/units, /api/records, /api/steps,
/api/corrections, /api/voids — and /api/import (a JSON Lines file, all-or-nothing)."""

# No `from __future__ import annotations` here: the op routes are built in a loop, and FastAPI must see
# their body model as an object, not as the name of a local variable.

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from domain.errors import DomainError
from domain.validation import raw_problems

from ..services import writes
from ..services.refusals import Refused, invalid
from . import schemas
from .context import context
from .deps import PROBLEMS, IdemKey, IfMatch, ServerDep, WriterDep, _version

router = APIRouter(responses=PROBLEMS)

# Each op's path and body model (the op is the line's `op`, DOMAIN.md §4).
OP_ROUTES: dict[str, tuple[str, type[BaseModel]]] = {
    "/api/units": ("unit", schemas.UnitRequest),
    "/api/records": ("record", schemas.RecordRequest),
    "/api/steps": ("step", schemas.StepRequest),
    "/api/corrections": ("correct", schemas.CorrectRequest),
    "/api/voids": ("void", schemas.VoidRequest),
}


def _op_route(path: str, op: str, model: type[BaseModel]) -> None:
    async def post(
        request: Request,
        response: Response,
        caller: WriterDep,
        server: ServerDep,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        idempotency_key: IdemKey = None,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        # The JSON encoding of the body turns NaN and Infinity into null (which in a correction clears a stored
        # value): the domain's rule on numbers is checked on the body as parsed, before that can happen.
        parsed = body.model_dump(exclude_unset=True, warnings=False)  # type: ignore[attr-defined]
        if problems := raw_problems(parsed):
            raise invalid(DomainError(*problems))
        raw = body.model_dump(mode="json", exclude_unset=True, warnings=False)  # type: ignore[attr-defined]
        late_reason = raw.pop("late_reason", None)  # a parameter of the write, not a field of the line (§4)
        written, replayed = await writes.write(
            context(server), caller.user, op, raw, idempotency_key, _version(if_match), late_reason
        )
        response.headers["ETag"] = f'"{written["version"]}"'
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return written

    post.__name__ = f"post_{path.removeprefix('/api/')}"  # operation ids as ever
    post.__doc__ = model.__doc__
    router.add_api_route(
        path, post, methods=["POST"], status_code=201, response_model=schemas.Written, tags=["write"]
    )


for _path, (_op, _model) in OP_ROUTES.items():
    _op_route(_path, _op, _model)


@router.post(
    "/api/import",
    response_model=schemas.ImportResult,
    tags=["write"],
    openapi_extra={
        "requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_jsonl(
    request: Request,
    caller: WriterDep,
    server: ServerDep,
    late_reason: Annotated[
        str | None, Query(max_length=2000, description="报后更正: why lines change a year whose report is approved.")
    ] = None,
) -> dict[str, int]:
    """A JSON Lines file (DOMAIN.md §4), applied all-or-nothing; every error listed as line, field, message."""
    # UTF-8 (with or without BOM), UTF-16 with BOM or GB18030/GBK; other bytes are kept as lone surrogates (not
    # replaced by U+FFFD and stored): the ledger refuses them naming the line and field, as on the command line.
    found = writes.jsonl_read(await request.body())
    if not found.lines and not found.broken:
        raise Refused("invalid", "文件是空的", [{"line": None, "field": "body", "message": "内容：没有任何一行"}])
    ctx = context(server)
    return (await writes.import_lines(ctx, caller.user, found.lines, found.broken, late_reason=late_reason)).to_json()

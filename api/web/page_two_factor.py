"""The page 两步验证 (`/two-factor`): the signed-in user sees whether they have a second factor and whether
their role needs one, and sets one up themselves — a new authenticator secret and one-time recovery codes,
shown once (api/services/sign_in.py). Setting up again replaces the old secret and codes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..services import sign_in
from .context import context
from .page_kit import posted, render, server_of, viewer

router = APIRouter(include_in_schema=False)


@router.get("/two-factor")
def two_factor_page(request: Request) -> Response:
    caller = viewer(request)
    ctx = context(server_of(request))
    user = ctx.ledger.user(caller.user.username) or caller.user
    return render(
        request,
        caller,
        "two_factor.html",
        enrolled=getattr(user, "second_factor", None) is not None,
        left=len(getattr(user, "recovery_codes", [])),
        required=sign_in.required(ctx, user),
        enrolment=None,
    )


@router.post("/two-factor")
async def two_factor_enroll(request: Request) -> Response:
    caller, _ = await posted(request)
    ctx = context(server_of(request))
    got = sign_in.enroll(ctx, caller.user)
    return render(
        request, caller, "two_factor.html", enrolled=True, left=len(got.recovery_codes),
        required=sign_in.required(ctx, caller.user), enrolment=got,
    )  # fmt: skip

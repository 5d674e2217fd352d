"""The page 登录策略 (`/policy`, security administrators, domain/access.py DUTIES "sign_in_policy"): which roles
must sign in with a second factor, the lockout and idle settings of the installation, and every account's
sign-in state, with removing a second factor (a lost phone and lost recovery codes) and ending a lockout early.
Everything goes through api/services/sign_in.py, as `taizhang sign-in` does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.user import ROLES

from ..services import sign_in
from ..services.refusals import Refused
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    ctx = context(server_of(request))
    accounts = sign_in.accounts(ctx, caller.user)  # refuses those without the duty
    found = sign_in.policy(ctx)
    return render(
        request,
        caller,
        "policy.html",
        status,
        policy=found,
        chosen=extra.pop("chosen", found.second_factor_roles),
        roles=ROLES,
        accounts=accounts,
        errors=extra.pop("errors", {}),
        **extra,
    )


@router.get("/policy")
def policy_page(request: Request) -> Response:
    return _page(request)


@router.post("/policy")
async def set_policy(request: Request) -> Response:
    caller, form = await posted(request)
    roles = [str(r) for r in form.getlist("roles")]
    try:
        sign_in.set_policy(context(server_of(request)), caller.user, roles)
    except Refused as e:
        if status_of(e) != 422:
            raise
        return _page(request, 422, errors={str(x["field"]): x["message"] for x in e.errors}, chosen=roles)
    return redirect("/policy?done=policy")


@router.post("/policy/remove")
async def remove_second_factor(request: Request) -> Response:
    caller, form = await posted(request)
    sign_in.remove(context(server_of(request)), caller.user, texts(form).get("username", ""))
    return redirect("/policy?done=second_factor_removed")


@router.post("/policy/unlock")
async def unlock(request: Request) -> Response:
    caller, form = await posted(request)
    sign_in.unlock(context(server_of(request)), caller.user, texts(form).get("username", ""))
    return redirect("/policy?done=unlocked")

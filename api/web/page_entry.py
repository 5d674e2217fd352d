"""Quick entry (`/entry`, `/entry/{kind}`): the kinds to choose from and a form per kind generated from the
catalogue; a recorded entry leads to its activity page (page_activity.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.catalogue import KINDS, LINE_LABELS, Kind

from ..services import writes
from ..services.refusals import Refused
from . import forms
from .auth import Caller
from .context import context
from .page_activity import activity_url
from .page_kit import form_key, pick_unit, posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter()


def kinds() -> list[tuple[str, str]]:
    return forms.kinds()


def _kind(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise Refused("not_found", f"没有「{code}」这一类活动")
    return kind


# ---- quick entry ----


@router.get("/entry")
def entry_kinds(request: Request, unit: str | None = None) -> Response:
    caller = viewer(request)
    code, _ = pick_unit(server_of(request), caller, unit, writable=True)
    return render(request, caller, "entry_kinds.html", unit=code, kinds=kinds())


@router.get("/entry/{kind}")
def entry_form(request: Request, kind: str, unit: str | None = None, date: str = "", last: str = "") -> Response:
    """A new entry of this kind; after "保存并继续录入" the same unit and date again, and a link to the last one."""
    from datetime import date as civil

    caller = viewer(request)
    server = server_of(request)
    found = _kind(kind)
    code, _ = pick_unit(server, caller, unit, writable=True)
    day = server.ledger.today()
    try:
        chosen = civil.fromisoformat(date) if date else day
    except ValueError:
        chosen = day
    chosen = chosen if chosen <= day else day
    ref = forms.suggest_ref(kind, chosen, lambda r: server.ledger.activity(code, r) is not None)
    values = {"unit": code, "ref": ref, "date": chosen.isoformat()}
    values.update({"data." + f.name: forms.as_text(f, f.default) for f in found.fields if f.default is not None})
    previous = last if last and server.ledger.activity(code, last) is not None else ""
    return _entry_page(request, caller, found, values, {}, [], form_key(), last=previous)


def _entry_page(
    request: Request,
    caller: Caller,
    kind: Kind,
    values: dict[str, str],
    errors: dict[str, str],
    rest: list[str],
    key: str,
    status: int = 200,
    last: str = "",
) -> Response:
    server = server_of(request)
    _, units = pick_unit(server, caller, values.get("unit") or None, writable=True)
    return render(
        request,
        caller,
        "entry_form.html",
        status,
        kind=kind,
        units=units,
        values=values,
        errors=errors,
        rest=rest,
        inputs=forms.inputs(kind.fields, values, errors),
        form_key=key,
        today=server.ledger.today().isoformat(),
        labels=LINE_LABELS,
        last=last,
        last_url=activity_url(values.get("unit", ""), last) if last else "",
    )


@router.post("/entry/{kind}")
async def record(request: Request, kind: str) -> Response:
    caller, form = await posted(request)
    found = _kind(kind)
    values = texts(form)
    key = values.get("form_key") or form_key()
    body, errors = forms.record_body(found, values)
    names = {"unit", "ref", "date", "late_reason", *("data." + f.name for f in found.fields)}
    late_reason = values.get("late_reason", "").strip() or None  # 报后更正 (domain/filing.py)
    if not errors:
        try:
            server = server_of(request)
            _, replayed = await writes.write(context(server), caller.user, "record", body, key, None, late_reason)
        except Refused as e:
            if status_of(e) != 422:
                raise
            errors, rest = forms.errors_by_field(e.errors, names)
            return _entry_page(request, caller, found, values, errors, rest, key, 422)
        done = "replayed" if replayed else "recorded"
        if values.get("then") == "next":  # 保存并继续录入: the same kind, unit and date, ready for the next one
            query = {"unit": body["unit"], "date": body["date"], "last": body["ref"]}
            query |= {"done": done} if replayed else {}
            return redirect(f"/entry/{found.code}?" + urlencode(query))
        return redirect(activity_url(body["unit"], body["ref"], done))
    return _entry_page(request, caller, found, values, errors, [], key, 422)

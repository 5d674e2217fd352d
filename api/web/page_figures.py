"""The figures page (DOMAIN.md §8): the figures a unit's report shows besides the built-in ones, declared on the
unit or inherited from a parent; declare a new one or edit one by choosing kind, conditions and measure from
the catalogue, with its value for the year shown before saving; every version of a declaration; retire one.

Every write is a `figure` interchange line through `services.figures` (and so `writes.write`): the checks and
their messages are those of a line in a file (§8.4), all shown at once, beside the condition they are about.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.access import may_declare
from domain.catalogue import KINDS

from ..services import figures as service
from ..services.refusals import Refused
from . import figure_form
from .context import context
from .page_kit import check_year, fmt, pick_unit, posted, redirect, render, server_of, viewer, years

router = APIRouter()

# `data.where[1].field` → the row `w1`; `data.measure.numerator[0]…` → `n0`; the rest by their key.
ROW_PATH = re.compile(r"^data\.(where|measure\.numerator)\[(\d+)\]")
TOP_KEYS = {
    "data.code": "code",
    "data.label": "label",
    "data.unit_word": "unit_word",
    "data.kind": "kind",
    "data.where": "where",
    "data.measure.type": "m.type",
    "data.measure.field": "m.field",
    "data.measure.step": "m.step",
    "data.measure.numerator": "numerator",
}


# Where on the form a key is, in the page's words: the message itself is the line's (§8.4), the same as a file
# gets, so a person and a script see one text.
PLACES = {
    "code": "编号",
    "label": "名称",
    "unit_word": "计量单位",
    "kind": "活动类别",
    "where": "条件",
    "m.type": "统计方式",
    "m.field": "求和的数值",
    "m.step": "统计方式",
    "numerator": "分子条件",
}


def _where(key: str) -> str:
    if key[:1] in ("w", "n") and key[1:].isdigit():
        return f"{'条件' if key[0] == 'w' else '分子条件'}第 {int(key[1:]) + 1} 行"
    return PLACES.get(key, "")


def place(errors: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[str]]:
    """Each error beside the input or row it names (`w1`, `n0`, `label` …), and every one in one list as
    `where · path: message`, so nothing is missed whatever the form draws."""
    beside: dict[str, list[str]] = {}
    every = []
    for e in errors:
        path, message = str(e.get("field") or ""), str(e.get("message") or "")
        m = ROW_PATH.match(path)
        key = ("w" if m.group(1) == "where" else "n") + m.group(2) if m else None
        if key is None:
            key = next((v for k, v in TOP_KEYS.items() if path == k or path.startswith(k + ".")), "")
            if not key and path.startswith("data.measure"):
                key = "m.step"
        text = f"{path}: {message}" if path else message
        every.append(f"{_where(key)} · {text}" if _where(key) else text)
        beside.setdefault(key, []).append(text)
    return beside, every


def _url(path: str, **query: Any) -> str:
    return f"{path}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


@router.get("/figures")
def listing(request: Request, unit: str | None = None, year: int | None = None) -> Response:
    caller = viewer(request)
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    year = year or server.ledger.today().year
    check_year(year)
    found = service.figures(context(server), caller.user, code, year)
    applied = [
        {
            "a": a,
            "shown": fmt(a.value, a.unit_word),
            "before": fmt(a.previous, a.unit_word),
            "words": figure_form.describe(a.data),
            "owner_name": dict((c, n) for c, n, _ in units).get(a.owner) or a.owner,
            "explain": _url("/report/figure", unit=code, year=year, figure=a.code),
            "edit": _url("/figures/edit", unit=code, code=a.code),
            "history": _url("/figures/history", unit=a.owner, code=a.code),
            "retire": _url("/figures/retire", unit=code, code=a.code),
        }
        for a in found.applied
    ]
    retired = [
        {
            "h": h,
            "words": figure_form.describe(h.current),
            "edit": _url("/figures/edit", unit=code, code=h.code),
            "history": _url("/figures/history", unit=code, code=h.code),
        }
        for h in found.own
        if not h.live
    ]
    return render(
        request,
        caller,
        "figures.html",
        unit=code,
        units=units,
        year=year,
        years=years(server),
        applied=applied,
        retired=retired,
        kinds=[(k.code, k.label) for k in KINDS.values()],
        writable=may_declare(caller.user, code, server.parent_of),  # admins declare (domain/access.py)
    )


def _editor(
    request: Request,
    caller: Any,
    unit: str,
    form: dict[str, list[str]],
    year: int,
    *,
    status: int = 200,
    errors: list[dict[str, Any]] | None = None,
    preview: Any = None,
    editing: bool = False,
) -> Response:
    server = server_of(request)
    _, units = pick_unit(server, caller, unit, writable=True)
    form = figure_form.compact(form)
    # One key per form shown: saving it twice (a double click, a resubmission) records one line.
    form.setdefault("form_key", [secrets.token_hex(12)])
    kind = KINDS.get(figure_form.one(form, "kind"))
    beside, every = place(errors or [])
    mtype = figure_form.one(form, "m.type") or "count"
    measure: dict[str, Any] = {"type": mtype, "field": figure_form.one(form, "m.field")}
    if kind is not None:
        measure["fields"] = figure_form.measure_fields(kind)
        measure["steps"] = figure_form.step_names(kind)
        step = figure_form.one(form, "m.step")
        measure["step"] = step
        (measure["step_fields"], measure["step_field_type"], measure["step_codes"], measure["step_is"]) = (
            figure_form.step_choices(kind, step, form, "m")
        )
    return render(
        request,
        caller,
        "figure_edit.html",
        status,
        unit=unit,
        unit_name=dict((c, n) for c, n, _ in units).get(unit, unit),
        year=year,
        form=form,
        one=figure_form.one,
        kind=kind,
        kinds=[(k.code, k.label) for k in KINDS.values()],
        measures=figure_form.MEASURES,
        measure=measure,
        where=figure_form.rows(kind, form, "w") if kind is not None else [],
        numerator=figure_form.rows(kind, form, "n") if kind is not None and mtype == "rate" else [],
        beside=beside,
        every=every,
        preview=preview,
        shown=(fmt(preview.value, figure_form.one(form, "unit_word")) if preview is not None else ""),
        before=(fmt(preview.previous, figure_form.one(form, "unit_word")) if preview is not None else ""),
        editing=editing,
        back=_url("/figures", unit=unit),
    )


@router.get("/figures/edit")
def edit(request: Request, unit: str, code: str = "", kind: str = "") -> Response:
    """A new declaration (`kind` chosen), or the unit's own declaration of `code` (also a retired one, to
    declare it again), or an inherited one to redeclare on this unit (§8.6: narrowing or relabelling it)."""
    caller = viewer(request)
    server = server_of(request)
    pick_unit(server, caller, unit, writable=True)
    year = server.ledger.today().year
    ctx = context(server)
    form: dict[str, list[str]] = {"unit": [unit], "kind": [kind], "m.type": ["count"]}
    editing = False
    found = service.figures(ctx, caller.user, unit, year)
    if not code and kind in KINDS:
        taken = {a.code for a in found.applied} | {h.code for h in found.own}
        form["code"] = [figure_form.suggested_code(KINDS[kind], taken)]
    if code:
        used = next((a for a in found.applied if a.code == code), None)
        own = next((h for h in found.own if h.code == code), None)
        data = own.current if own is not None else used.data if used is not None else None
        if data is None:
            raise Refused("not_found", f"单位「{unit}」没有适用的声明指标「{code}」", field="code")
        form = figure_form.form_of(data, unit)
        editing = own is not None
    preview, errors = _preview(request, caller, unit, form, year) if code else (None, [])
    return _editor(request, caller, unit, form, year, preview=preview, errors=errors, editing=editing)


def _preview(request: Request, caller: Any, unit: str, form: Any, year: int) -> tuple[Any, list[dict[str, Any]]]:
    try:
        return service.preview(context(server_of(request)), caller.user, unit, figure_form.data_of(form), year), []
    except Refused as e:
        if e.kind != "invalid":
            raise
        return None, e.errors


@router.post("/figures/edit")
async def save(request: Request) -> Response:
    caller, posted_form = await posted(request)
    form: dict[str, list[str]] = {}
    for name, value in posted_form.multi_items():
        if isinstance(value, str) and name != "csrf_token":
            form.setdefault(name, []).append(value)
    unit = figure_form.one(form, "unit")
    server = server_of(request)
    year = server.ledger.today().year
    editing = figure_form.one(form, "editing") == "1"
    if figure_form.one(form, "action") != "save":
        # 更新: the rows redrawn for the subjects chosen, and the value the definition gives now.
        preview, errors = (
            _preview(request, caller, unit, form, year) if KINDS.get(figure_form.one(form, "kind")) else (None, [])
        )
        return _editor(request, caller, unit, form, year, preview=preview, errors=errors, editing=editing)
    data = figure_form.data_of(figure_form.compact(form))
    key = figure_form.one(form, "form_key") or None
    try:
        late = figure_form.one(form, "late_reason").strip() or None  # 报后更正 (an approved year's figures change)
        _, replayed = await service.declare(context(server), caller.user, unit, data, key, late_reason=late)
    except Refused as e:
        if e.kind != "invalid":
            raise
        return _editor(request, caller, unit, form, year, status=422, errors=e.errors, editing=editing)
    return redirect(_url("/figures", unit=unit, done="replayed" if replayed else "declared"))


@router.get("/figures/history")
def history(request: Request, unit: str, code: str) -> Response:
    caller = viewer(request)
    server = server_of(request)
    _, units = pick_unit(server, caller, unit)
    found = service.history(context(server), caller.user, unit, code)
    versions = [
        {"v": v, "n": i, "words": "" if v.retired else figure_form.describe(v.data)}
        for i, v in enumerate(found.versions, start=1)
    ]
    return render(
        request,
        caller,
        "figure_history.html",
        unit=unit,
        unit_name=dict((c, n) for c, n, _ in units).get(unit, unit),
        code=code,
        found=found,
        versions=list(reversed(versions)),
        back=_url("/figures", unit=unit),
    )


@router.get("/figures/retire")
def retire_form(request: Request, unit: str, code: str) -> Response:
    caller = viewer(request)
    server = server_of(request)
    _, units = pick_unit(server, caller, unit, writable=True)
    found = service.figures(context(server), caller.user, unit, server.ledger.today().year)
    own = next((h for h in found.own if h.code == code and h.live), None)
    if own is None:
        raise Refused("not_found", f"单位「{unit}」没有生效的指标声明「{code}」（上级单位的声明只能由上级撤销）")
    return render(
        request,
        caller,
        "figure_retire.html",
        unit=unit,
        unit_name=dict((c, n) for c, n, _ in units).get(unit, unit),
        code=code,
        label=own.current.get("label", code),
        form_key=secrets.token_hex(12),
        back=_url("/figures", unit=unit),
    )


@router.post("/figures/retire")
async def retire(request: Request) -> Response:
    caller, form = await posted(request)
    unit, code = str(form.get("unit") or ""), str(form.get("code") or "")
    key = str(form.get("form_key") or "") or None
    late = str(form.get("late_reason") or "").strip() or None  # 报后更正 (an approved year's figures change)
    _, replayed = await service.retire(context(server_of(request)), caller.user, unit, code, key, late_reason=late)
    return redirect(_url("/figures", unit=unit, done="replayed" if replayed else "retired"))

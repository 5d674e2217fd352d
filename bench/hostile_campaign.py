"""Hostile campaign (issue 13): the fault campaign's last two counts, re-measured against a real server.

    .venv/bin/python -m bench.hostile_campaign            # prints the counts; exit 1 if any hole was found
    .venv/bin/python -m bench.hostile_campaign --verbose  # also every finding and every soft answer

`uvicorn api.web.main:app` in a child process on a free port, on a fresh data directory: a parent unit (city)
with two sibling units (north = A, south = B) and a user of every role (domain/user.py ROLES).

1. XSS. Hostile payloads (`<script>`, `"><img onerror>`, `javascript:` URLs, `{{7*7}}`, `</textarea>`, attribute
   breakers, full-width and bidi tricks, `=cmd|…` formulas) are written over HTTP into every text a user can
   write: each kind's `str`/`list` fields and each step's (derived from domain/catalogue.py KINDS), refs,
   correction and void reasons, unit names, user display names, report narratives (every REPORT_SECTIONS) and
   letterhead settings, filing comments and reasons, rectification issues and measures, evidence file names.
   Every payload carries its own marker. Then every GET page of the app's router list (api/web/routers.py
   PAGES; path and query parameters filled from what was written) is fetched as each role, and each HTML
   answer parsed (html.parser): a finding is a `<script>` element whose text is a payload's script, an `on*`
   attribute or a `javascript:` href/src/action carrying a marker, or `49<marker>` (a template that evaluated
   `{{7*7}}`). The XLSX and DOCX downloads are opened: no cell carrying a marker may be a formula, no DOCX
   field code may carry one.
2. Cross-unit. As the recorder and the auditor of A: every JSON route of the OpenAPI document and every page
   that takes a unit (a path or query parameter `unit`, `issuer`, `owner`, or a body field `unit`), called with
   B's and the parent's values, including B's activity refs (also under A's unit code), B's seal id, B's
   evidence digest, B's filing and package. A success is a 2xx/3xx answer to a write, or a read whose body
   carries any marker written into B. Every answer is counted by status.
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import json
import re
import sys
import tempfile
import zipfile
from collections import Counter
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from bench.http_load import Served, _settings

YEAR = 2025
DATE = "2025-03-01"
DUE = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()  # a 整改期限 is after the finding
A, B, PARENT = "north", "south", "city"
PASSWORD = "hostile campaign 1"

# {m} is the write's own marker (letters and digits only, so it survives every encoding unchanged).
PAYLOADS = (
    '<script>alert("{m}")</script>',
    '"><img src=x onerror=alert("{m}")>',
    "'><svg onload=alert('{m}')>",
    'javascript:alert("{m}")',
    "{{{{7*7}}}}{m}",
    '</textarea></title></style><script>alert("{m}")</script>',
    '" onmouseover="alert(\'{m}\')" x="',
    "\uff1cscript\uff1ealert({m})\uff1c/script\uff1e",
    '\u202e<b onclick=alert("{m}")>\u2028x',
    "=cmd|' /C calc'!A0 {m}",
    "<a href=\"javascript:alert('{m}')\">{m}</a>",
)
# Evidence file names cannot hold "/" (a path): the payloads without one.
FILE_PAYLOADS = tuple(p for p in PAYLOADS if "/" not in p)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = ("x.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
ERROR = re.compile(r'class="error[^>]*>([^<]*)')
SHORT_PAYLOADS = tuple(p for p in PAYLOADS if len(p.format(m="ZQ00000X")) <= 40)


class Campaign:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens
        self.clients = {u: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {t}"}, timeout=60)
                        for u, t in tokens.items()}  # fmt: skip
        self.counter = itertools.count(1)
        self.written: dict[str, str] = {}  # marker -> where it was written (accepted writes only)
        self.of_unit: dict[str, set[str]] = {A: set(), B: set(), PARENT: set()}  # markers of each unit's data
        self.rejected: list[str] = []
        self.refs: dict[str, list[tuple[str, str]]] = {A: [], B: []}  # unit -> (kind, ref)
        self.steps: dict[str, list[tuple[str, str]]] = {A: [], B: []}  # unit -> (ref, step id)
        self.seals: dict[str, str] = {}
        self.evidence: dict[str, tuple[str, str]] = {}  # unit -> (ref, sha256)
        self.issues: dict[str, tuple[str, str]] = {}  # owner -> (issuer, ref)

    def payload(self, i: int | None = None, pool: tuple[str, ...] = PAYLOADS) -> tuple[str, str]:
        n = next(self.counter)
        marker = f"ZQ{n:05d}X"
        return marker, pool[(n if i is None else i) % len(pool)].format(m=marker)

    def accept(self, markers: list[str], where: str, unit: str | None) -> None:
        for m in markers:
            self.written[m] = where
            if unit:
                self.of_unit[unit].add(m)

    def call(self, user: str, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.clients[user].request(method, path, **kw)


# ---- writing ----


def _value(f: Any, hostile: Any) -> Any:
    if f.type == "str":
        return hostile()
    if f.type == "list":
        return [hostile(), hostile()]
    if f.type == "code":
        return next(iter(f.codes))
    if f.type == "bool":
        return True
    if f.type in ("money", "score"):
        return "1"
    return max(f.minimum, 1)


def _fill(fields: tuple[Any, ...], hostile: Any) -> dict[str, Any]:
    """Every field of a kind or step: unconditioned ones first, then those whose condition the data meets."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.when is None:
            data[f.name] = _value(f, hostile)
    for f in fields:
        if f.when is not None and data.get(f.when[0]) in f.when[1]:
            data[f.name] = _value(f, hostile)
    return data


def _post_json(c: Campaign, user: str, path: str, body: dict[str, Any], markers: list[str], where: str,
               unit: str | None, drop: tuple[str, ...] = ()) -> httpx.Response:  # fmt: skip
    """POST with payloads; on a 422 naming data fields, drop those (optional ones the kind refuses) and retry."""
    for _ in range(4):
        r = c.call(user, "POST", path, json=body)
        if r.status_code < 300:
            c.accept([m for m in markers if m in json.dumps(body, ensure_ascii=False)], where, unit)
            return r
        if r.status_code != 422 or not isinstance(body.get("data"), dict):
            break
        named = {str(e.get("field", "")).split(".")[-1] for e in r.json().get("errors", [])}
        if not named & set(body["data"]):
            break
        body = {**body, "data": {k: v for k, v in body["data"].items() if k not in named}}
    c.rejected.append(f"{where}: {r.status_code} {r.text[:300]}")
    return r


def write_everything(c: Campaign) -> None:
    from domain.catalogue import KINDS, REPORT_SECTIONS

    # unit names (a rename of each unit, as the admin)
    for unit, parent in ((PARENT, None), (A, PARENT), (B, PARENT)):
        m, p = c.payload()
        body = {"unit": unit, "data": {"name": f"{unit} {p}", **({"parent": parent} if parent else {})}}
        _post_json(c, "admin", "/api/units", body, [m], "unit name", None)
    for unit, user in ((A, "rec-a"), (B, "rec-b")):
        for kind in KINDS.values():
            markers: list[str] = []

            def hostile(markers: list[str] = markers) -> str:
                m, p = c.payload()
                markers.append(m)
                return p

            ref = f"{kind.code}-{unit}" if len(c.refs[unit]) % 2 else f"{kind.code} {hostile()}".replace("/", "|")
            body = {"unit": unit, "kind": kind.code, "ref": ref, "date": DATE, "data": _fill(kind.fields, hostile)}
            r = _post_json(c, user, "/api/records", body, markers, f"{kind.code} fields", unit)
            if r.status_code >= 300:
                continue
            if ref.startswith(f"{kind.code} "):
                c.accept(markers[:1], "ref", unit)
            c.refs[unit].append((kind.code, ref))
            data = body["data"]
            seen: set[str] = set()
            for step in kind.steps_for(data):
                if step.name in seen or any(s in seen for s in step.not_beside):
                    continue
                markers.clear()  # the list hostile() fills
                sbody = {"unit": unit, "ref": ref, "step": step.name, "date": DATE, "data": _fill(step.fields, hostile)}
                r = _post_json(c, user, "/api/steps", sbody, markers, f"{kind.code}.{step.name} step fields", unit)
                if r.status_code < 300:
                    seen.add(step.name)
                    step_id = r.json().get("step_id") or r.json().get("id")
                    if step_id:
                        c.steps[unit].append((ref, str(step_id)))
            markers.clear()
            text = next((f for f in kind.fields if f.type == "str" and f.when is None), None)
            cbody = {"unit": unit, "ref": ref, "reason": hostile(), "data": {text.name: hostile()} if text else None}
            _post_json(c, user, "/api/corrections", cbody, markers, "correction reason and text", unit)
        # a voided activity and its reason
        m, p = c.payload()
        kind_code, ref = c.refs[unit][-1]
        _post_json(c, user, "/api/voids", {"unit": unit, "ref": ref, "reason": p}, [m], "void reason", unit)
        for ref, step_id in c.steps[unit][:2]:  # voided steps and their reasons (a step's id is its line id)
            m, p = c.payload()
            body = {"unit": unit, "ref": ref, "target": step_id, "reason": p}
            _post_json(c, user, "/api/voids", body, [m], "step void reason", unit)
        # narratives and letterhead (pages: form posts)
        for section in REPORT_SECTIONS:
            m, p = c.payload()
            r = c.call(user, "POST", "/report/narrative",
                       data={"unit": unit, "year": str(YEAR), "section": section, "text": p})  # fmt: skip
            if r.status_code < 400:
                c.accept([m], "narrative", unit)
            else:
                c.rejected.append(f"narrative {r.status_code}")
        ms = [c.payload(pool=SHORT_PAYLOADS) for _ in range(4)]  # 发文机关 and 文号: at most 40 characters
        # 发文字号 must read 代字〔年〕序号号, the 代字 without spaces: a breaker that needs none
        number = (ms[1][0], f"\"><svg/onload=alert('{ms[1][0]}')>〔{YEAR}〕1号")
        ms[1] = number
        r = c.call(user, "POST", "/report/letterhead", data={
            "unit": unit, "year": str(YEAR), "issuer": ms[0][1], "number": ms[1][1],
            "recipients": ms[2][1], "attachments": ms[3][1], "order": "2019"})  # fmt: skip
        if r.status_code < 400 and "ZQ" not in _error_text(r):
            c.accept([m for m, _ in ms], "letterhead", unit)
        else:
            c.rejected.append(f"letterhead {r.status_code} {ERROR.findall(r.text)[:3]}")
        # evidence file names, on the first activity
        ref = c.refs[unit][0][1]
        for _ in range(3):
            m, p = c.payload(pool=FILE_PAYLOADS)
            name = f"{p}.pdf"  # evidence is PDF, JPG, PNG, DOCX or XLSX
            r = c.call(user, "POST", "/activity/evidence", data={"unit": unit, "ref": ref},
                       files={"file": (name, b"%PDF-1.4\n%" + m.encode() + b"\n%%EOF\n", "application/pdf")},
                       follow_redirects=False)  # fmt: skip
            if r.status_code in (302, 303):
                c.accept([m], "evidence file name", unit)
            else:
                c.rejected.append(f"evidence {name!r}: {r.status_code} {re.findall(r'文件：[^<]*', r.text)[:1]}")
        got = c.call("admin", "GET", "/api/activity", params={"unit": unit, "ref": ref}).json()
        for e in got.get("evidence") or got.get("attachments") or []:
            if isinstance(e, dict) and e.get("sha256"):
                c.evidence[unit] = (ref, e["sha256"])
        # rectification: an issue the parent assigns, its measures by the unit
        m1, p1 = c.payload()
        m2, p2 = c.payload()
        iref = f"ISSUE-{unit}"
        r = _post_json(c, "admin", "/api/issues", {"issuer": PARENT, "ref": iref, "owner": unit,
                       "source": "supervision", "title": p1, "detail": p2, "deadline": DUE}, [m1, m2],
                       "rectification issue", unit)  # fmt: skip
        if r.status_code < 300:
            c.issues[unit] = (PARENT, iref)
            m, p = c.payload()
            _post_json(c, user, f"/api/issues/{PARENT}/{iref}/measures", {"measures": p}, [m], "measures", unit)
    # display names: accounts created over the API with hostile names
    for role, units in (("recorder", [A]), ("auditor", [B])):
        m, p = c.payload()
        body = {"username": f"x{m.lower()}", "display_name": p, "role": role, "units": units}
        _post_json(c, "admin", "/api/users", body, [m], "display name", None)
    # seals, then filings with comments and reasons (last: an approval locks the year)
    for unit in (A, B):
        r = c.call("admin", "POST", "/api/seals", json={"unit": unit, "year": YEAR})  # seals are the admins'
        if r.status_code < 300:
            c.seals[unit] = r.json()["seal"]
        m, p = c.payload()  # a unit's admin submits (here the admin, who administers every unit)
        _post_json(c, "admin", f"/api/filings/{unit}/{YEAR}/submit", {"comment": p}, [m], "filing comment", unit)
        m, p = c.payload()
        _post_json(c, "aud-parent", f"/api/filings/{unit}/{YEAR}/return", {"reason": p}, [m], "return reason", unit)
        m, p = c.payload()
        _post_json(c, "admin", f"/api/filings/{unit}/{YEAR}/submit", {"comment": p}, [m], "filing comment", unit)
    r = c.call("admin", "GET", "/api/seals")
    for s in r.json() if r.status_code == 200 else []:
        c.seals.setdefault(s["unit"], s["seal"])


def _error_text(r: httpx.Response) -> str:
    return r.text if r.status_code >= 400 else ""


# ---- reading: XSS ----


class Scan(HTMLParser):
    """Findings in one HTML answer: elements and attributes that came from a payload."""

    def __init__(self, markers: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.markers = markers
        self.found: list[str] = []
        self._script = False

    def _has(self, text: str) -> list[str]:
        return [m for m in re.findall(r"ZQ\d{5}X", text) if m in self.markers]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._script = True
        for name, value in attrs:
            v = value or ""
            if name.startswith("on") and self._has(v):
                self.found += [f"{m}: <{tag} {name}=…>" for m in self._has(v)]
            if name in ("href", "src", "action", "formaction", "xlink:href") and v.strip().lower().startswith(
                "javascript:"
            ):
                self.found += [f"{m}: <{tag} {name}=javascript:…>" for m in self._has(v)]
            if name in ("x", '"') or name.startswith("alert"):  # an attribute a breaker would have added
                self.found += [f"{m}: <{tag} {name}> (attribute broken out)" for m in self._has(v) or self._has(name)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            for m in self._has(data):
                if data.strip() in (f'alert("{m}")', f"alert('{m}')", m):
                    self.found.append(f"{m}: <script>{data.strip()}</script>")
        for m in re.findall(r"49(ZQ\d{5}X)", data):
            if m in self.markers:
                self.found.append(f"{m}: {{{{7*7}}}} evaluated")


def _scanner_finds_what_it_should() -> None:
    """The scanner, before it is trusted with 0: each way a payload can escape is found, its escaped form is not."""
    m = "ZQ99999X"
    for raw in (f'<script>alert("{m}")</script>', f'<img src=x onerror=alert("{m}")>',
                f'<a href="javascript:alert({m})">', f'<input value="" onmouseover="alert(\'{m}\')" x="">',
                f"<p>49{m}</p>"):  # fmt: skip
        scan = Scan({m})
        scan.feed(raw)
        assert scan.found, raw
        scan = Scan({m})
        scan.feed(html_escape(raw))
        assert not scan.found or "49" in raw, raw
    scan = Scan({m})
    scan.feed(f"<p>{{{{7*7}}}}{m}</p>")
    assert not scan.found


def page_routes() -> list[tuple[str, list[str], list[str]]]:
    """(path, path parameters, query parameters) of every GET page, from the app's router list."""
    from api.web.routers import PAGES

    out = []
    for router in PAGES:
        for route in router.routes:
            if "GET" in getattr(route, "methods", ()):
                dep = route.dependant  # type: ignore[attr-defined]
                out.append((route.path, [p.name for p in dep.path_params], [q.name for q in dep.query_params]))  # type: ignore[attr-defined]
    return out


def _fills(c: Campaign, path: str, pparams: list[str], qparams: list[str], unit: str) -> list[tuple[str, dict]]:
    """The URLs to fetch for one route and unit: one per activity, issue, kind… the route names."""
    from domain.catalogue import KINDS

    base: dict[str, Any] = {"unit": unit, "year": YEAR}
    variants: list[dict[str, Any]] = [{}]
    names = set(pparams) | set(qparams)
    if "ref" in names and "issuer" in names:
        variants = [{"issuer": i, "ref": r} for o, (i, r) in c.issues.items() if o == unit] or [{}]
    elif "sha256" in names:
        variants = [{"ref": c.evidence[unit][0], "sha256": c.evidence[unit][1]}] if unit in c.evidence else []
    elif "ref" in names:
        variants = [{"ref": r} for _, r in c.refs.get(unit, [])] or [{}]
    elif "kind" in names:
        variants = [{"kind": k} for k in KINDS]
    elif "seal_id" in names:
        variants = [{"seal_id": c.seals[unit]}] if c.seals.get(unit) else []
    if "format" in names:
        variants = [{**v, "format": f} for v in variants for f in ("docx", "xlsx")]
    out = []
    for v in variants:
        values = {**base, **v}
        if any(p not in values for p in pparams):
            continue  # e.g. an assessment system: none was written
        url = path
        for p in pparams:
            url = url.replace("{" + p + "}", httpx.URL("/" + str(values[p])).raw_path.decode()[1:].replace("/", "%2F"))
        query = {q: values[q] for q in qparams if q in values}
        if not qparams:
            query = {k: values[k] for k in ("unit", "year")}  # pages that read the query themselves
        out.append((url, query))
    return out


def check_download(content: bytes, markers: set[str], kind: str) -> list[str]:
    found = []
    if kind == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(content))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if isinstance(v, str) and cell.data_type == "f" and re.search(r"ZQ\d{5}X", v):
                        found.append(f"{ws.title}!{cell.coordinate}: formula {v[:60]!r}")
    else:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8", "replace")
                    for code in re.findall(r"<w:instrText[^>]*>(.*?)</w:instrText>|w:instr=\"([^\"]*)\"", xml):
                        if re.search(r"ZQ\d{5}X", "".join(code)):
                            found.append(f"{name}: field code {''.join(code)[:60]!r}")
    return found


def xss(c: Campaign, users: list[str], verbose: bool) -> dict[str, Any]:
    markers = set(c.written)
    tally: Counter[str] = Counter()
    findings: list[str] = []
    seen_markers: set[str] = set()
    for path, pparams, qparams in page_routes():
        if path in ("/logout",):
            continue
        for user in users:
            for unit in (A, B, PARENT):
                for url, query in _fills(c, path, pparams, qparams, unit):
                    r = c.call(user, "GET", url, params=query, follow_redirects=False)
                    tally["fetched"] += 1
                    tally[f"status {r.status_code // 100}xx"] += 1
                    ctype = r.headers.get("content-type", "")
                    if "html" in ctype:
                        tally["html pages"] += 1
                        tally["html pages 200"] += r.status_code == 200
                        scan = Scan(markers)
                        scan.feed(r.text)
                        scan.close()
                        seen_markers |= set(re.findall(r"ZQ\d{5}X", r.text)) & markers
                        findings += [f"{user} GET {url}?{query}: {f}" for f in scan.found]
                    elif "spreadsheet" in ctype or url.endswith("xlsx") or query.get("format") == "xlsx":
                        tally["xlsx"] += 1
                        findings += [f"{user} {url}: {f}" for f in check_download(r.content, markers, "xlsx")]
                    elif "word" in ctype or query.get("format") == "docx":
                        tally["docx"] += 1
                        findings += [f"{user} {url}: {f}" for f in check_download(r.content, markers, "docx")]
    return {"tally": tally, "findings": findings, "markers_shown": len(seen_markers), "markers": len(markers)}


# ---- cross-unit ----


def _openapi_routes(c: Campaign) -> list[tuple[str, str, list[dict], dict | None, bool]]:
    spec = c.call("admin", "GET", "/openapi.json").json()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                content = (op.get("requestBody") or {}).get("content", {})
                multipart = "multipart/form-data" in content
                body = content.get("multipart/form-data" if multipart else "application/json", {}).get("schema")
                if body and "$ref" in body:
                    body = spec["components"]["schemas"][body["$ref"].split("/")[-1]]
                out.append((method.upper(), path, op.get("parameters", []), body, multipart))
    return out


UNIT_PARAMS = ("unit", "issuer", "owner")
CREATE = ("/api/records", "/api/import", "/api/issues", "/api/issues/from-inspection")


def cross_unit(c: Campaign, verbose: bool) -> dict[str, Any]:
    b_markers = c.of_unit[B] | c.of_unit[PARENT]
    tally: Counter[str] = Counter()
    holes: list[str] = []
    soft: list[str] = []
    b_ref = next(r for k, r in c.refs[B])
    from projections.breakdown import KEY_FIGURES

    targets = []  # (label, values to put in unit-like parameters and body fields)
    for target in (B, PARENT):
        values: dict[str, Any] = {"unit": target, "issuer": target, "owner": target, "year": YEAR, "ref": b_ref,
                                  "figure": KEY_FIGURES[0], "code": "x"}  # fmt: skip
        if target in c.seals:
            values["seal_id"] = c.seals[target]
        if target in c.evidence:
            values["ref"], values["sha256"] = c.evidence[target]
        values.setdefault("sha256", c.evidence.get(B, ("", ""))[1])
        values.setdefault("seal_id", c.seals.get(B, ""))
        targets.append((target, values))
    # B's refs under A's own unit code, B's seal and evidence and issue alone
    targets.append((f"{A}+{B}'s ref", {"unit": A, "year": YEAR, "ref": b_ref,
                    "sha256": c.evidence.get(B, ("", ""))[1], "seal_id": c.seals.get(B, "")}))  # fmt: skip
    if B in c.issues:
        targets.append((f"{B}'s issue", {**targets[0][1], "issuer": c.issues[B][0], "ref": c.issues[B][1]}))

    def judge(user: str, method: str, url: str, r: httpx.Response, target: str, sent: object) -> None:
        tally["attempts"] += 1
        tally[f"status {r.status_code}"] += 1
        text = r.text if r.headers.get("content-type", "").split(";")[0] in ("application/json", "text/html") else ""
        # what the request itself carried (B's ref, echoed in "no activity with ref …") is not B's data
        echoed = set(re.findall(r"ZQ\d{5}X", json.dumps(sent, ensure_ascii=False, default=str)))
        leaked = sorted(set(re.findall(r"ZQ\d{5}X", text)) & b_markers - echoed)
        write = method != "GET"
        line = f"{user} {method} {url} [{target}] → {r.status_code}"
        if leaked:
            holes.append(f"{line}: B's data {leaked[:3]}")
            tally["succeeded"] += 1
        elif write and r.status_code < 400:
            holes.append(f"{line}: write accepted")
            tally["succeeded"] += 1
        elif r.status_code in (403, 404):
            tally["refused 403/404"] += 1
        else:
            soft.append(f"{line}: {r.text[:160]}")
            tally["answered without B's data"] += 1

    api = _openapi_routes(c)
    template = c.call("admin", "GET", "/api/assessment/template.xlsx").content  # a valid indicator workbook
    tried: set[tuple[str, str]] = set()
    for user in ("rec-a", "aud-a"):
        for method, path, params, body, multipart in api:
            names = {p["name"] for p in params}
            props = set((body or {}).get("properties", {}))
            if not (names | props) & set(UNIT_PARAMS + ("seal_id", "sha256")):
                continue
            for target, values in targets:
                url = path
                if any(p["in"] == "path" and p["name"] not in values for p in params):
                    continue
                for p in params:
                    if p["in"] == "path":
                        url = url.replace("{" + p["name"] + "}", str(values[p["name"]]))
                query = {p["name"]: values[p["name"]] for p in params if p["in"] == "query" and p["name"] in values}
                js = None
                if body is not None:
                    js = {k: values.get(k, _dummy(k, s)) for k, s in body.get("properties", {}).items()
                          if k in values or k in body.get("required", [])}  # fmt: skip
                if path == "/api/units" and js is not None:
                    js["data"] = {"name": "x", "parent": PARENT}
                if "issues" in (js or {}):
                    js["issues"] = [{"ref": "XU-2", "owner": values["unit"], "title": "x", "deadline": DUE}]
                if target.startswith(A) and (not (names | props) & {"ref", "seal_id", "sha256"} or path in CREATE):
                    continue  # A's own unit, nothing of B named (a new record under that ref is A's own)
                if multipart:
                    fields = {k: str(v) for k, v in (js or {}).items() if k != "file"}
                    upload = ("system.xlsx", template, XLSX) if path.endswith("/workbook") else PDF
                    r = c.call(user, method, url, params=query, data=fields, files={"file": upload},
                               follow_redirects=False)  # fmt: skip
                else:
                    r = c.call(user, method, url, params=query, json=js, follow_redirects=False)
                tried.add((method, path))
                judge(user, method, path, r, target, [url, query, js])
        # the pages that take a unit, GET and the form posts
        for path, pparams, qparams in page_routes():
            names = set(pparams) | set(qparams)
            if not names & set(UNIT_PARAMS + ("seal_id", "sha256")) and path not in ("/report", "/ledger"):
                continue
            for target, values in targets:
                if any(p not in values for p in pparams):
                    continue
                url = path
                for p in pparams:
                    url = url.replace("{" + p + "}", str(values[p]))
                query = {q: values[q] for q in qparams if q in values} or {"unit": values.get("unit"), "year": YEAR}
                if target.startswith(A) and not names & {"ref", "seal_id", "sha256"}:
                    continue
                r = c.call(user, "GET", url, params=query, follow_redirects=False)
                tried.add(("GET", path))
                judge(user, "GET", path, r, target, [url, query])
        for path, form in _page_writes(c):
            for target, values in targets:
                if target.startswith(A) and (not set(form) & {"ref", "sha256"} or path.startswith("/entry/")):
                    continue
                data = {k: (values.get(k, v) if k in ("unit", "ref", "sha256", "year") else v) for k, v in form.items()}
                files = {"file": PDF} if path == "/activity/evidence" else None
                r = c.call(user, "POST", path, data=data, files=files, follow_redirects=False)
                tried.add(("POST", path))
                judge(user, "POST", path, r, target, data)
    return {"tally": tally, "holes": holes, "soft": soft, "routes": len(tried), "targets": targets}


def _page_writes(c: Campaign) -> list[tuple[str, dict[str, str]]]:
    """The form posts of the pages that write into a unit's ledger, with plausible fields."""
    from api.web.routers import PAGES

    paths = {r.path for router in PAGES for r in router.routes if "POST" in getattr(r, "methods", ())}
    forms = {
        "/activity/step": {"unit": "", "ref": "", "step": "held", "date": DATE},
        "/activity/correct": {"unit": "", "ref": "", "reason": "x", "date": DATE},
        "/activity/void": {"unit": "", "ref": "", "reason": "x"},
        "/activity/evidence": {"unit": "", "ref": ""},
        "/activity/evidence/void": {"unit": "", "ref": "", "sha256": "", "reason": "x"},
        "/report/narrative": {"unit": "", "year": str(YEAR), "section": "", "text": "x"},
        "/report/letterhead": {"unit": "", "year": str(YEAR), "issuer": "x", "order": "2019"},
        "/entry/study_session": {
            "unit": "",
            "ref": "XU-1",
            "date": DATE,
            "form": "central_group",
            "topic": "x",
            "attendees": "3",
        },
        "/personal": {"unit": "", "ref": "", "name": "张三"},
        "/personal/show": {"unit": "", "ref": ""},
    }
    from domain.catalogue import REPORT_SECTIONS

    forms["/report/narrative"]["section"] = next(iter(REPORT_SECTIONS))
    return [(p, f) for p, f in forms.items() if p in paths or p.startswith("/entry/")]


def _dummy(name: str, schema: dict) -> Any:
    """A valid value for a required body field, so that a refusal is the access check, not validation."""
    known = {"date": DATE, "deadline": DUE, "due": DUE, "kind": "study_session", "step": "x", "reason": "x",
             "source": "supervision", "title": "x", "measures": "x", "summary": "x", "id": "xu-1",
             "data": {"form": "central_group", "topic": "x", "attendees": 3}}  # fmt: skip
    if name in known:
        return known[name]
    t = schema.get("type") or next((s.get("type") for s in schema.get("anyOf", []) if s.get("type") != "null"), None)
    return {"integer": YEAR if "year" in name else 1, "number": 1, "boolean": False, "array": [],
            "object": {}}.get(t or "string", "x")  # fmt: skip


# ---- set-up ----


USERS = {  # username -> (role, units)
    "admin": ("admin", []),
    "rec-a": ("recorder", [A]),
    "rec-b": ("recorder", [B]),
    "aud-a": ("auditor", [A]),
    "aud-parent": ("auditor", [PARENT]),
    "sys": ("sysadmin", []),
    "sec": ("secadmin", []),
    "audadm": ("auditadmin", []),
}


def prepare(home: Path) -> dict[str, str]:
    from api.infra.passwords import hash_password, new_token

    ledger = _settings(home).ledger()
    lines = [{"id": f"unit-{u}", "op": "unit", "unit": u, "data": {"name": u, "parent": PARENT}} for u in (A, B)]
    lines.insert(0, {"id": f"unit-{PARENT}", "op": "unit", "unit": PARENT, "data": {"name": PARENT}})
    outcome = ledger.apply(list(enumerate(lines, 1)), "campaign")
    assert outcome.ok, outcome.errors
    tokens = {}
    for name, (role, units) in USERS.items():
        ledger.register_user(name, name, role, units, hash_password(PASSWORD), "campaign")
        ledger.set_password(name, hash_password(PASSWORD), False, "campaign")
        token, digest = new_token(name)
        ledger.issue_token(name, digest, "campaign", "campaign")
        tokens[name] = token
    ledger.close()
    return tokens


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="taizhang-hostile-") as tmp:
        home = Path(tmp)
        _scanner_finds_what_it_should()
        tokens = prepare(home)
        with Served(home) as served:
            c = Campaign(served.url, tokens)
            write_everything(c)
            by_where = Counter(c.written.values())
            print(
                f"payloads written (accepted): {len(c.written)}  " + ", ".join(f"{k} {v}" for k, v in by_where.items())
            )
            print(f"writes refused: {len(c.rejected)}")
            for line in c.rejected if args.verbose else c.rejected[:10]:
                print("  refused:", line)
            x = xss(c, list(USERS), args.verbose)
            print(f"XSS: {dict(x['tally'])}; markers seen in pages {x['markers_shown']} of {x['markers']}; "
                  f"unescaped {len(x['findings'])}")  # fmt: skip
            for f in x["findings"]:
                print("  FOUND", f)
            cu = cross_unit(c, args.verbose)
            shown = ("unit", "ref", "issuer", "seal_id", "sha256")
            targets = "; ".join(
                f"{t}: " + ",".join(f"{k}={vs[k]}" for k in shown if k in vs) for t, vs in cu["targets"]
            )
            print(f"cross-unit: {cu['routes']} routes and pages; targets {targets}")
            print(f"cross-unit: {dict(cu['tally'])}")
            for h in cu["holes"]:
                print("  HOLE", h)
            for s in cu["soft"] if args.verbose else cu["soft"][:15]:
                print("  soft", s)
            return 1 if x["findings"] or cu["holes"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Assessment (法治建设考核) use-cases: a superior unit's indicator system (defined as data or imported from a
workbook), the units it assesses by category, each unit's score sheet (self-assessment with rule scores
filled in from the figures, evidence per indicator, submission), the assessor's scores and comments, return
for more evidence, final scores, the table of all units × indicators, ranking by category, drill-down to
the activities behind a rule's figure, a workbook and a bulletin.

Who may do what: the system's owner unit's writers define it, assign units, score, return and finalise; the
assessed unit's writers self-assess, add evidence and submit; readers of the unit read its sheet, readers of
the owner the whole table. A sheet is reproducible at any instant (`as_of`): its events up to then and the
figures as of then; a final sheet keeps the scores and values it was finalised with, and their digest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.access import within
from domain.assessment import (
    LEVELS,
    RULES,
    Indicator,
    IndicatorSystem,
    ScoreSheet,
    parse_system,
    sheet_id,
    system_id,
)
from domain.catalogue import FIRST_YEAR, KINDS, LAST_YEAR, YEARS_MESSAGE
from domain.errors import DomainError, FieldError
from domain.rectification import IssueBook
from domain.unit import Unit
from projections import rectification as rect_figures
from projections.assessment import Ranked, Sheet, figure_values, frozen_scores, ranking, score_sheet

from . import access_log
from .access import require_read, require_write
from .context import Actor, Context
from .refusals import Refused, field_problem, invalid


@dataclass(frozen=True)
class SystemView:
    owner: str
    code: str
    year: int
    name: str
    categories: dict[str, str]
    indicators: list[Indicator]
    assessed: dict[str, str]  # unit -> category
    version: int

    def full_score(self, category: str) -> float:
        return round(sum(i.max_for(category) for i in self.indicators if i.leaf and i.applies(category)), 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "code": self.code,
            "year": self.year,
            "name": self.name,
            "categories": self.categories,
            "full_scores": {c: self.full_score(c) for c in self.categories},
            "assessed": self.assessed,
            "version": self.version,
            "indicators": [
                {
                    "code": i.code,
                    "name": i.name,
                    "parent": i.parent,
                    "level": i.level,
                    "level_label": LEVELS[i.level],
                    "points": i.points,
                    "points_by_category": i.by_category,
                    "applies_to": list(i.applies_to),
                    "rule": i.rule,
                    "rule_label": RULES[i.rule.get("type", "judgement")],
                    "evidence": i.evidence,
                }
                for i in self.indicators
            ],
        }


@dataclass(frozen=True)
class Table:
    """The assessor's view: every assessed unit's sheet, filling progress and the ranking by category."""

    system: SystemView
    sheets: list[Sheet]
    ranking: dict[str, list[Ranked]]
    as_of: datetime | None

    def progress(self) -> dict[str, int]:
        out = {"units": len(self.sheets), "draft": 0, "submitted": 0, "returned": 0, "final": 0}
        for s in self.sheets:
            out[s.status] += 1
        return out

    def outliers(self) -> list[dict[str, Any]]:
        """Leaves where the unit's own claim and the assessor's score differ by at least half the points."""
        found = []
        for s in self.sheets:
            for line in s.lines:
                if line.leaf and line.score is not None and line.self_score is not None and line.max:
                    far = abs(line.score - line.self_score) >= line.max / 2
                    if far:
                        found.append(
                            {"unit": s.unit, "indicator": line.code, "self": line.self_score, "score": line.score}
                        )
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system.to_json(),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "progress": self.progress(),
            "outliers": self.outliers(),
            "ranking": {c: [r.__dict__ for r in rs] for c, rs in self.ranking.items()},
            "sheets": [s.to_json() for s in self.sheets],
        }


# ---- reading ----


def _found(ctx: Context, owner: str, code: str, as_of: datetime | None = None) -> IndicatorSystem:
    from eventsourcing.application import AggregateNotFoundError

    try:
        found: IndicatorSystem = ctx.ledger.repository.get(system_id(owner, code))
    except AggregateNotFoundError:
        raise Refused("not_found", f"单位「{owner}」没有编号为「{code}」的指标体系", field="system") from None
    if as_of is not None:
        found = _as_of(ctx, found.id, as_of)  # type: ignore[assignment]
        if found is None:
            raise Refused("not_found", f"{as_of.isoformat()} 时还没有指标体系「{code}」", field="as_of")
    return found


def _as_of(ctx: Context, aggregate: Any, as_of: datetime) -> Any:
    from eventsourcing.application import project_aggregate

    events = [e for e in ctx.ledger.events.get(aggregate) if e.timestamp <= as_of]
    return project_aggregate(None, events) if events else None


def _view(found: IndicatorSystem) -> SystemView:
    name, categories, indicators = found.parsed
    return SystemView(
        found.owner, found.code, found.year, name, categories, indicators, dict(found.assessed), found.version
    )


def system(ctx: Context, actor: Actor, owner: str, code: str, as_of: datetime | None = None) -> SystemView:
    found = _found(ctx, owner, code, as_of)
    if not ctx.may_read(actor, owner) and not any(ctx.may_read(actor, u) for u in found.assessed):
        raise Refused("not_found", f"单位「{owner}」没有编号为「{code}」的指标体系", field="system")
    return _view(found)


def systems(ctx: Context, actor: Actor, unit: str) -> list[SystemView]:
    """The systems the unit (or a unit above it) defined, and those assessing it or its descendants."""
    require_read(ctx, actor, unit)
    out = []
    for found in ctx.ledger.created_with(IndicatorSystem.Defined):
        if ctx.may_read(actor, found.owner) or any(_under(ctx, u, unit) for u in found.assessed):
            out.append(_view(found))
    return sorted(out, key=lambda s: (-s.year, s.owner, s.code))


def _under(ctx: Context, unit: str, ancestor: str) -> bool:
    return within(unit, (ancestor,), ctx.parent_of)


# ---- defining ----


def _figures_known(raw: Any) -> list[FieldError]:
    """Rules naming a figure the ledger does not have (read from the definition as given, so that these are
    reported together with every other problem of it)."""
    from projections.figures import BY_ID

    items = raw.get("indicators") if isinstance(raw, dict) else None
    out = []
    for n, item in enumerate(items if isinstance(items, list) else []):
        rule = item.get("rule") if isinstance(item, dict) else None
        figure = rule.get("figure") if isinstance(rule, dict) else None
        if not isinstance(figure, str) or not figure:
            continue  # reported by parse_system
        if figure not in BY_ID and figure not in rect_figures.FIGURES and not figure.startswith("local."):
            out.append(
                FieldError(
                    f"indicators[{n}].rule.figure",
                    f"数据指标：「{item.get('code')}」所依据的「{figure}」"
                    "不是台账的指标（见 taizhang reference）、声明的 local. 指标或整改指标",
                )
            )
    return out


def define(
    ctx: Context, actor: Actor, owner: str, code: str, year: int, definition: dict[str, Any], reason: str = ""
) -> SystemView:
    """Define the owner's indicator system for a year, or revise it (with a reason) while no sheet is final."""
    require_read(ctx, actor, owner)
    require_write(ctx, actor, owner)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise field_problem("year", YEARS_MESSAGE)
    unknown = _figures_known(definition)
    try:
        parse_system(definition)
    except DomainError as e:
        raise invalid(DomainError(*e.errors, *unknown)) from None
    if unknown:
        raise invalid(DomainError(*unknown))
    from eventsourcing.application import AggregateNotFoundError

    try:
        found: IndicatorSystem | None = ctx.ledger.repository.get(system_id(owner, code))
    except AggregateNotFoundError:
        found = None
    if found is None:
        found = IndicatorSystem(owner, code, year, definition, actor.username)
    else:
        if found.year != year:
            raise field_problem("year", f"年度：体系「{code}」是 {found.year} 年度的")
        if not reason.strip():
            raise field_problem("reason", "修订原因：修订已有的指标体系须说明原因")
        if any(s is not None and s.status == "final" for s in _sheets(ctx, found).values()):
            raise Refused("conflict", "已有单位定分，指标体系不能再修订")
        found.revise(definition, actor.username, reason.strip())
    ctx.ledger.save(found)
    return _view(found)


def import_workbook(
    ctx: Context, actor: Actor, owner: str, code: str, year: int, path: Path, reason: str = ""
) -> SystemView:
    """Define (or revise) the system from an xlsx workbook (api/documents/assessment_xlsx.py's layout)."""
    from ..documents.assessment_xlsx import read_system

    try:
        definition = read_system(path)
    except DomainError as e:
        raise invalid(e) from None
    return define(ctx, actor, owner, code, year, definition, reason)


def assign(ctx: Context, actor: Actor, owner: str, code: str, units: dict[str, str], reason: str = "") -> SystemView:
    """Name the units assessed and the category of each (descendants of the owner)."""
    found = _found(ctx, owner, code)
    require_write(ctx, actor, owner)
    _, categories, _ = found.parsed
    errors = []
    for unit, category in units.items():
        if ctx.ledger.unit(unit) is None:
            errors.append(FieldError(f"units.{unit}", f"单位：「{unit}」不存在"))
        elif unit == owner or not _under(ctx, unit, owner):
            errors.append(FieldError(f"units.{unit}", f"单位：「{unit}」不是「{owner}」的下级单位"))
        if category not in categories:
            errors.append(
                FieldError(f"units.{unit}", f"类别：「{category}」不是本体系的类别（{'、'.join(categories)}）")
            )
    if not units:
        errors.append(FieldError("units", "单位：至少一个"))
    if errors:
        raise invalid(DomainError(*errors))
    moved = [u for u, c in units.items() if u in found.assessed and found.assessed[u] != c]
    if moved:
        sheets = _sheets(ctx, found)
        final = [u for u in moved if (s := sheets.get(u)) is not None and s.status == "final"]
        if final:
            raise Refused("conflict", f"单位「{'」「'.join(final)}」已定分，不能再改变其类别")
    found.assign(dict(units), actor.username, reason)
    ctx.ledger.save(found)
    return _view(found)


# ---- the sheets ----


def _sheets(ctx: Context, found: IndicatorSystem, as_of: datetime | None = None) -> dict[str, ScoreSheet | None]:
    ids = {unit: sheet_id(found.owner, found.code, unit) for unit in found.assessed}
    loaded = ctx.ledger._get_many(ids.values())
    out: dict[str, ScoreSheet | None] = {}
    for unit, sid in ids.items():
        sheet = loaded.get(sid)
        if sheet is not None and as_of is not None:
            sheet = _as_of(ctx, sid, as_of)
        out[unit] = sheet  # type: ignore[assignment]
    return out


def _values(
    ctx: Context, found: IndicatorSystem, indicators: list[Indicator], units: list[str], as_of: datetime | None
) -> dict[str, dict[str, Any]]:
    """unit -> figure -> value, for the figures the rules name: built-in ones in one scan for all units;
    declared `local.` ones (DOMAIN.md §8) from each unit's report, since a declaration applies by the unit's
    chain of parents (slower: one report per unit); rectification ones from the issues."""
    wanted = {i.figure for i in indicators if i.figure}
    tz = ctx.settings.tz
    local = sorted(f for f in wanted if f.startswith("local."))

    def read(m: Any) -> dict[str, dict[str, Any]]:
        out = figure_values(m.con, found.owner, units, wanted, found.year, as_of, tz)
        for unit in units if local else []:
            figures = m.report(unit, found.year, as_of).figures
            out.setdefault(unit, {}).update({f: figures[f].value if f in figures else None for f in local})
        return out

    values: dict[str, dict[str, Any]] = ctx.read(read)
    if any(f in rect_figures.FIGURES for f in wanted):
        issues = IssueBook(ctx.ledger).all(as_of)
        day = as_of.astimezone(ctx.ledger.tz).date() if as_of else ctx.ledger.today()
        from .rectification import subtrees

        covering = subtrees(ctx, units)
        for unit in units:
            for fid, fig in rect_figures.figures(issues, covering[unit], found.year, day).items():
                values.setdefault(unit, {})[fid] = fig.value
    return values


def _check_assessed(found: IndicatorSystem, unit: str) -> str:
    category = found.assessed.get(unit)
    if category is None:
        raise Refused("not_found", f"单位「{unit}」不在指标体系「{found.code}」的考核范围内", field="unit")
    return category


def sheet(ctx: Context, actor: Actor, owner: str, code: str, unit: str, as_of: datetime | None = None) -> Sheet:
    """One unit's score sheet as it stands (rule scores from the figures now), or as it stood at `as_of`."""
    require_read(ctx, actor, unit)
    found = _found(ctx, owner, code, as_of)
    category = _check_assessed(found, unit)
    _, _, indicators = found.parsed
    sid = sheet_id(found.owner, found.code, unit)
    current = _as_of(ctx, sid, as_of) if as_of is not None else _sheet_aggregate(ctx, found, unit)
    values = _values(ctx, found, indicators, [unit], as_of)[unit]
    return score_sheet(found.code, found.owner, found.year, indicators, unit, category, current, values)


def _sheet_aggregate(ctx: Context, found: IndicatorSystem, unit: str) -> ScoreSheet | None:
    return ctx.ledger._get(sheet_id(found.owner, found.code, unit))  # type: ignore[no-any-return]


def table(ctx: Context, actor: Actor, owner: str, code: str, as_of: datetime | None = None) -> Table:
    """Every assessed unit's sheet (one scan of the figures for all of them) and the ranking by category."""
    require_read(ctx, actor, owner)
    found = _found(ctx, owner, code, as_of)
    view = _view(found)
    units = sorted(found.assessed)
    sheets = _sheets(ctx, found, as_of)
    values = _values(ctx, found, view.indicators, units, as_of)
    scored = [
        score_sheet(found.code, found.owner, found.year, view.indicators, u, found.assessed[u], sheets[u], values[u])
        for u in units
    ]
    return Table(view, scored, ranking(scored), as_of)


def drill(
    ctx: Context, actor: Actor, owner: str, code: str, unit: str, indicator: str, as_of: datetime | None = None
) -> Any:
    """The activities behind a rule-scored indicator's figure for the unit (reads.explained)."""
    from . import reads

    require_read(ctx, actor, unit)
    found = _found(ctx, owner, code, as_of)
    _check_assessed(found, unit)
    ind = _indicator(found, indicator)
    if ind.figure is None:
        raise field_problem("indicator", f"指标：「{indicator}」由评审打分，没有所依据的数据指标")
    if ind.figure in rect_figures.FIGURES:
        from . import rectification

        return rectification.issues(ctx, actor, unit, as_of)
    return reads.explained(ctx, actor, ind.figure, unit, found.year, as_of)


def _indicator(found: IndicatorSystem, code: str) -> Indicator:
    _, _, indicators = found.parsed
    for ind in indicators:
        if ind.code == code:
            return ind
    raise Refused("not_found", f"指标体系「{found.code}」没有指标「{code}」", field="indicator")


def _leaf(found: IndicatorSystem, unit: str, code: str) -> Indicator:
    ind = _indicator(found, code)
    if not ind.leaf:
        raise field_problem("indicator", f"指标：「{code}」有下级指标，请对末级指标评分")
    if not ind.applies(found.assessed[unit]):
        raise field_problem("indicator", f"指标：「{code}」不适用于「{unit}」所在类别")
    return ind


def _open_sheet(ctx: Context, actor: Actor, found: IndicatorSystem, unit: str) -> ScoreSheet:
    return _sheet_aggregate(ctx, found, unit) or ScoreSheet(found.owner, found.code, unit, actor.username)


def _unit_step(ctx: Context, actor: Actor, owner: str, code: str, unit: str) -> tuple[IndicatorSystem, ScoreSheet]:
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    found = _found(ctx, owner, code)
    _check_assessed(found, unit)
    return found, _open_sheet(ctx, actor, found, unit)


def _assessor_step(ctx: Context, actor: Actor, owner: str, code: str, unit: str) -> tuple[IndicatorSystem, ScoreSheet]:
    found = _found(ctx, owner, code)
    if not ctx.may_write(actor, owner):
        raise Refused("forbidden", f"只有考核单位「{owner}」可以评分、退回和定分")
    _check_assessed(found, unit)
    current = _sheet_aggregate(ctx, found, unit)
    if current is None:
        raise Refused("conflict", f"单位「{unit}」尚未提交评分表", field="unit")
    return found, current


def _save(ctx: Context, sheet_: ScoreSheet, step: Callable[[], None]) -> None:
    try:
        step()
    except DomainError as e:
        raise invalid(e) from None
    ctx.ledger.save(sheet_)


def _points(ind: Indicator, category: str, score: float | None, field: str) -> None:
    top = ind.max_for(category)
    if score is not None and not 0 <= score <= top:
        raise field_problem(field, f"得分：「{ind.code}」的得分须在 0 到 {top:g} 之间，收到 {score:g}")


def self_assess(
    ctx: Context, actor: Actor, owner: str, code: str, unit: str, indicator: str, score: float | None, note: str = ""
) -> Sheet:
    """The unit's own score (and note) for a judgement indicator; rule indicators fill themselves in."""
    found, current = _unit_step(ctx, actor, owner, code, unit)
    ind = _leaf(found, unit, indicator)
    if not ind.judged:
        raise field_problem("indicator", f"指标：「{indicator}」按规则由数据计分，无需自评")
    _points(ind, found.assessed[unit], score, "score")
    _save(ctx, current, lambda: current.self_assess(indicator, score, note.strip(), actor.username))
    return sheet(ctx, actor, owner, code, unit)


def add_evidence(
    ctx: Context,
    actor: Actor,
    owner: str,
    code: str,
    unit: str,
    indicator: str,
    *,
    activity: tuple[str, str] | None = None,
    path: Path | None = None,
    seal: str | None = None,
) -> Sheet:
    """Evidence for one indicator: an activity of the ledger, a file (stored by its SHA-256), or a seal."""
    found, current = _unit_step(ctx, actor, owner, code, unit)
    _leaf(found, unit, indicator)
    if sum(x is not None for x in (activity, path, seal)) != 1:
        raise field_problem("evidence", "佐证材料：给出活动、文件或封存之一")
    if activity is not None:
        a_unit, ref = activity
        require_read(ctx, actor, a_unit)
        got = ctx.ledger.activity(a_unit, ref)
        if got is None or got.voided:
            raise Refused("not_found", f"单位「{a_unit}」没有编号为「{ref}」的活动", field="activity")
        what, target, label = "activity", f"{a_unit}/{ref}", f"{KINDS[got.kind].label} {ref}"
    elif path is not None:
        try:
            stored = ctx.evidence.put(path)
        except DomainError as e:
            raise invalid(e) from None
        what, target, label = "file", stored.sha256, stored.name
    else:
        match = [s for s in ctx.ledger.seals() if str(s.id) == seal and _under(ctx, unit, s.unit)]
        if not match:
            raise Refused("not_found", f"没有本单位可用的封存「{seal}」", field="seal")
        what, target, label = "seal", str(match[0].id), f"{match[0].year} 年度封存（{match[0].unit}）"
    _save(ctx, current, lambda: current.add_evidence(indicator, what, target, label, actor.username))
    return sheet(ctx, actor, owner, code, unit)


def submit(ctx: Context, actor: Actor, owner: str, code: str, unit: str) -> Sheet:
    """Submit the self-assessment; refused, naming each indicator, while evidence asked for is missing."""
    found, current = _unit_step(ctx, actor, owner, code, unit)
    now = sheet(ctx, actor, owner, code, unit)
    missing = [line.code for line in now.lines if line.leaf and line.missing_evidence]
    _save(ctx, current, lambda: current.submit(actor.username, missing))
    return sheet(ctx, actor, owner, code, unit)


def assess(
    ctx: Context, actor: Actor, owner: str, code: str, unit: str, indicator: str, score: float | None, comment: str
) -> Sheet:
    """The assessor's score and comment for one leaf. A judgement needs a reason; so does overriding a rule's
    score (None clears an override: the rule's score stands again)."""
    found, current = _assessor_step(ctx, actor, owner, code, unit)
    ind = _leaf(found, unit, indicator)
    _points(ind, found.assessed[unit], score, "score")
    if score is not None and not comment.strip():
        what = "评审打分" if ind.judged else "调整按规则计算的得分"
        raise field_problem("comment", f"评分理由：{what}须说明理由")
    _save(ctx, current, lambda: current.assess(indicator, score, comment.strip(), actor.username))
    return sheet(ctx, actor, owner, code, unit)


def send_back(
    ctx: Context, actor: Actor, owner: str, code: str, unit: str, wanted: dict[str, str], reason: str
) -> Sheet:
    """Return the sheet to the unit for more evidence: what is wanted per indicator, and why."""
    found, current = _assessor_step(ctx, actor, owner, code, unit)
    for c in wanted:
        _leaf(found, unit, c)
    _save(ctx, current, lambda: current.send_back({c: w.strip() for c, w in wanted.items()}, reason, actor.username))
    return sheet(ctx, actor, owner, code, unit)


def finalise(ctx: Context, actor: Actor, owner: str, code: str, unit: str, reason: str = "") -> Sheet:
    """Fix the final scores: every applicable leaf must have one (the rule's, or the assessor's). The event
    keeps every score and figure value used, with their digest, so the sheet never moves afterwards."""
    found, current = _assessor_step(ctx, actor, owner, code, unit)
    now = sheet(ctx, actor, owner, code, unit)
    missing = [line.code for line in now.lines if line.leaf and line.final is None]
    if missing:
        raise invalid(
            DomainError(
                *(FieldError(f"scores.{c}", f"得分：指标「{c}」尚无得分（规则无数据时须评审打分）") for c in missing)
            )
        )
    final = _signed(ctx, owner, frozen_scores(now))
    _save(ctx, current, lambda: current.finalise(final, actor.username, reason.strip()))
    return sheet(ctx, actor, owner, code, unit)


def _signed(ctx: Context, owner: str, final: dict[str, Any]) -> dict[str, Any]:
    """The final scores signed like a seal: the owner unit's Ed25519 key over the digest of the frozen body; a
    key file that no longer matches the key registered in the log (by a seal) is refused, as sealing does."""
    from ..infra.keys import Keys

    key = ctx.keys.private(owner)
    public = Keys.public_hex(key)
    registered = ctx.ledger.signing_key(owner)
    if registered is not None and registered != public:
        raise Refused(
            "conflict",
            f"签名密钥：单位「{owner}」的密钥文件与事件日志中登记的密钥不一致，拒绝定分；请从备份恢复 keys/ 目录",
        )
    return {**final, "signature": key.sign(bytes.fromhex(final["digest"])).hex(), "public_key": public}


@dataclass(frozen=True)
class SheetCheck:
    ok: bool
    digest: str
    public_key: str
    problems: list[str]


def verify_sheet(ctx: Context, actor: Actor, owner: str, code: str, unit: str) -> SheetCheck:
    """Check a final sheet: its digest recomputed from the scores it keeps, the signature over it, and the key
    against the one the log registers for the owner (when it has sealed)."""
    import hashlib

    import orjson
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    require_read(ctx, actor, unit)
    found = _found(ctx, owner, code)
    _check_assessed(found, unit)
    current = _sheet_aggregate(ctx, found, unit)
    if current is None or current.final is None:
        raise Refused("conflict", f"单位「{unit}」的评分表尚未定分", field="unit")
    final = current.final
    body = {k: final[k] for k in ("values", "rule_scores", "scores", "total")}
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    problems = []
    if digest != final.get("digest"):
        problems.append("摘要与所存得分不一致")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(final["public_key"])).verify(
            bytes.fromhex(final["signature"]), bytes.fromhex(digest)
        )
    except (InvalidSignature, ValueError, KeyError):
        problems.append("签名无效")
    registered = ctx.ledger.signing_key(owner)
    if registered is not None and registered != final.get("public_key"):
        problems.append("签名密钥与事件日志中登记的单位密钥不一致")
    return SheetCheck(not problems, digest, str(final.get("public_key", "")), problems)


def history(ctx: Context, actor: Actor, owner: str, code: str, unit: str) -> list[dict[str, Any]]:
    """Every event of a unit's sheet: when, by whom, what, why."""
    require_read(ctx, actor, unit)
    found = _found(ctx, owner, code)
    _check_assessed(found, unit)
    out = []
    for e in ctx.ledger.events.get(sheet_id(owner, code, unit)):
        details = {k: v for k, v in e.__dict__.items() if k not in ("originator_id", "originator_version", "timestamp")}
        out.append({"event": type(e).__name__, "recorded_at": e.timestamp.isoformat(), **details})
    return out


def units_of(ctx: Context) -> dict[str, str]:
    """unit code -> name (for documents)."""
    return {u.code: u.name for u in ctx.ledger.created_with(Unit.Registered)}


def workbook(ctx: Context, actor: Actor, owner: str, code: str, out: Path, as_of: datetime | None = None) -> Table:
    """The workbook of all scores (a summary with ranks, and units × indicators per category)."""
    from ..documents.assessment_xlsx import scores_workbook

    found = table(ctx, actor, owner, code, as_of)
    scores_workbook(found, units_of(ctx), out)
    access_log.record(ctx, actor, "export", unit=owner, target=f"考核「{code}」成绩 XLSX", detail={"format": "xlsx"})
    return found


def bulletin(ctx: Context, actor: Actor, owner: str, code: str, out: Path, as_of: datetime | None = None) -> Table:
    """The bulletin (考核结果通报, DOCX): results ranked per category and the indicators most points were lost on."""
    from ..documents.assessment_docx import bulletin as write_bulletin

    found = table(ctx, actor, owner, code, as_of)
    names = units_of(ctx)
    write_bulletin(found, names, names.get(owner, owner), out)
    access_log.record(ctx, actor, "export", unit=owner, target=f"考核「{code}」通报 DOCX", detail={"format": "docx"})
    return found

"""Report packages, read side: the figures' parts a package carries (computed as of its seal), and the offline
checks a superior makes before it imports one (no database of the sending unit is needed: signatures, hashes,
parts against the sealed values, the pinned key, and an RFC 9162 consistency proof against the log it saw).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.definition import Definition, parse
from domain.errors import DomainError
from domain.package import PACKAGE_FORMAT, ReportPackage, package_manifest_payload
from domain.seal import canonical_json, seal_payload
from domain.validation import UNIT_CODE

from . import declared, merkle
from . import report as reports
from .evaluate import evaluate
from .figures import BY_ID, FIGURES, Figure
from .imported import add_imported

Parts = dict[str, list[int]]  # figure id -> [num, den, num of the year before, den of the year before]


def parts(con: duckdb.DuckDBPyConnection, unit: str, year: int, as_of: datetime, tz: str) -> Parts:
    """Numerators and denominators of every built-in figure of the report of `unit` as of `as_of` (the seal's
    instant), over the same rows the report is computed from (including units rolled up from packages)."""
    sc = reports.scope(con, unit, as_of)
    reports.materialize(con, as_of, sc.units)
    day = reports.day_of(as_of, tz)
    source = reports._as_of_source(con, as_of, sc, (), tz, day)
    totals = add_imported(con, sc.units, year, as_of, evaluate(con, f"({source})", year, sc.unit))
    out: Parts = {}
    for f in FIGURES:
        num, den, _ = totals.get((f.id, year), (0, 0, []))
        prev_num, prev_den, _ = totals.get((f.id, year - 1), (0, 0, []))
        out[f.id] = [int(num or 0), int(den or 0), int(prev_num or 0), int(prev_den or 0)]
    return out


Declared = dict[str, dict[str, Any]]  # code -> {"unit": declarer, "data": the definition as given, "parts": 4 ints}


def declared_parts(con: duckdb.DuckDBPyConnection, unit: str, year: int, as_of: datetime, tz: str) -> Declared:
    """The declared figures (DOMAIN §8) of the report of `unit` as of `as_of`: for each, the declaration used
    (its unit and its definition as given) and its parts as for a built-in figure, so that a superior declaring
    the same figure can check the definition and add the numbers (rates from the summed parts)."""
    sc = reports.scope(con, unit, as_of)
    shown = declared.applicable(declared.live(con, as_of), list(sc.chain))
    if not shown:
        return {}
    extra = tuple(d.figure() for d in shown.values())
    reports.materialize(con, as_of, sc.units)
    source = reports._as_of_source(con, as_of, sc, extra, tz, reports.day_of(as_of, tz))
    totals = add_imported(con, sc.units, year, as_of, evaluate(con, f"({source})", year, sc.unit), shown)
    out: Declared = {}
    for code, d in shown.items():
        num, den, _ = totals.get((d.fid, year), (0, 0, []))
        prev_num, prev_den, _ = totals.get((d.fid, year - 1), (0, 0, []))
        four = [int(num or 0), int(den or 0), int(prev_num or 0), int(prev_den or 0)]
        out[code] = {"unit": d.unit, "data": d.data, "parts": four}
    return out


def declared_problems(report: dict[str, Any], found: Any) -> list[tuple[str, str]]:
    """What is wrong with a package's declared figures (absent in packages made before they were carried: then
    none is rolled up): each a definition that parses, of a declared figure of the report, whose parts give
    its sealed value and previous value."""
    if found is None:
        return []
    if not isinstance(found, dict):
        return [("declared", "报送包中的自定义指标（declared）格式不对")]
    out = []
    figures = report.get("figures") if isinstance(report.get("figures"), dict) else {}
    for code, entry in found.items():
        four = entry.get("parts") if isinstance(entry, dict) else None
        if not (isinstance(four, list) and len(four) == 4 and all(type(x) is int for x in four)):
            out.append(("declared", f"自定义指标 {str(code)[:70]}：分子分母须为 4 个整数"))
            continue
        try:
            definition = parse(entry.get("data"))
        except DomainError:
            definition = None
        sealed = figures.get(code)
        if not isinstance(definition, Definition) or definition.code != code:
            out.append(("declared", f"自定义指标 {str(code)[:70]}：定义无法识别"))
        elif not isinstance(sealed, dict) or "declared" not in sealed:
            out.append(("declared", f"自定义指标 {code}：报告中没有这项自定义指标"))
        else:
            f = declared.compile_figure(definition, code)
            got = (value(f, four[0], four[1]), value(f, four[2], four[3]))
            if got != (sealed.get("value"), sealed.get("previous")):
                out.append(("declared", f"自定义指标 {code}：分子分母算不出封存的数值"))
    return out


def value(f: Figure, num: int, den: int) -> int | float | str | None:
    """A figure's value from its summed parts, as the report computes it."""
    if f.rate:
        return reports.rate(num, den)
    if f.score:
        return reports.score(num, den)
    if f.money:
        return reports.money(int(num))
    return int(num)


def unreproduced(report: dict[str, Any], found: Parts) -> list[str]:
    """Built-in figures whose sealed value or previous value the parts do not give (or that have no parts)."""
    out = []
    for f in FIGURES:
        sealed = report.get("figures", {}).get(f.id)
        if sealed is None:
            continue
        got = found.get(f.id)
        well_formed = isinstance(got, list) and len(got) == 4 and all(isinstance(x, int) for x in got)
        if not well_formed or (value(f, got[0], got[1]), value(f, got[2], got[3])) != (
            sealed.get("value"),
            sealed.get("previous"),
        ):
            out.append(f.id)
    return out


@dataclass(frozen=True)
class Witnessed:
    """What the superior already knows of a unit: its pinned key, the largest log it saw (size, root) and the
    consistency proofs that package carried (from the unit's earlier seals), for a late older package."""

    public_key: str
    size: int
    root: str
    proofs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Findings:
    """`problems`: (field, message) the package is broken or altered by (never imported); `key`: signed with a
    key other than the pinned one (needs a reviewer's approval); `rewrite`: the unit's log cannot be shown to
    have only grown since what was witnessed (refused and flagged)."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    key: str | None = None
    rewrite: list[str] = field(default_factory=list)


def _signed(public_key: str, signature: str, payload: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _hex(value: Any, length: int) -> bool:
    if not isinstance(value, str) or len(value) != length:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def check(pkg: ReportPackage, known: Witnessed | None) -> Findings:
    """Every check of a package, all at once (the caller decides: import, refuse, or flag)."""
    out = Findings()
    m, sealed = pkg.manifest, pkg.seal
    problem = out.problems.append
    if m.get("format") != PACKAGE_FORMAT:
        problem(("format", f"不是台账报送包（格式应为 {PACKAGE_FORMAT}，收到 {m.get('format')!r}）"))
        return out
    unit, year = m.get("unit"), m.get("year")
    size, root, key = sealed.get("size"), sealed.get("root"), sealed.get("public_key")
    if not isinstance(unit, str) or not re.fullmatch(UNIT_CODE, unit) or not isinstance(year, int):
        problem(("unit", "报送包缺少单位代码（小写字母、数字、连字符）或年度"))
        return out
    shape = _shape_problems(pkg.report, m.get("parts"))
    if shape:
        out.problems += shape
        return out
    if not (isinstance(size, int) and size > 0 and _hex(root, 64) and _hex(key, 64)):
        problem(("seal", "报送包中的封存缺少日志条数、Merkle 根或公钥"))
        return out
    if not _signed(key, pkg.signature, package_manifest_payload(m)) or pkg.manifest_bytes != canonical_json(m):
        problem(("signature", "报送包签名与内容不符（报送包被改动，或不是用其中公钥签名的）"))
    if hashlib.sha256(canonical_json(pkg.report)).hexdigest() != m.get("report_sha256"):
        problem(("report", "报告 JSON 与报送包清单中的哈希不符（报告被改动）"))
    payload = seal_payload(unit, year, str(sealed.get("as_of")), size, root, pkg.report)
    if not _signed(key, str(sealed.get("signature")), payload):
        problem(("seal", "封存签名与报告不符（报告或封存被改动）"))
    if hashlib.sha256(pkg.docx).hexdigest() != m.get("docx_sha256"):
        problem(("docx", "年度报告 DOCX 与报送包清单中的哈希不符（文档被改动）"))
    if (pkg.report.get("unit"), pkg.report.get("year")) != (unit, year):
        problem(("report", f"报告的单位、年度与报送包（{unit} {year}）不一致"))
    if pkg.report.get("log") != {"size": size, "root": root}:
        problem(("report", "报告中的日志条数、Merkle 根与封存不一致"))
    moved = unreproduced(pkg.report, m.get("parts") if isinstance(m.get("parts"), dict) else {})
    if moved:
        problem(("parts", f"各项指标的分子分母算不出封存的数值：{', '.join(moved[:10])}"))
    out.problems += declared_problems(pkg.report, m.get("declared"))
    if out.problems or known is None:
        return out
    if key != known.public_key:
        out.key = key
    out.rewrite = consistency_problems(size, root, m.get("proofs") or [], known)
    return out


def _shape_problems(report: dict[str, Any], found: Any) -> list[tuple[str, str]]:
    """What rolling the package up relies on: figures as objects with a list of string sources, and parts only
    of built-in figures, four integers each (a signed package is still checked: a unit's server
    must not be able to break its superior's reports)."""
    out = []
    figures = report.get("figures")
    if not isinstance(figures, dict) or not all(
        isinstance(f, dict)
        and isinstance(f.get("sources", []), list)
        and all(isinstance(x, str) for x in f.get("sources", []))
        for f in figures.values()
    ):
        out.append(("report", "报告中的 figures 格式不对（每项须为对象，sources 为字符串列表）"))
    if not isinstance(found, dict):
        return [*out, ("parts", "报送包缺少各项指标的分子分母（parts）")]
    unknown = [fid for fid in found if fid not in BY_ID]
    if unknown:
        out.append(("parts", f"分子分母中有未知的指标：{', '.join(map(str, unknown[:5]))}"))
    bad = [
        fid for fid, v in found.items() if not (isinstance(v, list) and len(v) == 4 and all(type(x) is int for x in v))
    ]
    if bad:
        out.append(("parts", f"分子分母须为 4 个整数：{', '.join(map(str, bad[:5]))}"))
    return out


def _proof_from(proofs: list[dict[str, Any]], size: int) -> dict[str, Any] | None:
    for p in proofs:
        if isinstance(p, dict) and p.get("size") == size:
            return p
    return None


def consistency_problems(size: int, root: str, proofs: list[dict[str, Any]], known: Witnessed) -> list[str]:
    """Whether the log of size `size`, root `root` and the witnessed one are the same log at two sizes (RFC 9162
    §2.1.4.2): a larger new log must carry a proof from the witnessed size; a smaller one (an older package come
    late) must have been proved consistent by the package that was witnessed."""

    def proved(m: int, first: str, n: int, second: str, p: dict[str, Any] | None) -> bool:
        if p is None or p.get("root") != first:
            return False
        try:
            path = [bytes.fromhex(h) for h in p.get("path", [])]
            return merkle.verify_consistency(m, n, path, bytes.fromhex(first), bytes.fromhex(second))
        except (ValueError, TypeError):
            return False

    if size == known.size:
        if root == known.root:
            return []
        return [f"日志同为 {size} 条，Merkle 根却与上次报送的 {known.root[:16]}… 不同：日志被改写"]
    if size > known.size:
        p = _proof_from(proofs, known.size)
        if p is None:
            return [f"报送包没有从上次报送的 {known.size} 条到 {size} 条的一致性证明，无法证明日志只增未改"]
        if not proved(known.size, known.root, size, root, p):
            return [f"一致性证明不成立：{size} 条的日志不是上次报送的 {known.size} 条日志的延续（历史可能被改写）"]
        return []
    p = _proof_from(known.proofs, size)
    if not proved(size, root, known.size, known.root, p):
        return [f"这份报送包的日志（{size} 条）不是已报送的 {known.size} 条日志的前缀（历史可能被改写）"]
    return []

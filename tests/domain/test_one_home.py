"""One home per fact: a statutory period, the year range, the evidence limit, the unknown-unit message, the
role lists and the figure subsets are declared once; everywhere else takes them from there. This scans the
product's source (domain/, projections/, api/) for the facts typed again as literals: in SQL (`date + 15`,
`- date > 30`, `to_months(3)`), in messages (`15日`, `3个月`, `20 MB`, `2000–2100`, `单位「…」不存在`), as numbers
(2100, 20 * 1024 * 1024), as tuples of role names or of figure ids, or as the unit-code and user-name patterns.
Docstrings and comments may cite the statute's numbers."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from domain import deadlines
from domain.access import AUDITOR_ROLES, WRITER_ROLES
from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.user import ROLES, USERNAME
from domain.validation import UNIT_CODE
from projections.figures import BY_ID

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "api")

PERIODS = {
    deadlines.PETITION_ACK_DAYS,
    deadlines.PETITION_CONCLUDE_DAYS,
    deadlines.PETITION_MAX_EXTENSION,
    deadlines.DISCLOSURE_WORKING_DAYS,
    deadlines.PENALTY_DECISION_DAYS,
    deadlines.LATE_ENTRY_DAYS,
    *(days for days, _ in deadlines.LETTER_REPLY_PERIODS.values() if days),
}
MONTHS = {
    deadlines.PROPOSAL_MONTHS,
    deadlines.PROPOSAL_COMPLEX_MONTHS,
    *(months for _, months in deadlines.LETTER_REPLY_PERIODS.values() if months),
}
_NUM = r"(?<![\d.])(\d+)(?![\d.])"
# (what the fact is, its home, a pattern over a string literal's text whose group 1 is the number, the numbers)
TEXT_FACTS: tuple[tuple[str, str, re.Pattern[str], set[int]], ...] = (
    ("a statutory period in days (SQL)", "domain/deadlines.py", re.compile(rf"\bdate\s*[+-]\s*{_NUM}"), PERIODS),
    ("a statutory period in days (SQL)", "domain/deadlines.py", re.compile(rf"-\s*date\s*>=?\s*{_NUM}"), PERIODS),
    ("a statutory period in days (SQL)", "domain/deadlines.py", re.compile(rf"CAST\(\s*{_NUM}\s*\+"), PERIODS),
    ("a statutory period in months (SQL)", "domain/deadlines.py", re.compile(rf"to_months\(\s*{_NUM}\s*\)"), MONTHS),
    ("a statutory period in days (text)", "domain/deadlines.py", re.compile(rf"{_NUM}\s*(?:个工作日|日|天)"), PERIODS),
    ("a statutory period in months (text)", "domain/deadlines.py", re.compile(rf"{_NUM}\s*个月"), MONTHS),
    ("the year range", "domain/catalogue.py", re.compile(rf"{_NUM}\s*[–-]\s*{LAST_YEAR}"), {FIRST_YEAR}),
    ("the evidence file limit", "api/infra/evidence.py", re.compile(rf"{_NUM}\s*MB"), {20}),
)
UNKNOWN_UNIT = re.compile(r"单位「.*」不存在")
PATTERNS = {
    UNIT_CODE: ("the unit-code pattern", "domain/validation.py"),
    USERNAME.pattern: ("the user-name pattern", "domain/user.py"),
}
UNKNOWN_UNIT_HOME = "domain/errors.py"
ROLE_HOMES = {"domain/user.py", "domain/access.py"}
NUMBER_HOMES = {LAST_YEAR: "domain/catalogue.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal (an f-string as its literal parts joined, `{}` where a value goes), docstrings aside."""
    skip = _docstrings(tree)
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                inner.add(id(v))
                parts.append(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip | inner:
            yield node.lineno, node.value


def problems(rel: str, source: str) -> list[str]:
    """Each fact of this module typed again outside its home, as `path:line: what`."""
    tree = ast.parse(source)
    found: list[str] = []
    for line, text in _texts(tree):
        for what, home, pattern, numbers in TEXT_FACTS:
            if rel == home:
                continue
            for m in pattern.finditer(text):
                if int(m.group(1)) in numbers:
                    found.append(f"{rel}:{line}: {what} typed as «{m.group(0)}»; take it from {home}")
        what, home = PATTERNS.get(text, ("", rel))
        if rel != home:
            found.append(f"{rel}:{line}: {what} typed again; take it from {home}")
        if rel != UNKNOWN_UNIT_HOME and UNKNOWN_UNIT.search(text):
            found.append(f"{rel}:{line}: the unknown-unit message typed again; use {UNKNOWN_UNIT_HOME} unknown_unit")
    for node in ast.walk(tree):
        number = node.value if isinstance(node, ast.Constant) and type(node.value) is int else None
        if number in NUMBER_HOMES and rel != NUMBER_HOMES[number]:
            found.append(f"{rel}:{node.lineno}: {number} typed again; take it from {NUMBER_HOMES[number]}")
        limit = isinstance(node, ast.BinOp) and ast.unparse(node) == "20 * 1024 * 1024"
        if limit and rel != "api/infra/evidence.py":
            found.append(f"{rel}:{node.lineno}: the evidence file limit typed again; take api/infra/evidence.py's")
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and rel not in ROLE_HOMES and len(node.elts) >= 2:
            names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(names) == len(node.elts) and set(names) <= set(ROLES):
                found.append(f"{rel}:{node.lineno}: a list of roles typed again; use domain/access.py's")
            subset = len(names) >= 3 and len(names) == len(node.elts) and set(names) <= set(BY_ID)
            if subset and rel != "projections/figures.py":
                found.append(f"{rel}:{node.lineno}: a subset of figures listed outside projections/figures.py")
    return found


def _sources() -> Iterator[tuple[str, str]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def template_problems(rel: str, text: str) -> list[str]:
    """A page template's own text (outside `{{ … }}` and `{% … %}`) typing a statutory period, the evidence
limit or the earliest date (the pages get them as globals: api/web/page_kit.py)."""
    plain = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "{}", text, flags=re.S)
    found = [
        f"{rel}:{plain[: m.start()].count(chr(10)) + 1}: «{m.group(0)}» typed in a page; pass it from {home}"
        for literal, home in ((str(20 * 1024 * 1024), "api/infra/evidence.py"), (f"{FIRST_YEAR}-01-01", "domain"))
        for m in re.finditer(re.escape(literal), plain)
    ]
    for what, home, pattern, numbers in TEXT_FACTS:
        for m in pattern.finditer(plain):
            if ("text" in what or "MB" in m.group(0)) and int(m.group(1)) in numbers:
                line = plain[: m.start()].count("\n") + 1
                found.append(f"{rel}:{line}: {what} typed as «{m.group(0)}»; pass it from {home}")
    return found


def test_every_fact_has_one_home() -> None:
    found = [p for rel, source in _sources() for p in problems(rel, source)]
    for path in sorted((ROOT / "api").rglob("*.html")):
        found += template_problems(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    assert not found, "\n".join(found)


def test_the_scan_finds_a_fact_typed_again() -> None:
    """The scan is not vacuous: each kind of repetition it looks for, written outside its home, is reported."""
    typed_again = '''
def overdue(con):
    return year <= 2100 and con.execute("SELECT ref FROM A WHERE $today > date + 15")

ACK = f"超过15日未记录受理告知的信访 {n} 件"
LATE = "SELECT oid FROM A WHERE CAST(timezone('x', first_recorded_at) AS DATE) - date > 30"
PROPOSAL = "$today > date + to_months(CASE WHEN complex THEN 6 ELSE to_months(3) END)"
YEARS = "年度：须在 2000–2100 之间"
LIMIT = 20 * 1024 * 1024
TOO_BIG = f"文件：不得超过 20 MB，「{name}」超过了上限"
NO_UNIT = f"单位「{unit}」不存在"
MAY_ENTER = role in ("recorder", "admin")
NAME = PydField(pattern=r"^[a-z0-9][a-z0-9_.-]{1,31}$")
SHOWN = ("study.sessions", "petition.received", "case.handled")
'''
    found = "\n".join(problems("api/example.py", typed_again))
    for expected in (
        ":3: a statutory period in days (SQL) typed as «date + 15»",
        ":3: 2100 typed again",
        ":5: a statutory period in days (text) typed as «15日»",
        ":6: a statutory period in days (SQL) typed as «- date > 30»",
        ":7: a statutory period in months (SQL) typed as «to_months(3)»",
        ":8: the year range typed as «2000–2100»",
        ":9: the evidence file limit typed again",
        ":10: the evidence file limit typed as «20 MB»",
        ":11: the unknown-unit message typed again",
        ":12: a list of roles typed again",
        ":13: the user-name pattern typed again",
        ":14: a subset of figures listed outside projections/figures.py",
    ):
        assert expected in found, (expected, found)
    page = '<h2>{{ late_label }}（发生 30 日后才录入）</h2>\n<p>{{ n }} 日</p>\n<input data-max-bytes="20971520">'
    assert [p.split(": ", 1)[1] for p in template_problems("x.html", page)] == [
        "«20971520» typed in a page; pass it from api/infra/evidence.py",
        "a statutory period in days (text) typed as «30 日»; pass it from domain/deadlines.py",
    ]
    # The same text in its home, or in a docstring, is the declaration or a citation, not a repetition.
    assert problems("domain/deadlines.py", 'ACK = f"超过15日未记录"') == []
    assert problems("api/example.py", 'def f():\n    """Due 15日 after receipt (信访工作条例 §24)."""\n') == []


def test_the_roles_that_write_and_audit_are_roles() -> None:
    assert set(WRITER_ROLES) <= set(ROLES) and set(AUDITOR_ROLES) <= set(ROLES)

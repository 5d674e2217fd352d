"""How a unit issues its year report: the 版头 (红头: 发文机关标志 and 发文字号), the 主送机关 and the
attachments named in the 附件说明 (GB/T 9704-2012 7.2, 7.3.1, 7.3.4). The unit's choice, kept as events beside
its narratives (narrative.py), so every change has an author and a history like everything else in the ledger.

One aggregate per unit and year, as the 发文字号 is the year's own; a year with no settings of its own takes
the latest earlier year's 发文机关标志, 主送机关 and attachments, without its 发文字号 (see Ledger.report_settings).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError, FieldError
from .ids import NAMESPACE
from .validation import text_problem

LABELS = {
    "issuer": "发文机关标志",
    "number": "发文字号",
    "recipients": "主送机关",
    "verification": "附数据核验表",
    "attachments": "其他附件",
    "order": "章节顺序",
}
# The report's sections (REPORT_SECTIONS codes) in each order a unit may choose. "2019": the order of 《法治政府
# 建设与责任落实督察工作规定》(2019) 第二十五条, the default. "2025": the later model reports' order, 第一责任人
# first and 接受人大监督和政协民主监督 as a section of its own (SUPERVISION: written from the figures).
SUPERVISION = "supervision"
SUPERVISION_LABEL = "自觉接受人大监督和政协民主监督情况"
ORDERS: dict[str, tuple[str, ...]] = {
    "2019": ("measures", "shortcomings", "leadership", "plans", "other"),
    "2025": ("leadership", "measures", SUPERVISION, "shortcomings", "plans", "other"),
}
ORDER_LABELS = {
    "2019": "按2019年督察工作规定（主要举措在前）",
    "2025": "第一责任人履职在前，单列接受人大和政协监督",
}
MAX_CHARS = {"issuer": 40, "number": 40, "recipients": 200}
MAX_ATTACHMENTS, MAX_ATTACHMENT_CHARS = 10, 60
# 发文字号: 机关代字 + 年份 in 六角括号 + 序号 + 号 (GB/T 9704 7.2.4: 〔2025〕, not [2025] or (2025)).
NUMBER = re.compile(r"^(?P<code>[^\s〔〕]+?)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")
_BRACKETS = re.compile(r"[\[［(（【](\d{4})[\]］)）】]")


@dataclass(frozen=True)
class DocumentSettings:
    issuer: str = ""  # e.g. 光华区城市更新中心文件; empty: no 红头
    number: str = ""  # e.g. 卫城更〔2025〕33号; written under the 发文机关标志
    recipients: str = ""  # e.g. 光华区人民政府; empty: no 主送机关 line
    verification: bool = True  # attach the 数据核验表 (plain words, for a superior)
    attachments: tuple[str, ...] = ()  # documents sent with the report, named after the generated ones
    order: str = "2019"  # a key of ORDERS

    def values(self) -> dict[str, Any]:
        return {**asdict(self), "attachments": list(self.attachments)}


def settings_id(unit: str, year: int) -> UUID:
    return uuid5(NAMESPACE, f"report-settings/{unit}/{year}")


def _text(errors: list[FieldError], name: str, value: Any) -> str:
    label = LABELS[name]
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(name, f"{label}：须为文字"))
        return ""
    text = " ".join(value.split())
    if problem := text_problem(text):
        errors.append(FieldError(name, f"{label}：{problem}"))
    elif len(text) > MAX_CHARS[name]:
        errors.append(FieldError(name, f"{label}：不得超过 {MAX_CHARS[name]} 字，收到 {len(text)} 字"))
    return text


def check(values: dict[str, Any], year: int) -> DocumentSettings:
    """The settings from what a person typed, every problem at once (DomainError naming each field).
    A 发文字号 with its year in [] or () is written with 〔〕; its year must be the report's."""
    errors: list[FieldError] = []
    unknown = sorted(set(values) - set(LABELS))
    if unknown:
        errors.append(FieldError(unknown[0], f"未知设置「{unknown[0]}」，可选：{'、'.join(LABELS)}"))
    issuer = _text(errors, "issuer", values.get("issuer"))
    recipients = _text(errors, "recipients", values.get("recipients"))
    number = _BRACKETS.sub(r"〔\1〕", _text(errors, "number", values.get("number")).replace(" ", ""))
    if number:
        found = NUMBER.match(number)
        if found is None:
            errors.append(
                FieldError(
                    "number", f"发文字号：须为“机关代字〔年份〕序号号”，如 卫城更〔{year}〕33号，收到「{number}」"
                )  # noqa: E501
            )
        elif int(found["year"]) != year:
            errors.append(FieldError("number", f"发文字号：年份应为 {year}（本报告的年度），收到 {found['year']}"))
    verification = values.get("verification", True)
    if not isinstance(verification, bool):
        errors.append(FieldError("verification", "附数据核验表：须为 是/否"))
        verification = True
    raw = values.get("attachments") or []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list | tuple) or not all(isinstance(a, str) for a in raw):
        errors.append(FieldError("attachments", "其他附件：须为附件名称的列表（每行一个）"))
        raw = []
    names = tuple(" ".join(a.split()) for a in raw if a.strip())
    if len(names) > MAX_ATTACHMENTS:
        errors.append(FieldError("attachments", f"其他附件：最多 {MAX_ATTACHMENTS} 个，收到 {len(names)} 个"))
    for n in names:
        if problem := text_problem(n):
            errors.append(FieldError("attachments", f"其他附件：{problem}"))
        elif len(n) > MAX_ATTACHMENT_CHARS:
            too_long = f"其他附件：每个名称不得超过 {MAX_ATTACHMENT_CHARS} 字，收到 {len(n)} 字"
            errors.append(FieldError("attachments", too_long))
    order = values.get("order") or "2019"
    if order not in ORDERS:
        choices = "、".join(f"{k}（{v}）" for k, v in ORDER_LABELS.items())
        errors.append(FieldError("order", f"章节顺序：可选 {choices}，收到「{order}」"))
    if errors:
        raise DomainError(*errors)
    return DocumentSettings(issuer, number, recipients, verification, names, order)


def carried_over(previous: DocumentSettings) -> DocumentSettings:
    """What a new year starts from: last year's choices without last year's 发文字号."""
    return replace(previous, number="")


def from_values(values: dict[str, Any]) -> DocumentSettings:
    return DocumentSettings(**{**values, "attachments": tuple(values.get("attachments") or ())})


class ReportSettings(Aggregate):
    @event("Written")
    def __init__(self, unit: str, year: int, values: dict[str, Any], recorded_by: str) -> None:
        self.unit = unit
        self.year = year
        self.values = values

    @staticmethod
    def create_id(unit: str, year: int) -> UUID:
        return settings_id(unit, year)

    @event("Rewritten")
    def rewrite(self, values: dict[str, Any], recorded_by: str) -> None:
        self.values = values

    @property
    def settings(self) -> DocumentSettings:
        return from_values(self.values)

"""Narrative text a unit writes for a section of its annual report: the judgement figures cannot supply.
Every version is an event, so the text has a history like everything else in the ledger."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .catalogue import REPORT_SECTIONS
from .errors import DomainError
from .ids import NAMESPACE
from .validation import text_problem

MAX_CHARS = 20_000


def narrative_id(unit: str, year: int, section: str) -> UUID:
    return uuid5(NAMESPACE, f"narrative/{unit}/{year}/{section}")


def check(section: str, text: str) -> str:
    if section not in REPORT_SECTIONS:
        codes = "、".join(f"{c}（{label}）" for c, label in REPORT_SECTIONS.items())
        raise DomainError.of("section", f"章节：未知章节「{section}」，可选：{codes}")
    text = text.strip()
    if not text:
        raise DomainError.of("text", "正文：不能为空")
    if problem := text_problem(text):
        raise DomainError.of("text", f"正文：{problem}")
    if len(text) > MAX_CHARS:
        raise DomainError.of("text", f"正文：不得超过 {MAX_CHARS:,} 字，收到 {len(text):,} 字")
    return text


class Narrative(Aggregate):
    @event("Written")
    def __init__(self, unit: str, year: int, section: str, text: str, recorded_by: str) -> None:
        self.unit = unit
        self.year = year
        self.section = section
        self.text = text

    @staticmethod
    def create_id(unit: str, year: int, section: str) -> UUID:
        return narrative_id(unit, year, section)

    @event("Rewritten")
    def rewrite(self, text: str, recorded_by: str) -> None:
        self.text = text

"""What a use-case works with (`Context`) and on whose behalf (`Actor`), and how a command-line user is decided."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from domain.access import ParentOf, may_audit, may_read, may_write
from domain.ledger import Ledger, Outcome, Submission
from projections.readmodel import ReadModel

from ..infra.evidence import EvidenceStore
from ..infra.keys import Keys
from ..infra.settings import Settings
from .refusals import Refused

T = TypeVar("T")


class Actor(Protocol):
    """Who is acting: a ledger user (domain/user.py) or, on a ledger without users, `Unrestricted`."""

    username: str
    role: str
    units: list[str]
    disabled: bool


@dataclass(frozen=True)
class Unrestricted:
    """The command-line user of a ledger that has no users yet: as before users existed, anyone with the data
    directory may do anything, and lines may name who recorded them (`by`)."""

    username: str
    role: str = "admin"
    units: list[str] = field(default_factory=list)
    disabled: bool = False


@dataclass
class Context:
    settings: Settings
    ledger: Ledger
    evidence: EvidenceStore
    keys: Keys
    # Run a query on a read model caught up with the log (so a user reads their own writes).
    read: Callable[[Callable[[ReadModel], Any]], Any]
    # Apply a submission all-or-nothing (the web's group committer, or the ledger directly).
    submit: Callable[[Submission], Awaitable[Outcome]]
    # The unit tree (a cached one on the web).
    parent_of: ParentOf
    # Called after users or units changed, so cached copies are dropped.
    forget: Callable[[], None] = lambda: None
    # Run a query on the read model as it is, not caught up first, where the edge has one of its own (the
    # command line): verification compares its witness with the log before folding more.
    peek: Callable[[Callable[[ReadModel], Any]], Any] | None = None

    def may_read(self, actor: Actor, unit: str) -> bool:
        return may_read(actor, unit, self.parent_of)  # type: ignore[arg-type]

    def may_write(self, actor: Actor, unit: str) -> bool:
        return may_write(actor, unit, self.parent_of)  # type: ignore[arg-type]

    def may_audit(self, actor: Actor) -> bool:
        return may_audit(actor)  # type: ignore[arg-type]


def unit_parent(ledger: Ledger) -> ParentOf:
    """The unit tree read from the ledger, uncached (a command asks a few times)."""

    def parent_of(code: str) -> str | None:
        found = ledger.unit(code)
        return found.parent if found is not None else None

    return parent_of


def command_line_actor(ledger: Ledger, name: str) -> Actor:
    """The command line's user: once the ledger has users, `--by`/TAIZHANG_USER (default: the login name) must
    name one of them, enabled; before any user exists, whoever runs the command, unrestricted."""
    user = ledger.user(name)
    if user is not None:
        if user.disabled:
            raise Refused("forbidden", f"用户「{name}」已停用")
        return user
    if not ledger.users():
        return Unrestricted(name)
    raise Refused(
        "forbidden",
        f"用户「{name}」不是台账用户：请用 --by 或 TAIZHANG_USER 指定一个台账用户"
        f" / {name!r} is not a user of this ledger: name one with --by or TAIZHANG_USER",
    )

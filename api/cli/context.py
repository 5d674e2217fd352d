"""What a command works with: the settings from the environment, and the services' `Context` and acting user
(`services.context.command_line_actor`: once the ledger has users, `--by`/TAIZHANG_USER must name one)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from .console import progress_bar
from .refusals import STALE_EXIT, fail

if TYPE_CHECKING:  # the modules behind these are imported by the commands that use them, not by --help
    from domain.ledger import Ledger, Outcome, Submission
    from projections.readmodel import ReadModel

    from ..infra.settings import Settings
    from ..services.context import Actor, Context


@dataclass
class Command:
    """One run of a command: opens the ledger and a read-model slot only when asked, closes the slot at the end."""

    settings: Settings
    _model: ReadModel | None = field(default=None, init=False)

    @cached_property
    def ledger(self) -> Ledger:
        return self.settings.ledger()

    def caught_up(self, committed: str = "") -> ReadModel:
        """This command's read model, current with the log (a progress bar on a terminal); or exit STALE_EXIT
        saying what happened to the data (`committed`: what was written before)."""
        from projections.readmodel import ReadModelStale

        if self._model is None:
            self._model = self.settings.read_model()
        model = self._model
        recorder = self.ledger.recorder
        behind = (recorder.max_notification_id() or 0) - model.position()
        try:
            # A failure is retried on a fresh connection just below, then reported.
            with progress_bar("投影 projecting", max(behind, 0)) as advance, contextlib.suppress(Exception):
                model.catch_up(recorder, progress=advance)
            model.bring_up_to_date(recorder)
        except ReadModelStale as e:
            self.close()
            fail(committed + str(e), STALE_EXIT)
        return model

    def close(self) -> None:
        if self._model is not None:
            self._model.close()
            self._model = None
        if "ledger" in self.__dict__:  # opened: close its connections (SQLite checkpoints its WAL on the last)
            self.__dict__.pop("ledger").close()

    def _as_is(self, query: Callable[[ReadModel], Any]) -> Any:
        if self._model is None:
            self._model = self.settings.read_model()
        return query(self._model)

    async def _submit(self, submission: Submission) -> Outcome:
        with progress_bar("校验 validating", len(submission.lines)) as advance:
            return self.ledger.apply_each([submission], advance)[0]

    @cached_property
    def context(self) -> Context:
        from ..infra.evidence import EvidenceStore
        from ..infra.keys import Keys
        from ..services.context import Context, unit_parent

        return Context(
            settings=self.settings,
            ledger=self.ledger,
            evidence=EvidenceStore(self.settings.home),
            keys=Keys(self.settings.home),
            read=lambda query: query(self.caught_up()),
            submit=self._submit,
            parent_of=unit_parent(self.ledger),
            peek=self._as_is,
        )

    @cached_property
    def actor(self) -> Actor:
        from ..services.context import command_line_actor

        return command_line_actor(self.ledger, self.settings.user)


def command(ctx: click.Context) -> Command:
    """The current run's `Command`, made on first use and closed when click is done with the command."""
    root = ctx.find_root()
    found = root.obj.get("command") if root.obj else None
    if found is None:
        from ..infra.settings import Settings

        found = Command(Settings.from_env(user=root.obj.get("by") if root.obj else None))
        root.obj["command"] = found
        root.call_on_close(found.close)
    return found


def as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO-8601 instant: {value!r}", param_hint="--as-of") from None
    from ..render import as_of_problem

    if problem := as_of_problem(stamp):
        raise click.BadParameter(problem, param_hint="--as-of")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

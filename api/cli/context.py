"""What a command works with: the settings from the environment, and the services' `Context` and acting user
(`services.context.command_line_actor`: once the ledger has users, `--by`/TAIZHANG_USER must name one)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from .console import progress_bar
from .refusals import STALE_EXIT, fail

if TYPE_CHECKING:  # the modules behind these are imported by the commands that use them, not by --help
    from domain.ledger import Ledger, Outcome, Submission
    from projections.readmodel import ReadModel

    from ..infra.settings import NoLedger, Settings
    from ..services.context import Actor, Context


# Commands that only read: on an embedded store they never create a ledger (a run from the wrong folder would
# otherwise leave an empty ./taizhang-data behind and then say the unit does not exist).
READ_COMMANDS = frozenset(
    {"report", "explain", "history", "diff", "proof", "verify", "deadlines", "unit list", "unit history", "user list"}
    | {"security report", "filing status", "filing progress", "filing late", "filing superior"}
    | {"issue list", "issue show", "issue figures", "package list"}
    | {"assess show", "assess sheet", "assess table", "assess history"}
)


@dataclass
class Command:
    """One run of a command: opens the ledger and a read-model slot only when asked, closes the slot at the end."""

    settings: Settings
    reads_only: bool = False
    _model: ReadModel | None = field(default=None, init=False)

    @cached_property
    def ledger(self) -> Ledger:
        from domain.errors import DomainError

        from ..infra.settings import NoLedger

        try:
            return self.settings.ledger(create=not self.reads_only)
        except DomainError as e:  # TAIZHANG_SUITE names another suite than the ledger's
            fail(str(e))
        except NoLedger as e:
            fail(no_ledger_message(e, self.settings))

    def caught_up(self, committed: str = "") -> ReadModel:
        """This command's read model, current with the log (a progress bar on a terminal); or exit STALE_EXIT
        saying what happened to the data (`committed`: what was written before)."""
        from projections.readmodel import ReadModelStale

        recorder = self.ledger.recorder  # first: a read of a store without a ledger stops before making a model
        if self._model is None:
            self._model = self.settings.read_model()
        model = self._model
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


def no_ledger_message(e: NoLedger, settings: Settings) -> str:
    """One sentence naming where a read looked for the ledger and found none."""
    if e.missing == "file":
        return (
            f"在「{e.where}」没有找到台账（events.db）：请在台账的数据目录所在的文件夹运行，"
            "或用 TAIZHANG_HOME 指定数据目录 / no ledger in that folder: set TAIZHANG_HOME"
        )
    from ..infra.settings import HOME_SCHEMA

    # ?schema=@home names the schema after the data directory: say which, the hashed name alone means nothing.
    home = (
        f"（?schema={HOME_SCHEMA}，按数据目录「{settings.home.resolve()}」）"
        if HOME_SCHEMA in (settings.database_url or "")
        else ""
    )
    what = {
        "database": f"数据库「{e.where.rsplit('/', 1)[-1]}」不存在",
        "schema": f"模式「{e.schema}」{home}不存在",
        "table": f"模式「{e.schema}」{home}中没有台账的事件表",
    }[e.missing]
    return (
        f"在 PostgreSQL「{e.where}」没有找到台账：{what}；读取不会创建台账，请检查 TAIZHANG_DATABASE_URL"
        f"{' 和 TAIZHANG_HOME' if home else ''} / no ledger there: check TAIZHANG_DATABASE_URL"
    )


def command(ctx: click.Context) -> Command:
    """The current run's `Command`, made on first use and closed when click is done with the command."""
    root = ctx.find_root()
    found = root.obj.get("command") if root.obj else None
    if found is None:
        from ..infra.settings import Settings

        path = ctx.command_path.split(maxsplit=1)[1] if " " in ctx.command_path else ""
        found = Command(Settings.from_env(user=root.obj.get("by") if root.obj else None), path in READ_COMMANDS)
        root.obj["command"] = found
        root.call_on_close(found.close)
    return found


def run(ctx: click.Context, call: Callable[[Context, Actor], Any]) -> Any:
    """A use-case called as the command-line user: `call(context, actor)`."""
    cmd = command(ctx)
    return call(cmd.context, cmd.actor)


def as_of(value: str | None, tz: str | None = None) -> datetime | None:
    """`--as-of`: an ISO-8601 instant; without an offset it is a time in the ledger's time zone (TAIZHANG_TZ,
    default Asia/Shanghai), as a user there means it, not UTC (a date alone is that day's midnight there)."""
    import os
    from zoneinfo import ZoneInfo

    from domain.ledger import DEFAULT_TZ

    if value is None:
        return None
    text = value.strip()
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"不是 ISO-8601 时点（例如 2026-01-05T08:00:00 或 2026-01-05T08:00:00+08:00）：{value!r}",
            param_hint="--as-of",
        ) from None
    from ..render import as_of_problem

    if problem := as_of_problem(stamp):
        raise click.BadParameter(problem, param_hint="--as-of")
    zone = ZoneInfo(tz or os.environ.get("TAIZHANG_TZ") or DEFAULT_TZ)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)

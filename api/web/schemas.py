"""Request and response bodies of the JSON API, derived from the domain's own pydantic line models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PydField

from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.user import ROLES, USERNAME
from domain.validation import UNIT_CODE, CorrectLine, Ident, RecordLine, StepLine, UnitLine, VoidLine

LATE_REASON = (
    "报后更正: why this write changes a year whose report was approved (locked); recorded with the write. "
    "Not part of the line (DOMAIN.md §4)."
)


def _request(line: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """The line model with `op` implied by the route, `by` taken from the login, and `id` optional
    (default: derived from the Idempotency-Key header, else a new id)."""
    fields: dict[str, Any] = {k: (f.annotation, f) for k, f in line.model_fields.items() if k not in ("op", "by", "id")}
    if line is not UnitLine:  # the 报后更正 reason a write to an approved year needs (domain/filing.py)
        fields["late_reason"] = (str | None, PydField(None, max_length=2000, description=LATE_REASON))
    model = create_model(  # type: ignore[call-overload]
        name, __config__=ConfigDict(extra="forbid"), __doc__=doc, id=(Ident | None, None), **fields
    )
    return model  # type: ignore[no-any-return]


UnitRequest = _request(UnitLine, "UnitRequest", "Create a unit or replace its name and parent (op `unit`).")
RecordRequest = _request(RecordLine, "RecordRequest", "Record an activity (op `record`).")
StepRequest = _request(StepLine, "StepRequest", "Add a step to an activity (op `step`).")
CorrectRequest = _request(CorrectLine, "CorrectRequest", "Correct an activity's date or data (op `correct`).")
VoidRequest = _request(VoidLine, "VoidRequest", "Void an activity, or one step with `target` (op `void`).")


class FieldProblem(BaseModel):
    line: int | None = None
    field: str
    message: str


class Problem(BaseModel):
    """Every error response: a sentence for people, and the fields at fault for forms and scripts."""

    detail: str
    errors: list[FieldProblem] = []
    current_version: int | None = None


class Written(BaseModel):
    id: str = PydField(description="The interchange line id this write was recorded under.")
    unit: str
    ref: str | None = None
    version: int = PydField(description="The activity's (or unit's) version after this write: send it as If-Match.")
    recorded_at: datetime
    recorded_by: str


class ImportResult(BaseModel):
    applied: int
    skipped: int


class StepOut(BaseModel):
    id: str
    step: str
    date: str
    data: dict[str, Any]
    voided: bool


class ActivityOut(BaseModel):
    unit: str
    ref: str
    kind: str
    kind_label: str
    date: str
    data: dict[str, Any]
    voided: bool
    version: int
    steps: list[StepOut]
    evidence: list[dict[str, Any]]


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    version: int
    recorded_at: str
    recorded_by: str | None
    line_id: str | None
    event: str
    event_label: str
    changes: dict[str, list[Any]] | None = None
    reason: str | None = None


class FigureOut(BaseModel):
    label: str
    unit: str
    # Counts are ints, rates and mean scores floats, money (元) exact strings with 2 decimals (DOMAIN.md §7.1).
    value: int | float | str | None
    previous: int | float | str | None
    sources: list[str]


class CheckOut(BaseModel):
    id: str
    ok: bool
    message: str


class LogOut(BaseModel):
    # A ledger on the 国密 suite adds "suite": "gm" (domain/suite.py); extra keys pass through only when present,
    # so the default suite's block stays DOMAIN.md §5's {size, root}.
    model_config = ConfigDict(extra="allow")

    size: int
    root: str


class ReportOut(BaseModel):
    unit: str
    unit_name: str
    units: list[str] = []
    year: int
    as_of: str | None
    figures: dict[str, FigureOut]
    checks: list[CheckOut]
    log: LogOut


class SourceOut(BaseModel):
    source: str
    unit: str
    ref: str
    kind: str
    date: str
    num: int | float | None
    den: int | float | None = None
    voided: bool = False


class UnitOut(BaseModel):
    code: str
    name: str
    parent: str | None


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    units: list[str]
    disabled: bool
    email: str | None = PydField(None, description="Where reminders go; unset: <username>@TAIZHANG_MAIL_DOMAIN.")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = PydField(pattern=USERNAME.pattern)
    display_name: str = PydField("", max_length=64)
    role: str = PydField(pattern="^(" + "|".join(ROLES) + ")$")
    units: list[str] = PydField(default_factory=list, max_length=200)
    email: str | None = PydField(None, max_length=254, description="Where reminders go (checked by the service).")


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = PydField(None, max_length=64)
    role: str | None = PydField(None, pattern="^(" + "|".join(ROLES) + ")$")
    units: list[str] | None = PydField(None, max_length=200)
    disabled: bool | None = None
    email: str | None = PydField(None, max_length=254, description='"" clears it.')


class NewPassword(BaseModel):
    username: str
    password: str = PydField(description="Shown once: the user must change it at first login.")


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = PydField("script", min_length=1, max_length=64)


class TokenOut(BaseModel):
    token: str = PydField(description="Shown once; send as `Authorization: Bearer <token>`.")
    label: str
    expires_at: datetime = PydField(description="When the token stops working (TAIZHANG_TOKEN_DAYS after issue).")


class SealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = PydField(pattern=UNIT_CODE)
    year: int = PydField(ge=FIRST_YEAR, le=LAST_YEAR)


class SealOut(BaseModel):
    seal: str
    unit: str
    year: int
    as_of: str
    size: int
    root: str
    signature: str | None = None
    public_key: str | None = None
    suite: str = "default"  # domain/suite.py: default (Ed25519) or gm (SM2)
    recorded_by: str | None = None


class VerifyOut(BaseModel):
    ok: bool
    size: int
    root: str
    seals: int
    problems: list[str]
    suite: str = "default"


class VerifyJobOut(BaseModel):
    """A background verification: `state` is running, done (then `result`) or failed (then `error`)."""

    id: str
    state: str
    stage: str
    percent: int
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    result: VerifyOut | None
    error: str | None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = PydField(max_length=64)
    password: str = PydField(max_length=256)
    # The second factor (api/services/sign_in.py): a 6-digit TOTP code or a recovery code, where needed.
    code: str | None = PydField(None, max_length=64)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current: str = PydField(max_length=256)
    new: str = PydField(max_length=256)


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    units: list[str]
    csrf_token: str | None = None
    must_change_password: bool = False

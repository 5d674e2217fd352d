"""The JSON API for personal data (api/services/personal.py): record encrypted, show (recorded), shred."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ..services import personal
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep

router = APIRouter(responses=PROBLEMS, tags=["personal"])


class PersonalIn(BaseModel):
    """Personal fields of the activity; null removes one, an absent field is left as it is."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=50, description="信访人姓名")
    id_number: str | None = Field(None, max_length=18, description="公民身份号码")
    phone: str | None = Field(None, max_length=20, description="联系电话")


class PersonalValueOut(BaseModel):
    name: str
    label: str
    value: str | None
    state: str


class PersonalOut(BaseModel):
    unit: str
    ref: str
    values: list[PersonalValueOut]


class ShredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str
    reason: str = Field(min_length=1, max_length=500)


class ShredOut(BaseModel):
    unit: str
    key: str | None
    removed: bool


# unit and ref are query parameters, as for /api/activity (a ref may contain any character).
@router.get("/api/personal", response_model=PersonalOut)
def show(unit: str, ref: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """In clear, for the unit's recorders and admins; the showing is recorded in the log."""
    return asdict(personal.show(context(server), caller.user, unit, ref))


@router.put("/api/personal", response_model=list[str])
def record(unit: str, ref: str, body: PersonalIn, caller: WriterDep, server: ServerDep) -> list[str]:
    """Record (encrypted under the unit's key) the fields given; returns their names."""
    return personal.record(context(server), caller.user, unit, ref, body.model_dump(exclude_unset=True))


@router.post("/api/personal/shred", response_model=ShredOut)
def shred(body: ShredIn, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Erase the unit's personal-data key (admins): figures, roots and seals stay valid."""
    return asdict(personal.shred(context(server), caller.user, body.unit, body.reason))

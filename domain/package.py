"""Report packages (报送包): a unit that runs its own taizhang sends its sealed report upward in one file, and the
superior's ledger keeps, per such unit, a `RemoteUnit` aggregate: the key pinned by its first package, every
package imported (what the superior then rolls up), every package refused as a possible rewrite of the unit's
log or as signed by another key, and every key change a reviewer approved.

The superior is thereby a witness of the unit's log: it remembers the largest (size, root) it has seen, and a
newer package must prove with an RFC 9162 consistency proof that the log only grew since (projections/packages.py
checks it). The file format and its signature are in `package_manifest_payload`; reading the file is
api/infra/package_file.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .ids import NAMESPACE
from .seal import canonical_json

PACKAGE_FORMAT = "taizhang-report-package/1"


def remote_unit_id(unit: str) -> UUID:
    return uuid5(NAMESPACE, f"remote-unit/{unit}")


NOTICE_FORMAT = "taizhang-filing-notice/1"


def superior_id(unit: str) -> UUID:
    return uuid5(NAMESPACE, f"superior/{unit}")


def notice_payload(manifest: dict[str, Any]) -> bytes:
    """The bytes a superior's notice (回执: approved, or returned with its reason) is signed over: its manifest as
    canonical JSON. The manifest names the unit, the year, the unit's seal the decision is about, the decision,
    its text, the reviewer and when, and the superior (its unit code, name, suite and public key)."""
    return canonical_json(manifest)


class Superior(Aggregate):
    """On a unit's own ledger: the superior on another server whose notices it imported. The first notice pins
    the superior's key (as the superior pins the unit's by its first package); later ones must be signed with it.
    A notice signed by another key is held (`hold`, flagged for the unit's admins) until an admin approves the
    new key with a reason (`change_key`, as a superior's reviewer approves a unit's, RemoteUnit.change_key);
    the held notice can then be imported."""

    @event("Pinned")
    def __init__(self, unit: str, superior: str, name: str, suite: str, public_key: str, recorded_by: str) -> None:
        self.unit = unit
        self.superior = superior
        self.name = name
        self.suite = suite
        self.public_key = public_key
        self.notices: list[dict[str, Any]] = []
        self.held: list[dict[str, Any]] = []
        self.key_changes: list[dict[str, Any]] = []

    @staticmethod
    def create_id(unit: str) -> UUID:
        return superior_id(unit)

    def waiting(self) -> list[dict[str, Any]]:
        """The held notices signed by a key not (yet) approved: what the unit's admins are to look at."""
        return [h for h in self.held if h["public_key"] != self.public_key]

    @event("NoticeHeld")
    def hold(
        self,
        sha256: str,
        kind: str,
        year: int,
        seal: str,
        decided_at: str,
        superior: str,
        name: str,
        suite: str,
        public_key: str,
        recorded_by: str,
    ) -> None:
        """A notice validly signed, but by another key than the pinned one: not imported, kept for the admins."""
        self.held.append(
            {
                "sha256": sha256,
                "kind": kind,
                "year": year,
                "seal": seal,
                "decided_at": decided_at,
                "superior": superior,
                "name": name,
                "suite": suite,
                "public_key": public_key,
                "recorded_by": recorded_by,
            }
        )

    @event("KeyChanged")
    def change_key(self, superior: str, name: str, suite: str, public_key: str, reason: str, recorded_by: str) -> None:
        """A unit's admin approved the superior's new signing key (a new server, a lost key), with the reason."""
        self.key_changes.append(
            {
                "was": self.public_key,
                "was_superior": self.superior,
                "now": public_key,
                "superior": superior,
                "reason": reason,
                "by": recorded_by,
            }
        )
        self.superior, self.name, self.suite, self.public_key = superior, name, suite, public_key

    def last(self, year: int) -> dict[str, Any] | None:
        found = [n for n in self.notices if n["year"] == year]
        return found[-1] if found else None

    @event("NoticeImported")
    def note(
        self, sha256: str, kind: str, year: int, seal: str, decided_at: str, reviewer: str, recorded_by: str
    ) -> None:
        self.notices.append(
            {
                "sha256": sha256,
                "kind": kind,
                "year": year,
                "seal": seal,
                "decided_at": decided_at,
                "reviewer": reviewer,
                "recorded_by": recorded_by,
            }
        )


def package_manifest_payload(manifest: dict[str, Any]) -> bytes:
    """The bytes a package's own signature covers: its manifest as canonical JSON (the seal's signature covers
    the report; this one binds the figures' parts, the DOCX and the consistency proofs to the same key)."""
    return canonical_json(manifest)


class RemoteUnit(Aggregate):
    """A unit on its own server, as its superior knows it from the packages it sent."""

    @event("Pinned")
    def __init__(self, unit: str, name: str, parent: str, public_key: str, recorded_by: str) -> None:
        self.unit = unit
        self.name = name
        self.parent = parent
        self.public_key = public_key  # the key its packages must be signed with
        self.recorded_by = recorded_by
        self.size = 0  # the largest log size witnessed, and its root
        self.root = ""
        self.packages: list[dict[str, Any]] = []
        self.refusals: list[dict[str, Any]] = []
        self.key_changes: list[dict[str, Any]] = []

    @staticmethod
    def create_id(unit: str) -> UUID:
        return remote_unit_id(unit)

    @event("PackageImported")
    def import_package(
        self,
        seal: str,
        year: int,
        as_of: str,
        size: int,
        root: str,
        report: dict[str, Any],
        parts: dict[str, list[int]],
        proofs: list[dict[str, Any]],
        package_sha256: str,
        exported_by: str,
        exported_at: str,
        recorded_by: str,
        declared: dict[str, Any] | None = None,  # its declared figures (§8): definition and parts; None before
    ) -> None:
        if size >= self.size:
            self.size, self.root = size, root
        self.packages.append(
            {
                "seal": seal,
                "year": year,
                "as_of": as_of,
                "size": size,
                "root": root,
                "package_sha256": package_sha256,
                "exported_by": exported_by,
                "exported_at": exported_at,
                "recorded_by": recorded_by,
                "proofs": proofs,
            }
        )

    @event("PackageRefused")
    def refuse_package(
        self,
        seal: str,
        year: int,
        size: int,
        root: str,
        public_key: str,
        package_sha256: str,
        reason: str,
        problems: list[str],
        recorded_by: str,
    ) -> None:
        """`reason`: "rewrite" (the log cannot be shown to have only grown) or "key" (signed by another key)."""
        self.refusals.append(
            {
                "seal": seal,
                "year": year,
                "size": size,
                "root": root,
                "public_key": public_key,
                "package_sha256": package_sha256,
                "reason": reason,
                "problems": problems,
                "recorded_by": recorded_by,
            }
        )

    @event("KeyChanged")
    def change_key(self, public_key: str, reason: str, recorded_by: str) -> None:
        """A reviewer approved the unit's new signing key (a new server, a lost key), with the reason."""
        self.key_changes.append({"was": self.public_key, "now": public_key, "reason": reason, "by": recorded_by})
        self.public_key = public_key


@dataclass(frozen=True)
class ReportPackage:
    """A package file as read (api/infra/package_file.py), not yet verified: the manifest exactly as its bytes
    were signed, the package signature, the sealed report, the DOCX, and the SHA-256 of the whole file."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: str
    report: dict[str, Any]
    docx: bytes
    sha256: str

    @property
    def unit(self) -> str:
        return str(self.manifest.get("unit", ""))

    @property
    def seal(self) -> dict[str, Any]:
        found = self.manifest.get("seal")
        return found if isinstance(found, dict) else {}

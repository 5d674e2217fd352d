"""Audit commands of `taizhang`: seal, verify, proof, diff, key export, backup, restore."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from eventsourcing.application import AggregateNotFoundError

from domain.errors import DomainError
from domain.ids import activity_id
from domain.seal import Seal
from projections import anchor, merkle
from projections.audit import StoreLog
from projections.report import UnknownUnit

from .audit_service import make_seal, verify_log
from .cli import _caught_up, _fail, _settings, main
from .config import Settings
from .evidence import EvidenceStore
from .keys import Keys
from .render import ETYPE_LABELS


def load_seal(ledger: Any, seal_id: str) -> Seal:
    try:
        return ledger.repository.get(UUID(seal_id))
    except (ValueError, AggregateNotFoundError):
        _fail(f"seal: 没有编号为「{seal_id}」的封存")
        raise  # unreachable: _fail exits


@main.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.pass_context
def seal(ctx: click.Context, unit: str, year: int) -> None:
    """Freeze the year's figures with the log's Merkle root, signed with the unit's key."""
    settings = _settings(ctx)
    ledger = settings.ledger()
    try:
        with _caught_up(settings, ledger) as model:
            out = make_seal(settings, ledger, model, unit, year, settings.user)
    except (UnknownUnit, DomainError) as e:
        _fail(f"unit: 单位「{unit}」不存在" if isinstance(e, UnknownUnit) else str(e))
    with _caught_up(settings, ledger):
        pass
    click.echo(json.dumps(out, ensure_ascii=False, indent=1))


@main.command()
@click.option("--root", "root_hex", help="A root published elsewhere (hex), to check the log against.")
@click.option("--size", type=int, help="The log size that root was published for.")
@click.pass_context
def verify(ctx: click.Context, root_hex: str | None, size: int | None) -> None:
    """Recompute the Merkle log from the event store and check it, the seals and any published root.
    Exit 0 when intact, 1 when tampering is found."""
    if (root_hex is None) != (size is None):
        _fail("--root and --size go together")
    settings = _settings(ctx)
    ledger = settings.ledger()
    with settings.read_model() as model:
        result = verify_log(settings, ledger, model, root_hex, size)
    problems = result.problems
    for p in problems:
        click.echo(p)
    if problems:
        click.echo(f"TAMPERED: {len(problems)} problem(s) / 发现 {len(problems)} 处问题", err=True)
        sys.exit(1)
    click.echo(f"intact: {result.size} events, root {result.root}, {result.seals} seal(s) checked / 日志完整")


@main.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.option("--output", type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def proof(ctx: click.Context, unit: str, ref: str, output: str | None) -> None:
    """Inclusion proof of one activity's events against the unit's latest seal.
    Check it without the database: python -m projections.merkle check PROOF.json"""
    settings = _settings(ctx)
    ledger = settings.ledger()
    seals = [s for s in ledger.seals() if s.unit == unit]
    if not seals:
        _fail(f"seal: 单位「{unit}」还没有封存（taizhang seal）")
    latest = max(seals, key=lambda s: s.size)
    oid = activity_id(unit, ref).hex
    log = StoreLog(ledger.recorder)
    leaves = log.leaves[: latest.size]
    stored = {e.originator_version: e for e in ledger.recorder.select_events(UUID(oid))}
    items = []
    version = 0
    for index, (pos, o) in enumerate(zip(log.positions[: latest.size], log.oids[: latest.size], strict=True)):
        if o != oid:
            continue
        version += 1
        e = stored[version]
        items.append(
            {
                "index": index,
                "position": pos,
                "originator_id": oid,
                "version": e.originator_version,
                "topic": e.topic,
                "state_hex": e.state.hex(),
                "path": [h.hex() for h in merkle.inclusion_proof(leaves, index)],
            }
        )
    if not items:
        _fail(f"ref: 活动「{ref}」在最近一次封存（{latest.id}）时还没有记录")
    doc = {
        "unit": unit,
        "ref": ref,
        "seal": str(latest.id),
        "size": latest.size,
        "root": latest.root,
        "public_key": latest.public_key,
        "signature": latest.signature,
        "events": items,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@click.option("--seal", "seal_id", required=True)
@click.pass_context
def diff(ctx: click.Context, seal_id: str) -> None:
    """What changed since a seal: the late entries, corrections and voids, and the figures they moved."""
    settings = _settings(ctx)
    ledger = settings.ledger()
    sealed = load_seal(ledger, seal_id)
    with _caught_up(settings, ledger) as model:
        now = model.report(sealed.unit, sealed.year)
        units = now["units"]
        rows = model.con.execute(
            "SELECT e.pos, e.etype, strftime(timezone(?, e.recorded_at), '%Y-%m-%d %H:%M'), e.recorded_by,"
            " a.unit, a.ref, e.reason FROM events e"
            " JOIN act a ON a.oid = e.oid WHERE e.pos > ? AND a.unit IN (SELECT unnest(?))"
            " AND (year(a.date) IN (?, ?) OR year(e.date) IN (?, ?)) ORDER BY e.pos",
            [settings.tz, sealed.size, units, sealed.year, sealed.year - 1, sealed.year, sealed.year - 1],
        ).fetchall()
    moved = []
    for fid, was in sealed.report["figures"].items():
        f = now["figures"].get(fid)
        if f is None:  # a declared figure (§8) no longer declared for this unit
            moved.append(f"  {fid} {was['label']}: {was['value']} → 已撤销声明 (retired)")
            continue
        if (was["value"], was["previous"]) != (f["value"], f["previous"]) or was["sources"] != f["sources"]:
            moved.append(
                f"  {fid} {was['label']}: {was['value']} → {f['value']} (上年 {was['previous']} → {f['previous']})"
            )
    click.echo(f"封存 {sealed.id}（{sealed.unit} {sealed.year}，截至 {sealed.as_of}，日志 {sealed.size} 条）以来：")
    click.echo(f"变动的事件 {len(rows)} 个：")
    for pos, etype, at, by, unit, ref, reason in rows:
        label = ref if unit == sealed.unit else f"{unit}/{ref}"
        click.echo(f"  #{pos} {at} {by} {ETYPE_LABELS.get(etype, etype)} {label}" + (f"：{reason}" if reason else ""))
    click.echo(f"变动的指标 {len(moved)} 项：")
    for line in moved:
        click.echo(line)


@main.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--step", "step_id", help="The id of the step line the file belongs to.")
@click.pass_context
def attach(ctx: click.Context, unit: str, ref: str, file: Path, step_id: str | None) -> None:
    """Attach evidence (sign-in sheet, photo, minutes: PDF, JPG, PNG, DOCX, XLSX up to 20 MB) to an activity."""
    settings = _settings(ctx)
    try:
        evidence = EvidenceStore(settings.home).put(file)
        settings.ledger().attach(unit, ref, evidence, step_id, settings.user)
    except DomainError as e:
        _fail(str(e))
    click.echo(f"attached {evidence.name} ({evidence.size:,} bytes, sha256 {evidence.sha256}) to {unit}/{ref}")


@main.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.argument("sha256")
@click.option("--reason", required=True)
@click.pass_context
def detach(ctx: click.Context, unit: str, ref: str, sha256: str, reason: str) -> None:
    """Void a piece of evidence with a reason (it is never deleted)."""
    settings = _settings(ctx)
    try:
        settings.ledger().remove_evidence(unit, ref, sha256, reason, settings.user)
    except DomainError as e:
        _fail(str(e))
    click.echo(f"voided evidence {sha256[:12]}… of {unit}/{ref}")


@main.group()
def key() -> None:
    """The unit's seal-signing key."""


@key.command("export")
@click.option("--unit", required=True)
@click.pass_context
def key_export(ctx: click.Context, unit: str) -> None:
    """Print the unit's public key (PEM) for verifiers."""
    pem = Keys(_settings(ctx).home).export(unit)
    if pem is None:
        _fail(f"unit: 单位「{unit}」还没有签名密钥（首次 taizhang seal 时生成）")
    click.echo(pem, nl=False)


@main.command()
@click.argument("dest", type=click.Path(file_okay=False))
@click.pass_context
def backup(ctx: click.Context, dest: str) -> None:
    """Copy the ledger to DEST while it stays in use (SQLite online backup), with keys and evidence."""
    settings = _settings(ctx)
    if settings.database_url:
        _fail("backup: the event store is PostgreSQL: back it up with pg_dump")
    target = Path(dest)
    if (target / "events.db").exists():
        _fail(f"dest: {target / 'events.db'} already exists")
    target.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(settings.home / "events.db")
    copy = sqlite3.connect(target / "events.db")
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    for folder in ("keys", "evidence"):
        if (settings.home / folder).exists():
            shutil.copytree(settings.home / folder, target / folder, dirs_exist_ok=True)
    copied = Settings(target, None, settings.tz, settings.user).ledger()  # kept: its pool closes with it
    log = StoreLog(copied.recorder)
    manifest = {"size": len(log.leaves), "root": merkle.root(log.leaves).hex(), "at": datetime.now(UTC).isoformat()}
    (target / "backup.json").write_text(json.dumps(manifest, indent=1) + "\n")
    click.echo(f"backed up {manifest['size']} events to {target} (root {manifest['root']})")


@main.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing ledger in $TAIZHANG_HOME.")
@click.pass_context
def restore(ctx: click.Context, src: str, force: bool) -> None:
    """Restore a backup into $TAIZHANG_HOME and rebuild the read model from it."""
    settings = _settings(ctx)
    source = Path(src)
    if not (source / "events.db").exists():
        _fail(f"src: {source} holds no events.db")
    if (settings.home / "events.db").exists() and not force:
        _fail(f"{settings.home / 'events.db'} exists: use --force to replace it")
    settings.home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (settings.home / f"events.db{suffix}").unlink(missing_ok=True)
    shutil.copy2(source / "events.db", settings.home / "events.db")
    for folder in ("keys", "evidence"):
        if (source / folder).exists():
            shutil.copytree(source / folder, settings.home / folder, dirs_exist_ok=True)
    ledger = settings.ledger()
    seen = anchor.read_anchor(settings.home)
    with settings.fresh_read_model() as model:
        n = model.catch_up(ledger.recorder)
        log = model.log()
    # An explicit restore is where a ledger may knowingly go back: the anchor follows it, and says what was lost.
    anchor.write_anchor(settings.home, anchor.Anchor(log["size"], log["root"], datetime.now(UTC).isoformat()))
    if seen is not None and seen.size > log["size"]:
        click.echo(f"warning: this ledger had {seen.size} events on {seen.seen_at}; the {seen.size - log['size']}"
                   " events after the backup are gone / 备份之后的事件已不在台账中", err=True)
    click.echo(f"restored {n} events (root {log['root']}); read model rebuilt")

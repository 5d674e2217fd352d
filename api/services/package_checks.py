"""What `taizhang verify` checks of the report packages a superior imported: each one's copy is still in
$TAIZHANG_HOME/packages/ with the SHA-256 recorded at import, and still verifies offline (signatures, hashes,
parts) with the report and key the ledger recorded — so an edit of a stored package, or of the import event's
report, shows."""

from __future__ import annotations

import hashlib

from domain.errors import DomainError
from domain.ledger import Ledger
from domain.package import RemoteUnit
from projections import packages as checks

from ..infra import package_file
from ..infra.layout import packages_dir
from .context import Context


def package_problems(ctx: Context) -> list[str]:
    ledger: Ledger = ctx.ledger
    problems = []
    for remote in ledger.created_with(RemoteUnit.Pinned):
        if not isinstance(remote, RemoteUnit):
            continue
        keys = {remote.public_key} | {k["was"] for k in remote.key_changes} | {k["now"] for k in remote.key_changes}
        for p in remote.packages:
            name = f"report package of {remote.unit} {p['year']} (seal {p['seal']})"
            path = packages_dir(ctx.settings.home) / f"{p['package_sha256']}.tzpkg"
            if not path.exists():
                problems.append(f"{name}: its copy is missing from {path.parent}")
                continue
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != p["package_sha256"]:
                problems.append(f"{name}: its copy was altered (SHA-256 differs from the one recorded at import)")
                continue
            try:
                pkg = package_file.read(data)
            except DomainError as e:
                problems.append(f"{name}: its copy can no longer be read ({e.errors[0].message})")
                continue
            found = checks.check(pkg, None)
            problems += [f"{name}: {message}" for _, message in found.problems]
            if pkg.seal.get("public_key") not in keys:
                problems.append(f"{name}: signed with a key never pinned or approved for {remote.unit}")
            if (pkg.seal.get("size"), pkg.seal.get("root")) != (p["size"], p["root"]):
                problems.append(f"{name}: its log size and root differ from those recorded at import")
    return problems

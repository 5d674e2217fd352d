"""The report package file (报送包, `.tzpkg`): a zip of

    manifest.json   canonical JSON (domain/package.py): unit, year, the seal (as_of, size, root, signature,
                    public key), SHA-256 of report.json and report.docx, the figures' parts, consistency proofs
    manifest.sig    the hex Ed25519 signature of manifest.json by the unit's key
    report.json     the sealed report (DOMAIN.md §5), canonical JSON
    report.docx     the 法治政府建设年度报告 draft of that report
    README.txt      what this is and how it is checked

and the superior's copies of imported packages, kept by their SHA-256 in $TAIZHANG_HOME/packages/.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from domain.package import ReportPackage
from domain.seal import canonical_json

from .layout import packages_dir

MAX_BYTES = 50 * 1024 * 1024  # a package, and any one member unpacked (a zip bomb is refused, not unpacked)
MEMBERS = ("manifest.json", "manifest.sig", "report.json", "report.docx")
README = """台账报送包（taizhang report package）

本文件由下级单位的台账导出，携带一份已封存的年度报告：report.json（报告数据）、report.docx（年度报告稿）、
manifest.json（封存的日志条数、Merkle 根、签名、单位公钥、各项指标的分子分母、一致性证明）及其签名 manifest.sig。
上级单位用 `taizhang package import 本文件 --parent 上级单位代码` 导入：离线核验签名、公钥、报告哈希和日志一致性证明，
核验通过后其数据计入上级单位的汇总。请勿解压修改，任何改动都会使核验失败。
"""


def write(manifest: dict[str, Any], signature: str, report: dict[str, Any], docx: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", canonical_json(manifest))
        z.writestr("manifest.sig", signature + "\n")
        z.writestr("report.json", canonical_json(report))
        z.writestr("report.docx", docx)
        z.writestr("README.txt", README)
    return buf.getvalue()


def read(data: bytes) -> ReportPackage:
    """The package in `data`; DomainError (field "package") when it is not one, whatever is wrong with it."""
    if len(data) > MAX_BYTES:
        raise DomainError.of("package", f"报送包：文件过大（{len(data) / 1048576:.1f} MB，上限 50 MB）")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DomainError.of("package", "报送包：文件不是台账报送包（不是 zip 文件）") from None
    with z:
        names = set(z.namelist())
        missing = [m for m in MEMBERS if m not in names]
        if missing:
            raise DomainError.of("package", f"报送包：缺少 {', '.join(missing)}")
        for m in MEMBERS:
            if z.getinfo(m).file_size > MAX_BYTES:
                raise DomainError.of("package", f"报送包：{m} 过大")
        try:
            raw = {m: z.read(m) for m in MEMBERS}
            manifest = json.loads(raw["manifest.json"])
            report = json.loads(raw["report.json"])
            signature = raw["manifest.sig"].decode().strip()
        except (zipfile.BadZipFile, ValueError, UnicodeDecodeError) as e:  # includes CRC errors of altered members
            raise DomainError.of("package", f"报送包：内容无法读取（{e}）") from None
    if not isinstance(manifest, dict) or not isinstance(report, dict):
        raise DomainError.of("package", "报送包：manifest.json 或 report.json 不是 JSON 对象")
    return ReportPackage(
        manifest, raw["manifest.json"], signature, report, raw["report.docx"], hashlib.sha256(data).hexdigest()
    )


def keep(home: Path, data: bytes) -> Path:
    """Keep the superior's copy of an imported package, by its SHA-256 (once)."""
    digest = hashlib.sha256(data).hexdigest()
    target = packages_dir(home) / f"{digest}.tzpkg"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return target

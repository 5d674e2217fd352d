"""The content-addressed store of evidence files (佐证材料) in $TAIZHANG_HOME/evidence/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from domain.activity import Evidence
from domain.errors import DomainError

from .layout import evidence_dir

MAX_MB = 20  # an evidence file's limit (photos and scans of a few pages fit; a video does not)
MAX_BYTES = MAX_MB * 1024 * 1024
# Extension -> (media type, the bytes such a file starts with).
TYPES = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


class EvidenceStore:
    def __init__(self, home: Path) -> None:
        self.dir = evidence_dir(home)

    def path(self, sha256: str) -> Path:
        return self.dir / sha256[:2] / sha256

    def put(self, source: Path) -> Evidence:
        """Check the file's type and size, then store it under its SHA-256 (once, however often attached)."""
        kind = TYPES.get(source.suffix.lower())
        if kind is None:
            raise DomainError.of("file", f"文件：只接受 PDF、JPG、PNG、DOCX、XLSX，收到「{source.name}」")
        size = source.stat().st_size
        if size > MAX_BYTES:
            raise DomainError.of("file", f"文件：不得超过 {MAX_MB} MB，「{source.name}」有 {size / 1048576:.1f} MB")
        with source.open("rb") as f:
            if not f.read(len(kind[1])) == kind[1]:
                raise DomainError.of("file", f"文件：「{source.name}」的内容不是 {source.suffix.lower()} 格式")
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            shutil.copyfile(source, partial)
            partial.replace(target)
        return Evidence(digest, source.name, size, kind[0])

    def problem(self, sha256: str) -> str | None:
        """Why the stored copy no longer matches the ledger, or None when it does."""
        target = self.path(sha256)
        if not target.exists():
            return "missing"
        if hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
            return "altered"
        return None

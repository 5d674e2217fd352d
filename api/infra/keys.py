"""Each unit's Ed25519 signing key, in $TAIZHANG_HOME/keys/: `<unit>.pem` (private, owner-only) and
`<unit>.pub` (the raw public key in hex, what seals and verifiers compare)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .layout import keys_dir


class Keys:
    def __init__(self, home: Path) -> None:
        self.dir = keys_dir(home)

    def private(self, unit: str) -> Ed25519PrivateKey:
        """The unit's key, made on first use."""
        path = self.dir / f"{unit}.pem"
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey)
            return key
        self.dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        (self.dir / f"{unit}.pub").write_text(self.public_hex(key) + "\n")
        return key

    @staticmethod
    def public_hex(key: Ed25519PrivateKey) -> str:
        return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    def export(self, unit: str) -> str | None:
        """The unit's public key as PEM, or None when the unit has never sealed."""
        path = self.dir / f"{unit}.pem"
        if not path.exists():
            return None
        public = self.private(unit).public_key()
        return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

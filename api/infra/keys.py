"""Each unit's seal-signing key, in $TAIZHANG_HOME/keys/: `<unit>.pem` (Ed25519, PKCS#8, private, owner-only)
on the default suite or `<unit>.sm2.pem` (SM2, SEC 1 "EC PRIVATE KEY" on the SM2 curve, which `openssl pkey`
reads) on the 国密 suite, and `<unit>.pub` (the raw public key in hex, what seals and verifiers compare: 32
bytes for Ed25519, 04‖x‖y for SM2)."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .layout import keys_dir

# DER framing of an SM2 key (GM/T 0010-2012 OIDs: id-ecPublicKey with the curve sm2p256v1 1.2.156.10197.1.301),
# the same bytes `openssl genpkey -algorithm SM2` writes.
_SM2_SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
_SM2_SEC1 = (bytes.fromhex("30770201010420"), bytes.fromhex("a00a06082a811ccf5501822da144034200"))


@dataclass(frozen=True)
class Signer:
    """A unit's private key under a suite: what `make_seal` signs with."""

    suite: str
    public_hex: str
    _sign: Callable[[bytes], bytes]

    def sign(self, payload: bytes) -> str:
        return self._sign(payload).hex()


def _pem(label: str, der: bytes) -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def _unpem(text: str) -> bytes:
    return base64.b64decode("".join(line for line in text.splitlines() if not line.startswith("-----")))


class Keys:
    def __init__(self, home: Path) -> None:
        self.dir = keys_dir(home)

    def signer(self, unit: str, suite: str) -> Signer:
        """The unit's signing key under the ledger's suite, made on first use."""
        if suite == "gm":
            return self._sm2(unit)
        key = self.private(unit)
        return Signer(suite, self.public_hex(key), key.sign)

    def private_path(self, unit: str, suite: str) -> Path:
        return self.dir / (f"{unit}.sm2.pem" if suite == "gm" else f"{unit}.pem")

    def _sm2(self, unit: str) -> Signer:
        import gmalg

        from domain.suite import SM2_USER_ID

        path = self.private_path(unit, "gm")
        if path.exists():
            der = _unpem(path.read_text())
            head, middle = _SM2_SEC1
            if not (der.startswith(head) and der[39 : 39 + len(middle)] == middle and len(der) == 121):
                raise ValueError(f"{path}: not an SM2 private key")
            secret, public = der[7:39], der[39 + len(middle) :]
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            secret, public = gmalg.SM2().generate_keypair()
            secret = secret.rjust(32, b"\0")  # shortest form from gmalg (one key in ~256); the file holds 32 bytes
            head, middle = _SM2_SEC1
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(_pem("EC PRIVATE KEY", head + secret + middle + public))
            (self.dir / f"{unit}.pub").write_text(public.hex() + "\n")
        sm2 = gmalg.SM2(secret, SM2_USER_ID, public)

        def sign(payload: bytes) -> bytes:
            r, s = sm2.sign(payload)
            # r‖s, 32 bytes each: gmalg gives each its shortest form, so about one signature in 64 had a 31-byte
            # part, and the 63-byte signature then failed verification ("the seal was altered").
            return r.rjust(32, b"\0") + s.rjust(32, b"\0")

        return Signer("gm", public.hex(), sign)

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
        if self.private_path(unit, "gm").exists():
            return _pem("PUBLIC KEY", _SM2_SPKI + bytes.fromhex(self._sm2(unit).public_hex))
        path = self.dir / f"{unit}.pem"
        if not path.exists():
            return None
        public = self.private(unit).public_key()
        return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


# ---- personal-data keys (domain/personal.py): keys/personal/<unit>.<key id>.key, owner-only ----
# SM4-GCM (GB/T 32907-2016, 128-bit key) under the 国密 suite, AES-256-GCM otherwise; a 96-bit random nonce per
# value; the additional data binds a ciphertext to its unit, activity, field and key, so one cannot be moved.

PERSONAL_CIPHERS = {"gm": "SM4-GCM", "default": "AES-256-GCM"}
_KEY_BYTES = {"SM4-GCM": 16, "AES-256-GCM": 32}


def _aead(cipher: str, key: bytes, nonce: bytes, tag: bytes | None = None):  # noqa: ANN202 — a cryptography context
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    algorithm = algorithms.SM4(key) if cipher == "SM4-GCM" else algorithms.AES(key)
    mode = modes.GCM(nonce, tag)
    return Cipher(algorithm, mode).decryptor() if tag is not None else Cipher(algorithm, mode).encryptor()


def encrypt(cipher: str, key: bytes, plain: str, aad: bytes) -> str:
    nonce = os.urandom(12)
    ctx = _aead(cipher, key, nonce)
    ctx.authenticate_additional_data(aad)
    body = ctx.update(plain.encode()) + ctx.finalize()
    return base64.b64encode(nonce + body + ctx.tag).decode()


def decrypt(cipher: str, key: bytes, sealed: str, aad: bytes) -> str:
    """The plain text (raises cryptography's InvalidTag when the ciphertext or its place was altered)."""
    raw = base64.b64decode(sealed)
    ctx = _aead(cipher, key, raw[:12], raw[-16:])
    ctx.authenticate_additional_data(aad)
    return (ctx.update(raw[12:-16]) + ctx.finalize()).decode()


class PersonalKeys:
    """Each unit's personal-data keys, outside the event store (backups copy keys/: see README on shredding)."""

    def __init__(self, home: Path) -> None:
        self.dir = keys_dir(home) / "personal"

    def path(self, unit: str, key_id: str) -> Path:
        return self.dir / f"{unit}.{key_id}.key"

    def issue(self, unit: str, cipher: str) -> tuple[str, bytes]:
        """A new key for the unit: (its id, its bytes), written owner-only."""
        import secrets

        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        key_id, key = secrets.token_hex(8), os.urandom(_KEY_BYTES[cipher])
        fd = os.open(self.path(unit, key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{cipher} {key.hex()}\n")
        return key_id, key

    def get(self, unit: str, key_id: str) -> tuple[str, bytes] | None:
        """(cipher, key) or None when the key was erased (or its file lost)."""
        try:
            cipher, key = self.path(unit, key_id).read_text().split()
        except FileNotFoundError:
            return None
        return cipher, bytes.fromhex(key)

    def shred(self, unit: str, key_id: str) -> bool:
        """Overwrite and remove the key file; False when it was not there."""
        path = self.path(unit, key_id)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        with open(path, "r+b") as f:  # on a journalling or copy-on-write disk the old blocks may survive: the
            f.write(os.urandom(size))  # removal is what counts; backups hold their own copy until they expire
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
        return True

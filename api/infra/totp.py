"""TOTP secrets (RFC 6238) of users' second factor, outside the event store: keys/totp/<username>.key, owner-only
(like the seal and personal-data keys; `taizhang backup` copies keys/). The event log names a secret only by
its fingerprint (domain/user.py enroll_second_factor), so a copy of the store alone cannot make codes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyotp

from .layout import keys_dir

ISSUER = "taizhang 台账"
DIGITS = 6
PERIOD = 30  # seconds (RFC 6238 §4: X = 30)
WINDOW = 1  # codes of the neighbouring step are taken too (clock drift of the phone)


class TotpSecrets:
    def __init__(self, home: Path) -> None:
        self.dir = keys_dir(home) / "totp"

    def path(self, username: str) -> Path:
        return self.dir / f"{username}.key"

    def issue(self, username: str) -> str:
        """A new base32 secret for the user, replacing any earlier one."""
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        secret = pyotp.random_base32()
        tmp = self.path(username).with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret + "\n")
        os.replace(tmp, self.path(username))
        return secret

    def get(self, username: str) -> str | None:
        try:
            return self.path(username).read_text().strip()
        except FileNotFoundError:
            return None

    def remove(self, username: str) -> None:
        self.path(username).unlink(missing_ok=True)


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, at: float) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).at(int(at))


def verify(secret: str, code: str, at: float) -> bool:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).verify(code, for_time=int(at), valid_window=WINDOW)

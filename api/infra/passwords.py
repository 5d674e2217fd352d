"""Passwords (argon2id; PBKDF2-HMAC-SM3 on a 国密 ledger), one-time passwords, bearer tokens and the secret
that signs web sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .layout import session_key

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from domain.user import User

TOKEN_PREFIX = "tz_"
MIN_PASSWORD = 10



@dataclass(frozen=True)
class Cost:
    """The work factors of new password hashes. A stored hash carries its own, so checking never needs these."""

    argon2_time: int  # passes
    argon2_memory_kib: int
    sm3_iterations: int  # PBKDF2-HMAC-SM3


# The one home of the work factors (Settings.password_cost, TAIZHANG_PASSWORD_COST, picks one).
# standard: OWASP's argon2id minimum (19 MiB, 2 passes; ~30 ms here, slow enough against guessing, fast enough to
# log in) and OWASP's iteration count for PBKDF2-HMAC-SHA256, SM3 being of the same family (~0.3 s here).
# test: the smallest the algorithms allow, for the test suite only, which hashes hundreds of passwords; the
# security report says so in words if a server ever runs with it.
COSTS = {
    "standard": Cost(argon2_time=2, argon2_memory_kib=19 * 1024, sm3_iterations=600_000),
    "test": Cost(argon2_time=1, argon2_memory_kib=8, sm3_iterations=1_000),
}
STANDARD = "standard"


@cache
def _hasher(cost: str = STANDARD) -> PasswordHasher:
    # Imported on first use: commands that never hash a password start without argon2.
    from argon2 import PasswordHasher

    c = COSTS[cost]
    return PasswordHasher(time_cost=c.argon2_time, memory_cost=c.argon2_memory_kib, parallelism=1)


@cache
def _dummy(cost: str = STANDARD) -> str:
    return _hasher(cost).hash("not a password of anyone")


# PBKDF2-HMAC-SM3 (GB/T 32905 SM3 in RFC 8018 PBKDF2) for ledgers under the 国密 suite, which a 密评 evaluator
# expects in place of argon2id. Stored as $pbkdf2-sm3$i=<n>$<salt>$<key>, base64 without padding.
SM3_PREFIX = "$pbkdf2-sm3$"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _sm3(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sm3", password.encode(), salt, iterations, 32)


def hash_password(password: str, suite: str = "default", cost: str = STANDARD) -> str:
    """The stored form of a password: argon2id, or PBKDF2-HMAC-SM3 on a ledger under the gm suite."""
    if suite == "gm":
        salt = os.urandom(16)
        rounds = COSTS[cost].sm3_iterations
        return f"{SM3_PREFIX}i={rounds}${_b64(salt)}${_b64(_sm3(password, salt, rounds))}"
    return _hasher(cost).hash(password)


@cache
def _dummy_sm3(cost: str = STANDARD) -> str:
    return hash_password("not a password of anyone", "gm", cost)


def _check_sm3(stored: str, password: str) -> bool:
    try:
        rounds, salt, key = stored.removeprefix(SM3_PREFIX).split("$")
        iterations = int(rounds.removeprefix("i="))
        expected = base64.b64decode(key + "=" * (-len(key) % 4))
        got = _sm3(password, base64.b64decode(salt + "=" * (-len(salt) % 4)), iterations)
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def check_password(user: User | None, password: str, suite: str = "default", cost: str = STANDARD) -> bool:
    """Constant work whether or not the user exists (a dummy hash of the ledger's scheme and cost stands in), so
    timing does not reveal names. Each stored hash is checked by its own scheme and work factors (a password set
    before the scheme changed keeps working)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    stored = user.password_hash if user else (_dummy_sm3(cost) if suite == "gm" else _dummy(cost))
    if stored.startswith(SM3_PREFIX):
        return _check_sm3(stored, password) and user is not None
    try:
        return _hasher(cost).verify(stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码：至少 {MIN_PASSWORD} 个字符"
    if username.lower() in password.lower():
        return "密码：不能包含用户名"
    return None


def new_password() -> str:
    return secrets.token_urlsafe(12)


def new_token(username: str) -> tuple[str, str]:
    """A bearer token and the SHA-256 the ledger stores (the token itself is shown once, never stored)."""
    token = f"{TOKEN_PREFIX}{username}_{secrets.token_hex(24)}"  # hex: no "_", so the name splits off
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_username(token: str) -> str | None:
    """The user a bearer token names (checked against the ledger's digests by the caller), or None."""
    if not token.startswith(TOKEN_PREFIX) or "_" not in token[len(TOKEN_PREFIX) :]:
        return None
    return token[len(TOKEN_PREFIX) :].rsplit("_", 1)[0]


def session_secret(home: Path) -> bytes:
    """The key that signs session cookies: made once per installation, shared by every worker, owner-only."""
    path = session_key(home)
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()  # another worker made it first
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    return path.read_bytes()

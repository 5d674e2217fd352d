"""The event log as an RFC 9162 (Certificate Transparency v2) Merkle tree. Standard library only, so an
outside verifier can use this file alone (`python -m projections.merkle check PROOF.json`).

Leaf i is the stored event at notification position i, in position order:
    leaf hash = SHA-256(0x00 ‖ canonical bytes),  node hash = SHA-256(0x01 ‖ left ‖ right)
    canonical bytes = u64 position ‖ 16-byte originator UUID ‖ u64 version
                      ‖ u32 len(topic) ‖ topic (UTF-8) ‖ u32 len(state) ‖ state bytes as stored
(unsigned integers big-endian). The root of an empty log is SHA-256 of the empty string.

A ledger on the 国密 suite (`gm`, domain/suite.py) uses SM3 (GB/T 32905-2016) in place of SHA-256 everywhere
above; everything else is the same. A proof document names its suite in `suite` (absent: `default`). SM3 comes
from hashlib where its OpenSSL provides it (OpenSSL 1.1.1 and 3.x do), else from the `cryptography` package.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

DEFAULT = "default"
# Suite name → the hash of the log (the same table as domain/suite.py, repeated so that this file stands alone).
TREE_HASHES = {DEFAULT: "sha256", "gm": "sm3"}
EMPTY_ROOT = hashlib.sha256(b"").digest()

Digest = Callable[[bytes], bytes]


class NoSM3(RuntimeError):
    """This Python has no SM3 (neither its OpenSSL nor the cryptography package)."""


def _sm3() -> Digest:
    try:
        copy = hashlib.new("sm3").copy  # copying a fresh context is faster than looking the name up each time
    except ValueError:
        try:
            from cryptography.hazmat.primitives import hashes
        except ImportError:
            raise NoSM3(
                "this Python cannot compute SM3: its OpenSSL has no sm3 (hashlib.new('sm3') fails) and the "
                "cryptography package is not installed; use a Python built with OpenSSL 1.1.1 or later"
            ) from None

        def sm3_cryptography(data: bytes) -> bytes:
            h = hashes.Hash(hashes.SM3())
            h.update(data)
            return h.finalize()

        return sm3_cryptography

    def sm3(data: bytes) -> bytes:
        h = copy()
        h.update(data)
        return h.digest()

    return sm3


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


_DIGESTS: dict[str, Digest] = {DEFAULT: _sha256}


def digest_of(suite: str) -> Digest:
    """The hash function of the suite's log (raises ValueError for an unknown suite, NoSM3 without SM3)."""
    found = _DIGESTS.get(suite)
    if found is None:
        if suite not in TREE_HASHES:
            raise ValueError(f"unknown suite {suite!r} (known: {', '.join(TREE_HASHES)})")
        found = _DIGESTS[suite] = _sm3()
    return found


def empty_root(suite: str = DEFAULT) -> bytes:
    return EMPTY_ROOT if suite == DEFAULT else digest_of(suite)(b"")


_U64 = struct.Struct(">Q").pack
_U64_U32 = struct.Struct(">QI").pack
_U32 = struct.Struct(">I").pack


def canonical(position: int, originator_id: str | UUID, version: int, topic: str, state: bytes | str) -> bytes:
    oid = originator_id.bytes if isinstance(originator_id, UUID) else bytes.fromhex(originator_id.replace("-", ""))
    if isinstance(state, str):  # a row edited with SQL text functions comes back as TEXT
        state = state.encode()
    t = topic.encode()
    return b"".join((_U64(position), oid, _U64_U32(version, len(t)), t, _U32(len(state)), state))


_HEADER = struct.Struct(">Q16sQI").pack


def leaf_hashes(rows: Iterable[tuple[int, str, int, str, bytes | str]], suite: str = DEFAULT) -> list[bytes]:
    """Leaf hashes of stored-event rows (position, originator id hex, version, topic, state): the same as
    leaf_hash(canonical(*row), suite) for each row, in one pass (the projection hashes every event it reads)."""
    join, u32 = b"".join, _U32
    topics: dict[str, bytes] = {}
    out = []
    if suite == DEFAULT:
        sha256 = hashlib.sha256
        for position, oid, version, topic, state in rows:
            t = topics.get(topic)
            if t is None:
                t = topics[topic] = topic.encode()
            if isinstance(state, str):
                state = state.encode()
            header = _HEADER(position, bytes.fromhex(oid), version, len(t))
            out.append(sha256(join((b"\x00", header, t, u32(len(state)), state))).digest())
        return out
    h = digest_of(suite)
    for position, oid, version, topic, state in rows:
        t = topics.get(topic)
        if t is None:
            t = topics[topic] = topic.encode()
        if isinstance(state, str):
            state = state.encode()
        header = _HEADER(position, bytes.fromhex(oid), version, len(t))
        out.append(h(join((b"\x00", header, t, u32(len(state)), state))))
    return out


def leaf_hash(data: bytes, suite: str = DEFAULT) -> bytes:
    return digest_of(suite)(b"\x00" + data)


def node_hash(left: bytes, right: bytes, suite: str = DEFAULT) -> bytes:
    return digest_of(suite)(b"\x01" + left + right)


class Frontier:
    """The compact range of a growing tree: one perfect subtree root per 1-bit of the size, largest first.
    Appending is O(log n) amortised O(1); the root is a right fold of the subtrees."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = (), suite: str = DEFAULT) -> None:
        if bin(size).count("1") != len(hashes):
            raise ValueError("frontier does not match its size")
        self.size = size
        self.hashes = list(hashes)
        self.suite = suite
        self._h = digest_of(suite)

    def append(self, leaf: bytes) -> None:
        node, size, h = leaf, self.size, self._h
        while size & 1:
            node = h(b"\x01" + self.hashes.pop() + node)
            size >>= 1
        self.hashes.append(node)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.hashes:
            return empty_root(self.suite)
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = self._h(b"\x01" + h + acc)
        return acc

    def copy(self) -> Frontier:
        return Frontier(self.size, self.hashes, self.suite)

    def dump(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def load(cls, size: int, blob: bytes, suite: str = DEFAULT) -> Frontier:
        return cls(size, [blob[i : i + 32] for i in range(0, len(blob), 32)], suite)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes], suite: str = DEFAULT) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, from leaf hashes, built bottom-up level by level: pairing neighbours and
    carrying a lone last node up unchanged gives the same left-balanced tree as splitting at powers of two."""
    if not leaves:
        return empty_root(suite)
    level = list(leaves)
    sha256, h = hashlib.sha256, digest_of(suite)
    while len(level) > 1:
        pairs = zip(level[0::2], level[1::2], strict=False)
        if suite == DEFAULT:
            paired = [sha256(b"\x01" + a + b).digest() for a, b in pairs]
        else:
            paired = [h(b"\x01" + a + b) for a, b in pairs]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int, suite: str = DEFAULT) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf `index` of the tree over `leaves`."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index, suite), root(leaves[k:], suite)]
    return [*inclusion_proof(leaves[k:], index - k, suite), root(leaves[:k], suite)]


def consistency_proof(leaves: Sequence[bytes], m: int, suite: str = DEFAULT) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the tree of the first m leaves is a prefix of the tree over all."""
    if not 0 < m <= len(leaves):
        raise ValueError(m)
    return _subproof(leaves, m, True, suite)


def _subproof(leaves: Sequence[bytes], m: int, whole: bool, suite: str) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root(leaves, suite)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, whole, suite), root(leaves[k:], suite)]
    return [*_subproof(leaves[k:], m - k, False, suite), root(leaves[:k], suite)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes, suite: str = DEFAULT
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r, suite)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p, suite)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    m: int, n: int, path: Sequence[bytes], first: bytes, second: bytes, suite: str = DEFAULT
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if m == n:
        return not path and first == second
    if not 0 < m < n or not path:
        return False
    path = list(path)
    if m & (m - 1) == 0:  # m is a power of two: the first tree is a subtree, its root starts the path
        path = [first, *path]
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr, suite)
            sr = node_hash(c, sr, suite)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c, suite)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first and sr == second


def check_proof_document(doc: dict) -> list[str]:
    """Check a proof document written by `taizhang proof`; returns the problems found (none = valid)."""
    problems = []
    suite = doc.get("suite", DEFAULT)
    if suite not in TREE_HASHES:
        return [f"unknown suite {suite!r} (this checker knows {', '.join(TREE_HASHES)})"]
    expected = bytes.fromhex(doc["root"])
    for item in doc["events"]:
        data = canonical(
            item["position"], item["originator_id"], item["version"], item["topic"], bytes.fromhex(item["state_hex"])
        )
        path = [bytes.fromhex(h) for h in item["path"]]
        if not verify_inclusion(leaf_hash(data, suite), item["index"], doc["size"], path, expected, suite):
            problems.append(f"event at position {item['position']} is not included in the log of size {doc['size']}")
    return problems


def _main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "check":
        print("usage: python -m projections.merkle check PROOF.json", file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    try:
        problems = check_proof_document(doc)
    except NoSM3 as e:
        print(f"cannot check: {e}")
        return 2
    for p in problems:
        print(p)
    if not problems:
        suite = doc.get("suite", DEFAULT)
        named = "" if suite == DEFAULT else f" ({suite}: {TREE_HASHES[suite].upper()})"
        print(f"ok: {len(doc['events'])} event(s) included in the log of size {doc['size']}, root {doc['root']}{named}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))

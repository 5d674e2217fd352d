"""The 国密 suite against the standards' own sample vectors: SM3 (GB/T 32905-2016 Appendix A), SM2 signatures
(GB/T 32918.5-2017 Appendix A / GM/T 0003.5, on the recommended curve with the default user id), and the
RFC 9162 Merkle tree built on either hash."""

from __future__ import annotations

import hashlib
import json
import sys

import gmalg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.seal import seal_payload
from domain.suite import SM2_USER_ID, SUITES, digest, verify_signature
from projections import merkle

# GB/T 32905-2016 Appendix A.
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]

# GB/T 32918.5-2017 Appendix A (GM/T 0003.5-2012): signature example on the recommended curve, ID 1234567812345678.
SM2_D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
SM2_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
SM2_MESSAGE = b"message digest"
SM2_Z = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
SM2_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640"
SM2_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
SM2_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
SM2_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"


@pytest.mark.parametrize(("message", "expected"), SM3_VECTORS)
def test_sm3_gives_the_standards_digests_everywhere_the_ledger_computes_it(message: bytes, expected: str) -> None:
    from cryptography.hazmat.primitives import hashes

    assert hashlib.new("sm3", message).hexdigest() == expected
    assert merkle.digest_of("gm")(message).hex() == expected
    assert digest("gm", message) == expected
    h = hashes.Hash(hashes.SM3())  # the fallback where OpenSSL has no SM3
    h.update(message)
    assert h.finalize().hex() == expected


def test_sm2_reproduces_the_standards_signature_and_its_intermediate_values() -> None:
    signer = gmalg.SM2(bytes.fromhex(SM2_D), SM2_USER_ID, rnd_fn=lambda _: SM2_K)
    public = bytes.fromhex(SM2_PUBLIC)
    assert signer.generate_pk(bytes.fromhex(SM2_D)) == public
    entity = (
        len(SM2_USER_ID * 8).to_bytes(2, "big")
        + SM2_USER_ID
        + bytes.fromhex(
            "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"  # a
            "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"  # b
            "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"  # xG
            "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"  # yG
        )
        + public[1:]
    )
    z = hashlib.new("sm3", entity).digest()
    assert z.hex().upper() == SM2_Z
    assert hashlib.new("sm3", z + SM2_MESSAGE).hexdigest().upper() == SM2_E
    r, s = signer.sign(SM2_MESSAGE)
    assert (r.hex().upper(), s.hex().upper()) == (SM2_R, SM2_S)


def test_sm2_verification_accepts_the_standards_signature_and_nothing_altered() -> None:
    signature = SM2_R + SM2_S
    assert verify_signature("gm", SM2_PUBLIC, signature, SM2_MESSAGE)
    assert not verify_signature("gm", SM2_PUBLIC, signature, b"message digesT")
    assert not verify_signature("gm", SM2_PUBLIC, SM2_R + SM2_R, SM2_MESSAGE)
    assert not verify_signature("gm", SM2_PUBLIC[:-2] + "00", signature, SM2_MESSAGE)  # a point off the curve
    assert not verify_signature("gm", SM2_PUBLIC, "zz", SM2_MESSAGE)


def test_a_default_seal_payload_is_unchanged_and_a_gm_one_names_its_suite_and_sm3() -> None:
    report = {"figures": {}, "log": {"size": 3, "root": "ab"}}
    default = json.loads(seal_payload("u", 2025, "t", 3, "ab", report))
    assert set(default) == {"unit", "year", "as_of", "size", "root", "report_sha256"}  # seals made before suites
    gm = json.loads(seal_payload("u", 2025, "t", 3, "ab", report, "gm"))
    assert gm["suite"] == "gm" and "report_sha256" not in gm
    canonical = json.dumps(report, sort_keys=True, separators=(",", ":")).encode()
    assert gm["report_sm3"] == hashlib.new("sm3", canonical).hexdigest()


# ---- the Merkle tree on each suite's hash ----


def reference_root(leaves: list[bytes], suite: str) -> bytes:
    """MTH of RFC 9162 §2.1.1 by its recursive definition."""
    if not leaves:
        return hashlib.new(SUITES[suite].tree_hash, b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    node = b"\x01" + reference_root(leaves[:k], suite) + reference_root(leaves[k:], suite)
    return hashlib.new(SUITES[suite].tree_hash, node).digest()


@pytest.mark.parametrize("suite", list(SUITES))
def test_the_tables_of_suites_agree(suite: str) -> None:
    assert merkle.TREE_HASHES[suite] == SUITES[suite].tree_hash  # merkle.py repeats them to stand alone


@settings(max_examples=40, deadline=None)
@given(xs=st.lists(st.binary(max_size=8), min_size=1, max_size=40), data=st.data())
def test_roots_proofs_and_frontiers_follow_rfc_9162_on_sm3(xs: list[bytes], data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(x, "gm") for x in xs]
    assert leaves[0] == hashlib.new("sm3", b"\x00" + xs[0]).digest()
    expected = reference_root(leaves, "gm")
    assert merkle.root(leaves, "gm") == expected
    if len(leaves) > 1:  # (one leaf is its own root whatever the node hash)
        assert merkle.root(leaves) != expected
    frontier = merkle.Frontier(suite="gm")
    frontier.extend(leaves)
    assert frontier.root() == expected
    assert merkle.Frontier.load(frontier.size, frontier.dump(), "gm").root() == expected
    i = data.draw(st.integers(0, len(leaves) - 1))
    path = merkle.inclusion_proof(leaves, i, "gm")
    assert merkle.verify_inclusion(leaves[i], i, len(leaves), path, expected, "gm")
    if len(leaves) > 1:  # checked with SHA-256 node hashes: fails
        assert not merkle.verify_inclusion(leaves[i], i, len(leaves), path, expected)
    m = data.draw(st.integers(1, len(leaves)))
    consistency = merkle.consistency_proof(leaves, m, "gm")
    assert merkle.verify_consistency(m, len(leaves), consistency, reference_root(leaves[:m], "gm"), expected, "gm")


def test_leaf_hashes_of_rows_equal_the_leaf_hash_of_their_canonical_bytes_on_both_suites() -> None:
    rows = [(1, "6f1d3c526a0e4b8e9d627a2f2b1c7e10", 1, "domain.unit:Unit.Registered", b'{"a":1}')]
    for suite in SUITES:
        assert merkle.leaf_hashes(rows, suite) == [merkle.leaf_hash(merkle.canonical(*rows[0]), suite)]
    assert merkle.empty_root("gm") == hashlib.new("sm3", b"").digest()


def test_an_unknown_suite_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown suite"):
        merkle.digest_of("md5")
    assert merkle.check_proof_document({"suite": "md5", "root": "", "size": 0, "events": []})[0].startswith(
        "unknown suite"
    )


def test_the_checker_says_in_one_line_when_this_python_has_no_sm3(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = hashlib.new

    def no_sm3(name: str, *args: object, **kw: object):  # noqa: ANN202
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real(name, *args, **kw)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)  # and no cryptography either
    monkeypatch.setattr(merkle, "_DIGESTS", {"default": merkle._sha256})
    proof = tmp_path / "proof.json"
    proof.write_text(
        json.dumps(
            {
                "suite": "gm",
                "root": "00" * 32,
                "size": 1,
                "events": [
                    {
                        "index": 0,
                        "position": 1,
                        "originator_id": "00" * 16,
                        "version": 1,
                        "topic": "t",
                        "state_hex": "",
                        "path": [],
                    }
                ],
            }
        )
    )
    assert merkle._main(["merkle", "check", str(proof)]) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "cannot compute SM3" in out[0]

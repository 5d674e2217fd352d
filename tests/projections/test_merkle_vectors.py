"""The Merkle log against the reference test vectors of Certificate Transparency (the 8 leaves of
certificate-transparency's merkle_tree_test, the tree RFC 6962/9162 specify): roots of every prefix, and the
consistency proofs report packages rely on, generated and verified (RFC 9162 §2.1.4)."""

from __future__ import annotations

import pytest

from projections import merkle

LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
HASHES = [merkle.leaf_hash(bytes.fromhex(h)) for h in LEAVES]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PROOFS = {
    (1, 1): [],
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_the_reference_vectors(n: int) -> None:
    assert merkle.root(HASHES[:n]).hex() == ROOTS[n - 1]
    frontier = merkle.Frontier()
    frontier.extend(HASHES[:n])
    assert frontier.root().hex() == ROOTS[n - 1]


@pytest.mark.parametrize(("m", "n"), list(PROOFS))
def test_consistency_proofs_match_the_reference_vectors_and_verify(m: int, n: int) -> None:
    path = merkle.consistency_proof(HASHES[:n], m)
    assert [h.hex() for h in path] == PROOFS[(m, n)]
    first, second = bytes.fromhex(ROOTS[m - 1]), bytes.fromhex(ROOTS[n - 1])
    assert merkle.verify_consistency(m, n, path, first, second)
    if m < n:
        assert not merkle.verify_consistency(m, n, path, bytes.fromhex(ROOTS[m]), second)  # another old root
        assert not merkle.verify_consistency(m, n, path[:-1], first, second)  # a proof cut short

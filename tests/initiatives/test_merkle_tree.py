"""The log's Merkle tree is RFC 9162's: the RFC 6962 test vectors, and every proof of trees of
every small size verifies (and a changed one fails)."""

import random

import pytest

from verifier.alliance_verify import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# Certificate Transparency's reference leaves and tree heads (RFC 6962 test data, as used by
# certificate-transparency-go and transparency-dev/merkle).
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (0-based index, tree size, audit path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
HASHES = [leaf_hash(leaf) for leaf in LEAVES]


@pytest.mark.parametrize("size", range(9))
def test_tree_heads_are_rfc_6962s(size):
    assert root_hash(HASHES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_are_rfc_6962s(index, size, path):
    proof = inclusion_proof(index, HASHES[:size])
    assert [node.hex() for node in proof] == path
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(index, size, HASHES[index], proof, root) is True
    assert verify_inclusion(index, size, HASHES[index], proof, bytes.fromhex(ROOTS[size - 1])) is False
    assert verify_inclusion(index, size, leaf_hash(b"changed"), proof, root) is False


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_are_rfc_6962s(first, second, path):
    proof = consistency_proof(first, HASHES[:second])
    assert [node.hex() for node in proof] == path
    first_root, second_root = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert verify_consistency(first, second, proof, first_root, second_root) is True
    if first != second:
        assert verify_consistency(first, second, proof, bytes.fromhex(ROOTS[0]), second_root) is False


def test_every_proof_of_every_small_tree_verifies_and_a_changed_tree_fails():
    rng = random.Random(9162)
    leaves = [leaf_hash(rng.randbytes(rng.randint(0, 40))) for _ in range(40)]
    roots = [root_hash(leaves[:size]) for size in range(41)]
    for size in range(1, 41):
        for index in range(size):
            assert verify_inclusion(index, size, leaves[index], inclusion_proof(index, leaves[:size]), roots[size])
        for first in range(1, size + 1):
            proof = consistency_proof(first, leaves[:size])
            assert verify_consistency(first, size, proof, roots[first], roots[size])
    # A tree whose third entry was removed does not extend the checkpoint taken before.
    removed = leaves[:2] + leaves[3:]
    proof = consistency_proof(10, removed[:30])
    assert verify_consistency(10, 30, proof, roots[10], root_hash(removed[:30])) is False
    # Nor one that shrank.
    assert verify_consistency(30, 10, [], roots[30], roots[10]) is False

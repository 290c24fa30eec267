"""Known-answer tests for the signed encodings: any change here breaks every reader."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldwork.bundles.format import PAYLOAD_TYPE
from fieldwork.identity.encoding import (
    EncodingError,
    b64decode,
    canonical_json,
    pae,
    parse_canonical_json,
    parse_strict_json,
)
from fieldwork.identity.public import fingerprint_for, key_id_for

# RFC 8032 section 7.1, TEST 1, and RFC 7748 section 6.1 (Alice's X25519 public key).
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC7748_ALICE_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")


def test_pae_matches_the_dsse_specification_example():
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters():
    assert pae("t/é", b"\xe2\x82\xac") == b"DSSEv1 4 t/\xc3\xa9 3 \xe2\x82\xac"
    assert pae("", b"") == b"DSSEv1 0  0 "


def test_canonical_json_form():
    value = {"sequence": 1, "bundle_id": "x", "z": [1, "é", None, True], "a": {"b": "\n\"\\"}}
    assert canonical_json(value) == (
        b'{"a":{"b":"\\n\\"\\\\"},"bundle_id":"x","sequence":1,"z":[1,"\xc3\xa9",null,true]}'
    )
    with pytest.raises(EncodingError):
        canonical_json({"x": 1.5})


def test_manifest_signature_known_answer():
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    assert key.public_key().public_bytes_raw() == RFC8032_PUBLIC
    assert key.sign(b"").hex() == (  # RFC 8032 TEST 1 signature: the library is the standard one
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    manifest = canonical_json({"sequence": 1, "bundle_id": "x", "z": [1, "é", None, True]})
    signed = pae(PAYLOAD_TYPE, manifest)
    assert signed == (
        b'DSSEv1 46 application/vnd.fieldwork.bundle-manifest+json 53 '
        b'{"bundle_id":"x","sequence":1,"z":[1,"\xc3\xa9",null,true]}'
    )
    assert key.sign(signed).hex() == (
        "91c78a78c200e6f955edcea7490321146a43b1f3772124da436f09d358b4bff7"
        "a8d76a0b2239f3a258137d66d4da342ea576e4ce8db39f279d89e90c6acf6b02"
    )


def test_key_id_and_fingerprint_known_answers():
    assert key_id_for(RFC8032_PUBLIC) == "21fe31dfa154a261626bf854046fd227"
    assert key_id_for(RFC8032_PUBLIC) == hashlib.sha256(RFC8032_PUBLIC).hexdigest()[:32]
    fingerprint = fingerprint_for(RFC8032_PUBLIC, "x25519", RFC7748_ALICE_PUBLIC)
    assert fingerprint == "4C50 D198 9851 0447 6BBD 402D 248A E9F4 5303 2BB1"
    spec = hashlib.sha256(b"fieldwork identity v1\x00" + RFC8032_PUBLIC + b"\x00\x20" + RFC7748_ALICE_PUBLIC)
    assert fingerprint.replace(" ", "") == spec.hexdigest()[:40].upper()


@pytest.mark.parametrize(
    "text",
    [b'{"a":1,"a":2}', b'{"a":1.0}', b'{"a":NaN}', b"\xff", b'{"a":1', b'{"a":1e3}'],
)
def test_strict_json_refuses(text):
    with pytest.raises(EncodingError):
        parse_strict_json(text)


@pytest.mark.parametrize("text", [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":"\\u00e9"}', b'{"a":"\\ud800"}'])
def test_canonical_parse_refuses_other_forms(text):
    with pytest.raises(EncodingError):
        parse_canonical_json(text)


@pytest.mark.parametrize("text", ["AAE", "AA E=", "AAE=\n", "AAF=", 7])
def test_base64_is_strict(text):
    with pytest.raises(EncodingError):
        b64decode(text)
    assert b64decode("AAE=") == b"\x00\x01"

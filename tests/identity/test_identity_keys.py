"""This profile's keys: creation, files, passphrase and keyring unlocking, identity files."""

from __future__ import annotations

import base64
import json
import os
import stat

import keyring
import pytest
from helpers.keyrings import MemoryKeyring, no_os_keyring

from fieldwork.identity import (
    IdentityError,
    create_keys,
    export_identity,
    keys_exist,
    read_identity_file,
    read_public_identity,
    suites,
    unlock_keys,
    unlock_methods,
)
from fieldwork.identity.keys import ScryptParams, identity_path, private_path
from fieldwork.identity.public import identity_from_json

CHEAP = ScryptParams(log2_n=10)


@pytest.fixture(autouse=True)
def no_real_keyring():
    """Never touch the developer's real keychain: no keyring works unless a test installs one."""
    with no_os_keyring():
        yield
PASSPHRASE = "correct horse battery"


def make(data_dir, **kwargs):
    options = {"name": "Ann Inspector", "person_id": "ann", "passphrase": PASSPHRASE, "scrypt": CHEAP, **kwargs}
    return create_keys(data_dir, **options)


def test_create_and_unlock(tmp_path):
    created = make(tmp_path)
    unlocked = unlock_keys(tmp_path, PASSPHRASE)
    assert unlocked.key_id == created.key_id and unlocked.public == created.public
    assert unlocked.sign(b"m") == created.sign(b"m")  # the same private key came back
    assert keys_exist(tmp_path) and unlock_methods(tmp_path) == ["passphrase"]
    assert "PRIVATE" not in repr(unlocked) and PASSPHRASE not in private_path(tmp_path).read_text()


def test_files_are_private(tmp_path):
    make(tmp_path)
    if os.name == "posix":
        assert stat.S_IMODE(private_path(tmp_path).stat().st_mode) == 0o600
        assert stat.S_IMODE(private_path(tmp_path).parent.stat().st_mode) == 0o700


def test_private_file_holds_no_key_in_clear(tmp_path):
    created = make(tmp_path)
    text = private_path(tmp_path).read_bytes()
    seed = created._signing.private_bytes_raw()
    assert seed not in text and base64.b64encode(seed) not in text


def test_wrong_and_missing_passphrase(tmp_path):
    make(tmp_path)
    with pytest.raises(IdentityError) as wrong:
        unlock_keys(tmp_path, "not the passphrase")
    assert wrong.value.code == "wrong-passphrase"
    with pytest.raises(IdentityError) as missing:
        unlock_keys(tmp_path)
    assert missing.value.code == "passphrase-needed"


def test_short_passphrase_and_existing_keys_are_refused(tmp_path):
    with pytest.raises(IdentityError) as short:
        make(tmp_path, passphrase="short")
    assert short.value.code == "weak-passphrase" and not keys_exist(tmp_path)
    make(tmp_path)
    with pytest.raises(IdentityError) as again:
        make(tmp_path)
    assert again.value.code == "keys-exist"


def test_no_keys_yet(tmp_path):
    with pytest.raises(IdentityError) as none:
        unlock_keys(tmp_path, PASSPHRASE)
    assert none.value.code == "no-keys" and "keys init" in none.value.message


def test_weakened_scrypt_parameters_do_not_unlock(tmp_path):
    make(tmp_path, scrypt=ScryptParams(log2_n=11))
    document = json.loads(private_path(tmp_path).read_text())
    document["unlock"][0]["log2_n"] = 10  # an attacker lowering the cost is caught by the AEAD
    private_path(tmp_path).write_text(json.dumps(document))
    with pytest.raises(IdentityError) as refused:
        unlock_keys(tmp_path, PASSPHRASE)
    assert refused.value.code == "wrong-passphrase"


def test_absurd_scrypt_parameters_are_refused_before_running(tmp_path):
    make(tmp_path)
    document = json.loads(private_path(tmp_path).read_text())
    document["unlock"][0]["log2_n"] = 40
    private_path(tmp_path).write_text(json.dumps(document))
    with pytest.raises(IdentityError) as refused:
        unlock_keys(tmp_path, PASSPHRASE)
    assert refused.value.code == "damaged-keys"


def test_altered_ciphertext_is_damaged(tmp_path):
    make(tmp_path)
    document = json.loads(private_path(tmp_path).read_text())
    ciphertext = bytearray(base64.b64decode(document["ciphertext"]))
    ciphertext[5] ^= 0x01
    document["ciphertext"] = base64.b64encode(bytes(ciphertext)).decode()
    private_path(tmp_path).write_text(json.dumps(document))
    with pytest.raises(IdentityError) as refused:
        unlock_keys(tmp_path, PASSPHRASE)
    assert refused.value.code == "damaged-keys"


def test_private_keys_must_match_the_identity_file(tmp_path):
    make(tmp_path / "a")
    make(tmp_path / "b", person_id="bob", name="Bob")
    identity_path(tmp_path / "a").write_bytes(identity_path(tmp_path / "b").read_bytes())
    with pytest.raises(IdentityError) as refused:
        unlock_keys(tmp_path / "a", PASSPHRASE)
    assert refused.value.code == "damaged-keys"


def test_hybrid_suite_keys_round_trip(tmp_path):
    created = make(tmp_path, suite="mlkem768-x25519")
    unlocked = unlock_keys(tmp_path, PASSPHRASE)
    assert unlocked.public.encryption_suite == "mlkem768-x25519"
    assert len(unlocked.public.encryption_public) == 1216
    sealed = suites.seal("mlkem768-x25519", created.public.encryption_public, b"k" * 32, b"info")
    assert unlocked.open_sealed(sealed, b"info") == b"k" * 32
    with pytest.raises(ValueError):
        unlocked.open_sealed(sealed, b"other info")


@pytest.fixture
def memory_keyring():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def test_keyring_unlocks_without_a_passphrase(tmp_path, memory_keyring):
    created = make(tmp_path, use_keyring=True)
    assert unlock_methods(tmp_path) == ["keyring", "passphrase"]
    assert unlock_keys(tmp_path).key_id == created.key_id
    memory_keyring.secrets.clear()  # keyring lost (new laptop profile): the passphrase still works
    with pytest.raises(IdentityError) as needed:
        unlock_keys(tmp_path)
    assert needed.value.code == "passphrase-needed"
    assert unlock_keys(tmp_path, PASSPHRASE).key_id == created.key_id


def test_keyring_only(tmp_path, memory_keyring):
    make(tmp_path, use_keyring=True, passphrase=None)
    assert unlock_methods(tmp_path) == ["keyring"]
    assert unlock_keys(tmp_path).person_id == "ann"


def test_without_a_working_keyring_the_passphrase_is_used(tmp_path):
    # No keyring backend works (keyring's "fail" backend, as on a headless box): fall back quietly.
    make(tmp_path, use_keyring=True)
    assert unlock_methods(tmp_path) == ["passphrase"]
    with pytest.raises(IdentityError) as refused:
        make(tmp_path / "other", use_keyring=True, passphrase=None)
    assert refused.value.code == "keyring-unavailable"


def test_identity_file_round_trip(tmp_path):
    created = make(tmp_path)
    out = export_identity(tmp_path, tmp_path / "ann.json")
    read = read_identity_file(out)
    assert read == created.public == read_public_identity(tmp_path)
    document = json.loads(out.read_text())
    assert set(document) >= {"name", "person_id", "key_id", "fingerprint", "signing_key", "encryption_key"}
    assert document["encryption_key"]["kem_id"] == 0x20
    groups = document["fingerprint"].split(" ")
    assert len(groups) == 10 and all(len(g) == 4 for g in groups)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(name="Mallory"),  # self-signature no longer matches
        lambda d: d.update(person_id="mallory"),
        lambda d: d.update(fingerprint="0000 " * 9 + "0000"),
        lambda d: d.update(key_id="0" * 32),
        lambda d: d.update(extra=1),
        lambda d: d["encryption_key"].update(kem_id=0x10),
        lambda d: d["encryption_key"].update(public="AAAA"),
        lambda d: d.update(type="something-else"),
    ],
)
def test_altered_identity_files_are_refused(change, tmp_path):
    document = make(tmp_path).public.to_json()
    change(document)
    with pytest.raises(IdentityError):
        identity_from_json(document)


def test_newer_identity_format_says_so(tmp_path):
    document = make(tmp_path).public.to_json()
    document["version"] = 2
    with pytest.raises(IdentityError) as refused:
        identity_from_json(document)
    assert refused.value.code == "unsupported-version"


def test_unreadable_identity_file(tmp_path):
    with pytest.raises(IdentityError):
        read_identity_file(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_bytes(b"\x00" * 10)
    with pytest.raises(IdentityError):
        read_identity_file(tmp_path / "junk.json")

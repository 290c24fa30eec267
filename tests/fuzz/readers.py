"""What the fuzz tests feed the readers with (golden files, their keys, test keys that sign
hostile content) and the one outcome allowed besides reading: the project's own refusal."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fieldwork.bundles import container
from fieldwork.errors import FieldworkError
from fieldwork.frameworks.loader import load_framework
from fieldwork.frameworks.model import Framework
from fieldwork.identity import TrustList, read_identity_file, unlock_keys
from fieldwork.identity.keys import UnlockedIdentity, generate_identity

from .mutations import read_members

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
GOLDEN_BUNDLES = FIXTURES / "bundles"
GOLDEN_PACKS = FIXTURES / "packs"
MINI_PATH = FIXTURES / "frameworks" / "mini.toml"
SHIPPED_FRAMEWORKS = sorted((REPO / "resources" / "frameworks").glob("*.toml"))
FIXED_TIME = "2026-11-02T09:00:00.000Z"

T = TypeVar("T")


# --- the outcome -------------------------------------------------------------------------------


def check_refusal(error: FieldworkError) -> None:
    """A refusal a user can act on: a stable code and a sentence, printable and JSON-ready."""
    assert isinstance(error.code, str) and error.code.strip(), repr(error)
    assert isinstance(error.message, str) and error.message.strip(), repr(error)
    error.message.encode("utf-8")  # no lone surrogates: every console and log can show it
    json.dumps(error.to_json())
    problems = getattr(error, "problems", None)
    if problems is not None:  # FrameworkError and ImportProblem list every problem found
        assert problems, repr(error)
        for problem in problems:
            text = problem if isinstance(problem, str) else problem.message
            assert isinstance(text, str) and text.strip(), repr(error)


def read_or_refuse(reader: Callable[..., T], *args: Any, **kwargs: Any) -> T | FieldworkError:
    """What `reader` returns, or the FieldworkError it raised (checked by `check_refusal`).

    Any other exception propagates and fails the test: that is a reader bug to fix.
    """
    try:
        return reader(*args, **kwargs)
    except FieldworkError as error:
        check_refusal(error)
        return error


# --- keys --------------------------------------------------------------------------------------


def fuzz_identity(name: str, person_id: str, label: str, suite: str = "x25519") -> UnlockedIdentity:
    """A deterministic in-memory identity for signing or opening fuzzed files."""
    signing_seed = hashlib.sha256(f"fieldwork fuzz {label}".encode()).digest()
    return generate_identity(name, person_id, suite=suite, created_at=FIXED_TIME, signing_seed=signing_seed)



# --- golden bundles ----------------------------------------------------------------------------


@functools.cache
def bundle_expected() -> dict:
    return json.loads((GOLDEN_BUNDLES / "expected.json").read_text(encoding="utf-8"))


@functools.cache
def bundle_leads() -> dict[str, UnlockedIdentity]:
    """The golden bundles' leads: lead-x25519 opens all three, lead-mlkem768-x25519 the hybrid one."""
    passphrase = bundle_expected()["passphrase"]
    return {name: unlock_keys(GOLDEN_BUNDLES / name, passphrase) for name in ("lead-x25519", "lead-mlkem768-x25519")}


@functools.cache
def bundle_trust() -> TrustList:
    return TrustList.of(read_identity_file(GOLDEN_BUNDLES / "inspector.identity.json"))


@functools.cache
def golden_bundles() -> tuple[bytes, ...]:
    return tuple((GOLDEN_BUNDLES / name).read_bytes() for name in sorted(bundle_expected()["bundles"]))


@functools.cache
def golden_bundle_archives() -> tuple[tuple[tuple[str, bytes], ...], ...]:
    """The inner ZIP members of every golden bundle (decrypted with the x25519 lead)."""
    lead = bundle_leads()["lead-x25519"]
    archives = []
    for data in golden_bundles():
        encrypted = b'"encryption":"hpke"' in data[:4096]
        opened = container.open_container(data, lead if encrypted else None, allow_unencrypted=not encrypted)
        archives.append(tuple(read_members(opened.archive)))
    return tuple(archives)


def golden_records() -> list[dict]:
    """The golden bundles' records as JSON objects (every record type, every case status)."""
    return json.loads(json.dumps(bundle_expected()["records"]))


# --- golden packs ------------------------------------------------------------------------------


@functools.cache
def pack_expected() -> dict:
    return json.loads((GOLDEN_PACKS / "expected.json").read_text(encoding="utf-8"))


@functools.cache
def pack_inspectors() -> dict[str, UnlockedIdentity]:
    passphrase = pack_expected()["passphrase"]
    names = {spec["keys"] for spec in pack_expected()["packs"].values()}
    return {name: unlock_keys(GOLDEN_PACKS / name, passphrase) for name in sorted(names)}


@functools.cache
def pack_trust() -> TrustList:
    return TrustList.of(read_identity_file(GOLDEN_PACKS / "lead.identity.json"))


@functools.cache
def golden_packs() -> tuple[tuple[bytes, UnlockedIdentity], ...]:
    """Each golden pack with the inspector's keys that open it."""
    inspectors = pack_inspectors()
    return tuple(
        ((GOLDEN_PACKS / name).read_bytes(), inspectors[spec["keys"]])
        for name, spec in sorted(pack_expected()["packs"].items())
    )


@functools.cache
def golden_pack_archives() -> tuple[tuple[tuple[str, bytes], ...], ...]:
    return tuple(
        tuple(read_members(container.open_container(data, keys).archive)) for data, keys in golden_packs()
    )


def golden_payload() -> dict:
    """Ann's golden pack payload (cases with details, a moderation query) as a JSON object."""
    return json.loads(json.dumps(pack_expected()["packs"]["v1-x25519.fwpack"]["payload"]))


# --- frameworks --------------------------------------------------------------------------------


@functools.cache
def mini() -> Framework:
    return load_framework(MINI_PATH)


def framework_ids(framework: Framework) -> tuple[str, ...]:
    """Every id the framework declares: samples, key questions, prompts, case details."""
    ids = [s.id for s in framework.samples] + [f.id for f in framework.case_details]
    for standard in framework.standards:
        for question in standard.key_questions:
            ids.append(question.id)
            ids.extend(p.id for p in question.prompts)
    return tuple(ids)


@functools.cache
def framework_seeds() -> tuple[bytes, ...]:
    """The test framework and every shipped one, as bytes."""
    return (MINI_PATH.read_bytes(), *(path.read_bytes() for path in SHIPPED_FRAMEWORKS))

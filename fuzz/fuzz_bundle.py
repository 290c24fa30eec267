"""atheris harness for `fieldwork.bundles.verify_bundle`: python fuzz/fuzz_bundle.py CORPUS_DIR

The first byte of an input chooses what the rest is:
  0  a whole .fwbundle file (seeds: the golden bundles), opened with the golden lead's keys;
  1  the inner ZIP, sealed to that lead before verifying (seeds: the golden bundles' inner ZIPs);
  2  payload/records.jsonl, signed with a trusted test key under a manifest that agrees with it
     (hashes, counts), so mutations reach the strict record checks (seed: the golden records).
Only a BundleError may come out; anything else is a crash for libFuzzer to report.
"""

from __future__ import annotations

import hashlib
import json

import _harness

with _harness.instrumented():
    from fieldwork.bundles import container, verify_bundle
    from fieldwork.bundles.export import sign_envelope
    from fieldwork.bundles.format import ENVELOPE_NAME, RECORD_TYPES, RECORDS_NAME
    from fieldwork.bundles.ziparchive import write_zip
    from fieldwork.frameworks.loader import load_framework
    from fieldwork.identity import TrustList, read_identity_file, unlock_keys
    from fieldwork.identity.encoding import canonical_json

GOLDEN = _harness.FIXTURES / "bundles"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
LEAD = unlock_keys(GOLDEN / "lead-x25519", EXPECTED["passphrase"])
SIGNER = _harness.fuzz_identity("Ann Inspector", "insp-1", "bundle signer")
TRUST = TrustList.of(read_identity_file(GOLDEN / "inspector.identity.json"), SIGNER.public)
FRAMEWORK = load_framework(_harness.FIXTURES / "frameworks" / "mini.toml")
INSPECTION = "golden-insp"


def golden_records() -> bytes:
    records = json.loads(json.dumps(EXPECTED["records"]))
    records[0].update(framework_id=FRAMEWORK.id, framework_version=FRAMEWORK.version,
                      framework_hash=FRAMEWORK.content_hash)
    return b"".join(canonical_json(record) + b"\n" for record in records)


def seeds() -> dict[str, bytes]:
    found = {}
    for path in sorted(GOLDEN.glob("*.fwbundle")):
        data = path.read_bytes()
        found[f"file-{path.stem}"] = b"\x00" + data
        encrypted = b'"encryption":"hpke"' in data[:4096]
        opened = container.open_container(data, LEAD if encrypted else None, allow_unencrypted=not encrypted)
        found[f"zip-{path.stem}"] = b"\x01" + opened.archive
    found["records-golden"] = b"\x02" + golden_records()
    return found


def _counts(records: bytes) -> dict[str, int]:
    counts = dict.fromkeys(RECORD_TYPES, 0)
    for line in records.split(b"\n"):
        try:
            kind = json.loads(line).get("type")
        except (ValueError, RecursionError, AttributeError):
            continue
        if isinstance(kind, str) and kind in counts:
            counts[kind] += 1
    return counts


def signed_bundle(records: bytes) -> bytes:
    manifest = {
        "format_version": 1, "app_version": "atheris", "bundle_id": "00000000-0000-4000-8000-00000000a7e1",
        "created_at": _harness.FIXED_TIME, "inspector_id": SIGNER.person_id, "signer_key_id": SIGNER.key_id,
        "recipients": [LEAD.key_id], "inspection_id": INSPECTION,
        "framework": {"hash": FRAMEWORK.content_hash, "id": FRAMEWORK.id, "version": FRAMEWORK.version},
        "sequence": 1, "previous_manifest_sha256": None,
        "members": [{"name": RECORDS_NAME, "sha256": hashlib.sha256(records).hexdigest(), "size": len(records)}],
        "record_counts": _counts(records),
    }
    envelope = sign_envelope(canonical_json(manifest), SIGNER)
    return container.seal(write_zip([(ENVELOPE_NAME, envelope), (RECORDS_NAME, records)]), [LEAD.public])


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if mode == 0:
        _harness.refused_or_read(verify_bundle, rest, identity=LEAD, trust=TRUST, allow_unencrypted=True)
    elif mode == 1:
        bundle = container.seal(rest, [LEAD.public])
        _harness.refused_or_read(verify_bundle, bundle, identity=LEAD, trust=TRUST)
    else:
        _harness.refused_or_read(
            verify_bundle, signed_bundle(rest), identity=LEAD, trust=TRUST, inspection_id=INSPECTION,
            framework=FRAMEWORK,
        )


def main() -> None:
    _harness.main(test_one_input, seeds)


if __name__ == "__main__":
    main()

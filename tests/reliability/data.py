"""The reliability tests' fixture data: distinctive fake personal data, and a prepared data folder.

The names and evidence below are made up and distinctive, so that a scan of everything the tests
wrote can prove they never appear outside the store (and its backups) and the encrypted bundle.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# A person on probation and what an inspector wrote about them (fake, and unlike anything else).
SUBJECT_NAME = "Quenby Marrowfield-Achterberg"
SUBJECT_PLACE = "Sloeberry Lane hostel"
EVIDENCE = f"{SUBJECT_NAME} told the officer about threats made at the {SUBJECT_PLACE}"
# The inspector: their name is in their public identity file by design (keys/identity.json).
INSPECTOR_NAME = "Ottilie Vennacombe"
LEAD_NAME = "Lazarus Pendergrift"
# Strings that must never appear outside the allowed files.
PERSONAL_MARKERS = (SUBJECT_NAME, "Marrowfield", SUBJECT_PLACE, "Sloeberry", INSPECTOR_NAME, "Vennacombe")

PASSPHRASE = "reliability passphrase"
MINI_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks" / "mini.toml"
INSPECTION_ID = "insp-rel"
INSPECTOR_ID = "insp-1"
KEY_QUESTIONS = ("2.1.1", "2.1.2")
CASES = 12


def note_for(number: int) -> str:
    """The unique evidence text of write number `number` (ACK lines carry the number only)."""
    return f"{EVIDENCE} (note {number})."


def soak() -> int:
    """FIELDWORK_SOAK=N multiplies the number of kills (default 1)."""
    try:
        return max(1, int(os.environ.get("FIELDWORK_SOAK", "1")))
    except ValueError:
        return 1


def build_base(folder: Path) -> dict:
    """A data folder with keys, a profile and an inspection of CASES answered cases, plus the
    lead's identity files beside it. Returns paths and ids."""
    from fieldwork.frameworks.loader import load_framework
    from fieldwork.identity.keys import ScryptParams, generate_identity, store_private_keys
    from fieldwork.profile import set_profile
    from fieldwork.store import open_store
    from fieldwork.store.assessments import set_answer
    from fieldwork.store.inspections import add_case, create_inspection

    data_dir = folder / "data"
    inspector = generate_identity(INSPECTOR_NAME, INSPECTOR_ID, created_at="2026-11-02T09:00:00.000Z")
    lead = generate_identity(LEAD_NAME, "lead-1", created_at="2026-11-02T09:00:00.000Z")
    store_private_keys(data_dir, inspector, passphrase=PASSPHRASE, scrypt=ScryptParams(log2_n=10))
    lead_dir = folder / "lead"
    store_private_keys(lead_dir, lead, passphrase=PASSPHRASE, scrypt=ScryptParams(log2_n=10))
    (folder / "lead.json").write_bytes(lead.public.to_bytes())
    with open_store(data_dir, actor=INSPECTOR_ID) as store:
        set_profile(store, INSPECTOR_ID, INSPECTOR_NAME)
        inspection = create_inspection(
            store, inspection_id=INSPECTION_ID, provider="Reliability CRC", provider_type="CRC",
            framework=load_framework(MINI_PATH),
        )
        for number in range(CASES):
            case = add_case(store, inspection, f"R{number:03d}")
            set_answer(store, case.id, "2.1.1", value="yes", note=note_for(-1 - number))
    return {"data_dir": data_dir, "lead_file": folder / "lead.json", "lead_dir": lead_dir}


def copy_base(base: Path, target: Path) -> Path:
    shutil.copytree(base, target, symlinks=True)
    return target

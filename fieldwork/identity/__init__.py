"""Identities: this profile's keys, public identity files, the trust list and pinned leads.

Headless: the GUI and CLI call these functions; nothing here knows Qt or argparse.
"""

from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keys import (
    DEFAULT_SCRYPT,
    DecryptionKey,
    ScryptParams,
    UnlockedIdentity,
    create_keys,
    export_identity,
    keys_exist,
    read_public_identity,
    unlock_keys,
    unlock_methods,
)
from fieldwork.identity.leads import pin_lead, pinned_lead
from fieldwork.identity.public import PublicIdentity, read_identity_file
from fieldwork.identity.trust import (
    TrustedKey,
    TrustList,
    add_trusted_key,
    find_trusted_key,
    load_trust_list,
    revoke_key,
)

__all__ = [
    "DEFAULT_SCRYPT",
    "DecryptionKey",
    "IdentityError",
    "PublicIdentity",
    "ScryptParams",
    "TrustList",
    "TrustedKey",
    "UnlockedIdentity",
    "add_trusted_key",
    "create_keys",
    "export_identity",
    "find_trusted_key",
    "keys_exist",
    "load_trust_list",
    "pin_lead",
    "pinned_lead",
    "read_identity_file",
    "read_public_identity",
    "revoke_key",
    "unlock_keys",
    "unlock_methods",
]

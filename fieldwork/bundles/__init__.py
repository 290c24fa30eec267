"""Bundles: an inspector's work as a signed, encrypted file, and its strict verification.

Public API: `export_bundle` (write one), `verify_bundle` (check one and get its records),
`BundleError` (every refusal, with a reason code). The format is docs/bundle-format.md.
"""

from fieldwork.bundles.errors import REASONS, BundleError
from fieldwork.bundles.export import (
    ExportError,
    ExportPreview,
    ExportResult,
    export_bundle,
    export_preview,
    suggested_filename,
)
from fieldwork.bundles.format import DEFAULT_LIMITS, FILE_SUFFIX, Limits, Manifest
from fieldwork.bundles.history import list_exports
from fieldwork.bundles.records import BundleRecords
from fieldwork.bundles.verify import VerifiedBundle, check_framework, check_records_fit, verify_bundle

__all__ = [
    "DEFAULT_LIMITS",
    "FILE_SUFFIX",
    "REASONS",
    "BundleError",
    "BundleRecords",
    "ExportError",
    "ExportPreview",
    "ExportResult",
    "Limits",
    "Manifest",
    "VerifiedBundle",
    "check_framework",
    "check_records_fit",
    "export_bundle",
    "export_preview",
    "list_exports",
    "suggested_filename",
    "verify_bundle",
]

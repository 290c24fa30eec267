"""Handover: the lead's signed receipts for merged bundles, and what an inspector's laptop does
with them (cases marked handed over, personal data wiped), plus the retention setting.

Headless. Modules, each with one job (import them directly: this package imports nothing, so
the retention check at start-up does not load the crypto stack):
- format: the receipt document and its strict schema (docs/receipt-format.md);
- errors: refusal reasons;
- issue: the lead signs and writes receipts;
- receipts: the inspector verifies one;
- accept: the inspector plans and applies one;
- wipe: deleting personal data inside a transaction;
- cleanup: vacuum, WAL truncation and renewal of backups after a wipe;
- retention: wiping inspections N days after fieldwork ended.
"""

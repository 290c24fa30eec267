"""The local store: one SQLite file per data folder, opened durably, migrated, single-writer."""

from fieldwork.store.db import Store, open_store

__all__ = ["Store", "open_store"]

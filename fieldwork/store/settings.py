"""This data folder's settings: a few named values kept in the store, each checked when set.

Settings are per data folder (per profile), so a lead's store and an inspector's store on one
laptop each keep their own. Unknown names and values out of range are refused with a message
that lists what is allowed; a setting never set reads as its default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fieldwork.errors import ValidationError
from fieldwork.store.db import Store

HANDOVER_WIPE = "handover_wipe"
RETENTION_DAYS = "retention_days"
KEYS_UNLOCKED_MINUTES = "keys_unlocked_minutes"

WIPE_CHOICES = ("ask", "always", "never")
RETENTION_DEFAULT_DAYS = 90
RETENTION_MAX_DAYS = 3650
RETENTION_WARNING_DAYS = 14  # how long before the wipe the app starts warning
KEYS_UNLOCKED_DEFAULT_MINUTES = 15
KEYS_UNLOCKED_MAX_MINUTES = 480  # a working day; longer would mean "never lock", which is not offered


def _wipe_choice(text: str) -> str:
    value = text.strip().lower()
    if value not in WIPE_CHOICES:
        raise ValueError(f"use one of {', '.join(WIPE_CHOICES)}")
    return value


def _retention(text: str) -> str:
    value = text.strip().lower()
    if value in ("off", "never", "none"):  # not "": an unset shell variable must not switch retention off
        return "off"
    # ASCII digits only: int() also takes "٣" (Arabic-Indic 3), "+3" and "3_0", which a person
    # reading the setting back would not recognise as what they typed.
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"use a number of days (1 to {RETENTION_MAX_DAYS}, in digits 0-9) or 'off'")
    days = int(value) if len(value) <= 6 else 0  # more digits are out of range anyway
    if not 1 <= days <= RETENTION_MAX_DAYS:
        raise ValueError(f"use a number of days (1 to {RETENTION_MAX_DAYS}) or 'off'")
    return str(days)


def _minutes(text: str) -> str:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 4 or int(value) > KEYS_UNLOCKED_MAX_MINUTES:
        raise ValueError(f"use a number of minutes from 0 (ask every time) to {KEYS_UNLOCKED_MAX_MINUTES}, in digits")
    return str(int(value))


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, what it means, and how a value is checked and normalised."""

    name: str
    default: str
    help: str
    normalise: Callable[[str], str]


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            HANDOVER_WIPE, "ask",
            "after a receipt from your lead marks cases handed over: delete their personal data from this "
            "laptop (always), keep it (never), or ask each time (ask)",
            _wipe_choice,
        ),
        Setting(
            RETENTION_DAYS, str(RETENTION_DEFAULT_DAYS),
            "wipe an inspection from this laptop this many days after its fieldwork ended ('off': never); "
            f"the app warns {RETENTION_WARNING_DAYS} days before",
            _retention,
        ),
        Setting(
            KEYS_UNLOCKED_MINUTES, str(KEYS_UNLOCKED_DEFAULT_MINUTES),
            "in the app: keep your keys unlocked this many minutes after their last use, so the passphrase is "
            "asked once per working session (0: ask every time)",
            _minutes,
        ),
    )
}


def _setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValidationError(
            f"There is no setting '{name}'; the settings are: {', '.join(SETTINGS)}.", code="unknown-setting"
        ) from None


def get_setting(store: Store, name: str) -> str:
    """The setting's value, or its default when it was never set."""
    setting = _setting(name)
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", [name]).fetchone()
    return row[0] if row else setting.default


def set_setting(store: Store, name: str, value: str) -> str:
    """Check, normalise and keep a setting; returns the value stored."""
    setting = _setting(name)
    try:
        stored = setting.normalise(str(value))
    except ValueError as exc:
        raise ValidationError(f"'{value}' is not a value for {name}: {exc}.", code="invalid-setting") from None
    with store.transaction() as db:
        db.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [name, stored, store.now(), store.actor],
        )
    return stored


def list_settings(store: Store) -> list[dict]:
    """Every setting with its value, default, whether it was set, and what it means."""
    held = dict(store.conn.execute("SELECT key, value FROM settings").fetchall())
    return [
        {"name": s.name, "value": held.get(s.name, s.default), "default": s.default, "set": s.name in held,
         "help": s.help}
        for s in SETTINGS.values()
    ]


def handover_wipe(store: Store) -> str:
    """ask, always or never."""
    return get_setting(store, HANDOVER_WIPE)


def retention_days(store: Store) -> int | None:
    """Days after the end of fieldwork before an inspection is wiped; None when retention is off."""
    value = get_setting(store, RETENTION_DAYS)
    return None if value == "off" else int(value)


def keys_unlocked_minutes(store: Store) -> int:
    """How long the app keeps the keys unlocked after their last use (0: not at all)."""
    return int(get_setting(store, KEYS_UNLOCKED_MINUTES))

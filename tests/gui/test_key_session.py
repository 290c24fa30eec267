"""The passphrase once per working session (issue 19): kept for a set time, forgotten on sleep, on
quit and on request; asked only after every precondition holds; no keys yet → create, then go on."""

from __future__ import annotations

import pytest

from fieldwork.errors import ValidationError
from fieldwork.gui import key_commands
from fieldwork.gui.export_dialog import ExportDialog
from fieldwork.gui.identity_dialogs import IdentityDialog
from fieldwork.gui.key_session import KeySession, OfferToCreateKeys, PassphraseDialog, unlocked_keys
from fieldwork.gui.key_settings_dialog import KeysUnlockedDialog
from fieldwork.identity import create_keys, keys_exist, read_public_identity
from fieldwork.identity.keys import ScryptParams
from fieldwork.identity.leads import pin_lead
from fieldwork.store.settings import KEYS_UNLOCKED_MINUTES, get_setting, keys_unlocked_minutes, set_setting
from tests.gui.conftest import lead_and_inspector_stores

CHEAP = ScryptParams(log2_n=10)  # tests only
PASSPHRASE = "a long enough passphrase"


class FakeClock:
    """(monotonic, wall) seconds that a test moves by hand: no real waiting."""

    def __init__(self):
        self.monotonic = 1000.0
        self.wall = 1_800_000_000.0

    def __call__(self):
        return self.monotonic, self.wall

    def run(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += seconds

    def sleep(self, seconds: float) -> None:
        """A laptop asleep: on some systems the monotonic clock stops, the wall clock goes on."""
        self.wall += seconds


@pytest.fixture
def prompts(monkeypatch):
    asked = []

    def ask(cls, parent, prompt):
        asked.append(prompt)
        return PASSPHRASE

    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(ask))
    return asked


@pytest.fixture
def jo_keys(gui_store):
    return create_keys(gui_store.path.parent, name="Jo", person_id="insp-1", passphrase=PASSPHRASE, scrypt=CHEAP)


def session(store, clock, minutes=15):
    return KeySession(store.path.parent, keep_minutes=lambda: minutes, clock=clock)


def test_keys_are_kept_while_used_and_forgotten_after_the_set_time_unused(qtbot, gui_store, jo_keys, prompts):
    clock = FakeClock()
    keys = session(gui_store, clock)
    first = keys.unlock(None)
    assert first is not None and len(prompts) == 1
    for _ in range(8):  # used every 10 minutes for 80 minutes: asked once
        clock.run(10 * 60)
        assert keys.unlock(None) is first
    assert len(prompts) == 1
    clock.run(15 * 60)  # then unused for the set time
    assert keys.expire_if_due() and not keys.is_unlocked
    assert keys.unlock(None) is not None and len(prompts) == 2


def test_a_laptop_asleep_longer_than_the_set_time_comes_back_locked(qtbot, gui_store, jo_keys, prompts):
    clock = FakeClock()
    keys = session(gui_store, clock)
    keys.unlock(None)
    clock.sleep(60 * 60)  # the monotonic clock did not move
    keys.unlock(None)
    assert len(prompts) == 2


def test_zero_minutes_asks_every_time_and_forget_asks_again(qtbot, gui_store, jo_keys, prompts):
    clock = FakeClock()
    every_time = session(gui_store, clock, minutes=0)
    assert every_time.unlock(None) is not None and not every_time.is_unlocked
    every_time.unlock(None)
    assert len(prompts) == 2
    kept = session(gui_store, clock)
    kept.unlock(None)
    kept.forget()
    kept.unlock(None)
    assert len(prompts) == 4


def test_the_time_is_a_setting_checked_when_set(gui_store):
    assert keys_unlocked_minutes(gui_store) == 15
    set_setting(gui_store, KEYS_UNLOCKED_MINUTES, " 30 ")
    assert keys_unlocked_minutes(gui_store) == 30
    for bad in ("-1", "481", "soon", "٣", "1.5"):
        with pytest.raises(ValidationError):
            set_setting(gui_store, KEYS_UNLOCKED_MINUTES, bad)
    assert get_setting(gui_store, KEYS_UNLOCKED_MINUTES) == "30"


def test_the_setting_dialog_saves_and_the_window_uses_it(qtbot, window, jo_keys, prompts):
    dialog = KeysUnlockedDialog(window.store, window)
    qtbot.addWidget(dialog)
    dialog.minutes.setValue(0)
    assert dialog.save()
    assert keys_unlocked_minutes(window.store) == 0
    assert window.keys.unlock(window) is not None and not window.keys.is_unlocked


def test_forget_my_passphrase_now_and_quitting_lock_the_keys(qtbot, window, jo_keys, prompts):
    window.keys.unlock(window)
    forget = next(a for a in window.menuBar().findChildren(type(window.actions["quit"]))
                  if a.text() == "&Forget my passphrase now")
    forget.trigger()
    assert not window.keys.is_unlocked
    window.keys.unlock(window)
    assert window.keys.is_unlocked
    window.close()
    assert not window.keys.is_unlocked


# --- preconditions before the passphrase -------------------------------------------------------------
@pytest.fixture
def lead_window(tmp_path, make_window):
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    window = make_window(lead)
    window.open_inspection("T9")
    yield window, inspector_keys
    inspector.close()


def test_packs_for_inspectors_without_an_identity_are_refused_before_the_passphrase(
    qtbot, lead_window, prompts, message_boxes
):
    window, _ = lead_window  # insp-1 has cases, but the lead has not added their identity
    key_commands.export_allocation_packs(window)
    assert prompts == []
    kind, text = message_boxes[-1]
    assert kind == "warning" and "insp-1" in text and "fieldwork trust" not in text
    assert "Add an inspector's identity" in text


def test_a_merge_with_nobody_trusted_is_refused_before_the_passphrase(qtbot, lead_window, prompts, message_boxes):
    window, _ = lead_window
    window.merge_view.pending_paths = ["somewhere.fwbundle"]
    key_commands.merge_pending(window)
    assert prompts == []
    assert "No inspector is trusted yet" in message_boxes[-1][1]


def test_the_export_dialog_asks_for_the_passphrase_only_on_export(qtbot, gui_store, gui_inspection, cases,
                                                                 jo_keys, prompts, tmp_path):
    lead = create_keys(tmp_path / "lead", name="Lee", person_id="lead-1", passphrase="another passphrase", scrypt=CHEAP)
    keys = KeySession(gui_store.path.parent)
    dialog = ExportDialog(gui_store, gui_inspection.id, read_public_identity(gui_store.path.parent),
                          unlock=lambda: keys.unlock(None))
    qtbot.addWidget(dialog)
    assert prompts == []  # the preview needs no private key
    assert not dialog.export()  # no lead yet: nothing asked
    assert prompts == []
    pin_lead(gui_store, gui_inspection.id, lead.public)
    dialog.recipient = lead.public
    dialog.path_edit.setText(str(tmp_path / "out.fwbundle"))
    assert dialog.export(), dialog.message.text()
    assert len(prompts) == 1 and (tmp_path / "out.fwbundle").exists()


# --- no keys yet ---------------------------------------------------------------------------------------
def test_no_keys_yet_offers_to_create_them_and_carries_on_unlocked(qtbot, window, prompts, monkeypatch):
    offered = []
    monkeypatch.setattr(OfferToCreateKeys, "ask", classmethod(lambda cls, parent, doing: offered.append(doing) or True))

    def create_in_dialog(dialog):
        assert dialog.create("Jo", "insp-1", PASSPHRASE, scrypt=CHEAP)
        return 1

    monkeypatch.setattr(IdentityDialog, "exec", create_in_dialog)
    identity = unlocked_keys(window, "merging bundles")
    assert offered == ["merging bundles"]
    assert identity is not None and identity.person_id == "insp-1" and keys_exist(window.store.path.parent)
    assert window.keys.unlock(window) is identity and prompts == []  # typed once, when the keys were made


def test_declining_to_create_keys_does_nothing(qtbot, window, prompts, monkeypatch, message_boxes):
    monkeypatch.setattr(OfferToCreateKeys, "ask", classmethod(lambda cls, parent, doing: False))
    assert unlocked_keys(window, "exporting a bundle") is None
    assert not keys_exist(window.store.path.parent) and prompts == [] and message_boxes == []


def test_the_prompt_says_what_the_keys_are_for_and_how_long_they_stay_unlocked(qtbot, window, jo_keys, prompts):
    assert unlocked_keys(window, "merging bundles") is not None
    assert "for merging bundles" in prompts[0] and "15 minutes" in prompts[0]

"""The main window: menus, the welcome / home / case views, and the save indicator."""

from __future__ import annotations

import logging
from operator import methodcaller
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QTabWidget

from fieldwork.errors import FieldworkError
from fieldwork.gui import accessibility, profile_flow, theme
from fieldwork.gui.home_view import HomeView
from fieldwork.gui.lead_tab_views import lead_tab_builders
from fieldwork.gui.lead_tabs import LeadTabs
from fieldwork.gui.shortcuts import CASES_TAB, WINDOW_SHORTCUTS
from fieldwork.gui.welcome_view import WelcomeView
from fieldwork.gui.wording import AppStatusBar, in_app
from fieldwork.profile import read_profile
from fieldwork.store import Store
from fieldwork.store.allocations import moved_away_cases
from fieldwork.store.assessments import get_case, list_case_summaries
from fieldwork.store.inspections import framework_for, get_inspection, list_inspections

if TYPE_CHECKING:
    from fieldwork.gui.case_view import CaseView

# Start-up (issue 21, docs/performance.md): the case view, the dialogs and the framework pages
# are imported when first used, not before the window shows; the first screen is the cases list.
# tests/gui/test_startup_imports.py keeps it so.

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """One store, one inspection at a time."""

    view_changed = Signal(str)  # "welcome", "home" or "case"

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        accessibility.install()  # dialogs get names, descriptions and Tab order (also without make_application)
        self.store = store
        self.profile = read_profile(store)
        self.inspection = None
        self.framework = None
        self.home_view: HomeView | None = None
        self.home_tabs: QTabWidget | None = None
        self.lead_tabs: LeadTabs | None = None  # Allocation, Merge and Ratings, for the inspection's lead
        self.setAcceptDrops(True)
        self.case_view: CaseView | None = None
        self.undo_stack = QUndoStack(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.setStatusBar(AppStatusBar(self))  # messages name screens, never terminal commands
        self.save_label = QLabel()
        theme.style_text(self.save_label, "saveIndicator")
        self.statusBar().addPermanentWidget(self.save_label)
        self.actions: dict[str, QAction] = {}
        self._keys = None  # the key session, made on first use (it imports the crypto stack)
        self._key_timer = QTimer(self)  # drops unlocked keys from memory once unused for the set time
        self._key_timer.setInterval(30_000)
        self._key_timer.timeout.connect(self._keys_expire_if_due)
        self._key_timer.start()
        QGuiApplication.instance().applicationStateChanged.connect(self._application_state_changed)
        self._build_menus()
        self.resize(1280, 820)
        self._restore_geometry()
        self._fit_to_screen()
        self._show_save_state("saved")
        # Each view's controls get names and descriptions a screen reader speaks (accessibility.py).
        self.view_changed.connect(self._label_controls)
        self._open_start_view()

    # --- menus -------------------------------------------------------------------------------
    def _action(self, name: str, text: str, handler) -> QAction:
        key = next(k for n, k, _ in WINDOW_SHORTCUTS if n == name)
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(handler)
        self.actions[name] = action
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.new_inspection_action = file_menu.addAction("&New inspection…", self.new_inspection)
        file_menu.addAction("&Open allocation pack…", self.open_pack_file)
        self.practice_action = file_menu.addAction("Open the &practice inspection", self.open_practice)
        self.switch_menu = file_menu.addMenu("&Switch inspection")
        self.switch_menu.aboutToShow.connect(self._fill_switch_menu)
        file_menu.addSeparator()
        self.add_case_action = file_menu.addAction("&Add a case…", self.add_case)
        file_menu.addAction(self._action("export_bundle", "&Export bundle for the lead…", self.export_bundle))
        file_menu.addAction("Export &results for the region (PDU lead)…", self._export_results_for_region)
        from fieldwork.gui import handover_dialog  # File → Accept a handover receipt…; retention notice at start

        handover_dialog.install(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._action("quit", "&Quit", self.close))

        edit_menu = menu.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.actions["undo"], self.actions["redo"] = undo, redo
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("find", "&Find case…", self._find))

        go_menu = menu.addMenu("&Go")
        go_menu.addAction(self._action("go_home", "&Cases", self.show_home))
        go_menu.addAction(self._action("jump_to_case", "&Jump to case…", self.jump_to_case))
        go_menu.addSeparator()
        go_menu.addAction(
            self._action("next_question", "&Next question", lambda: self._on_case(lambda v: v.next_question(+1)))
        )
        go_menu.addAction(
            self._action(
                "previous_question", "&Previous question", lambda: self._on_case(lambda v: v.next_question(-1))
            )
        )
        go_menu.addAction(
            self._action(
                "next_unanswered", "Next &unanswered question", lambda: self._on_case(methodcaller("next_unanswered"))
            )
        )

        case_menu = menu.addMenu("Ca&se")
        case_menu.addAction(
            self._action(
                "toggle_complete", "Mark &complete / reopen", lambda: self._on_case(methodcaller("toggle_complete"))
            )
        )
        case_menu.addAction(self._action("history", "&History…", self.show_history))
        # Case → Change question set… (the dialog's module loads when it is chosen)
        self.change_sample_action = case_menu.addAction("Change &question set…", self._change_sample)

        profile_menu = menu.addMenu("&Profile")
        profile_menu.addAction("Your &identity and keys…", self.show_identity)
        profile_menu.addAction("&Accept a key change…", self.accept_key_change)
        profile_menu.addSeparator()
        profile_menu.addAction("&Forget my passphrase now", self.forget_passphrase)
        profile_menu.addAction("How long keys stay &unlocked…", self.edit_keys_unlocked_time)

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("shortcuts", "&Keyboard shortcuts", self.show_shortcuts))
        help_menu.addAction("About this &framework", self.show_framework_info)
        help_menu.addAction("F&rameworks…", self.show_frameworks)
        help_menu.addAction("&About fieldwork", self.show_about)

    def _label_controls(self, _view: str) -> None:
        # The view now shown and the window around it; the lead's tabs label themselves when built.
        accessibility.label_controls(self, current_pages_only=True)

    def _on_case(self, method) -> None:
        if self.case_view is not None and self.stack.currentWidget() is self.case_view:
            method(self.case_view)

    def _fill_switch_menu(self) -> None:
        self.switch_menu.clear()
        for inspection in list_inspections(self.store):
            action = self.switch_menu.addAction(f"{inspection.id} — {inspection.provider}")
            action.setCheckable(True)
            action.setChecked(self.inspection is not None and inspection.id == self.inspection.id)
            action.triggered.connect(lambda _c=False, i=inspection.id: self.open_inspection(i))

    # --- views --------------------------------------------------------------------------------
    def _open_start_view(self) -> None:
        """Back where the user was: the last inspection and case, else the welcome view."""
        inspections = list_inspections(self.store)
        if not inspections:
            self.show_welcome()
            return
        last = self.store.ui_state("inspection")
        known = {i.id for i in inspections}
        position = self.store.ui_state("position", "")  # read first: showing home clears it
        self.open_inspection(last if last in known else inspections[-1].id)
        case_id, _, question_id = position.partition("|")
        if case_id:
            try:
                case = get_case(self.store, case_id)
            except FieldworkError:
                return
            if case.inspection_id == self.inspection.id:
                self.open_case(case_id, question_id or None)

    def close_inspection(self) -> None:
        """Leave the open inspection (e.g. after it was wiped from this laptop) for the welcome view."""
        self._leave_case(force=True)  # the inspection is gone: nothing of it can be saved any more
        self.inspection = self.framework = self.home_view = None
        self.lead_tabs = None
        if self.home_tabs is not None:
            self.stack.removeWidget(self.home_tabs)
            self.home_tabs.deleteLater()
            self.home_tabs = None
        self.show_welcome()

    def show_welcome(self) -> None:
        welcome = WelcomeView(can_open_packs=True, profile=self.profile)
        # Each first-run choice names the profile first (fieldwork/gui/profile_flow.py).
        welcome.open_pack_requested.connect(lambda: profile_flow.from_welcome(self, welcome, self.open_pack_file))
        welcome.practice_requested.connect(lambda: profile_flow.from_welcome(self, welcome, self.open_practice))
        welcome.new_inspection_requested.connect(lambda: profile_flow.from_welcome(self, welcome, self.new_inspection))
        self._replace_view(welcome)
        self.setWindowTitle("fieldwork")
        self.view_changed.emit("welcome")

    def _replace_view(self, widget) -> None:
        old = self.stack.currentWidget()
        self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        if old is not None and old is not self.home_tabs and old is not widget:
            self.stack.removeWidget(old)
            old.deleteLater()

    def open_inspection(self, inspection_id: str) -> None:
        if not self._leave_case():
            return
        self.inspection = get_inspection(self.store, inspection_id)
        self.framework = framework_for(self.store, self.inspection)
        # Whatever the stack held goes: the old inspection's tabs, and the first-run welcome page,
        # whose width could otherwise keep the window wide (issue 19).
        while self.stack.count():
            old = self.stack.widget(0)
            self.stack.removeWidget(old)
            old.deleteLater()
        # The inspection's tabs: everyone has Cases; the inspection's lead also plans and merges.
        self.home_tabs = QTabWidget()
        self.home_tabs.setDocumentMode(True)
        self.home_view = HomeView(self.inspection, self.framework, self.home_tabs)
        self.home_tabs.addTab(self.home_view, CASES_TAB)
        self.lead_tabs = None
        if self.is_lead():
            self.lead_tabs = LeadTabs(self.home_tabs, lead_tab_builders(self))
            # Recomputed each time it is shown: nothing on screen can go stale.
            self.home_tabs.currentChanged.connect(self._tab_shown)
        self.home_view.case_open_requested.connect(lambda case_id: self.open_case(case_id))
        self.home_view.add_case_requested.connect(self.add_case)
        self.home_view.add_button.setEnabled(not self.store.read_only)
        self.home_view.export_requested.connect(self.export_bundle)
        self.stack.addWidget(self.home_tabs)
        self.refresh_home()
        self.show_home()
        self.store.set_ui_state("inspection", inspection_id)
        profile_flow.say_if_led_under_the_login_name(self)
        # Titles carry ids only: window titles end up in logs and screen recorders.
        self.setWindowTitle(f"{self.inspection.id} — fieldwork")

    # --- the lead's tabs, built on first use (fieldwork/gui/lead_tabs.py) ------------------------
    @property
    def allocation_view(self):
        return self.lead_tabs.view("allocation") if self.lead_tabs else None

    @property
    def merge_view(self):
        return self.lead_tabs.view("merge") if self.lead_tabs else None

    @property
    def ratings_view(self):
        return self.lead_tabs.view("ratings") if self.lead_tabs else None

    @property
    def premises_view(self):
        """The Premises tab, or None when the framework answers nothing for the premises."""
        if self.lead_tabs is None or not self.framework.premises_standards:
            return None
        return self.lead_tabs.view("premises")

    def _merge_pending(self) -> None:
        from fieldwork.gui import key_commands  # it loads the crypto stack: not at start-up

        key_commands.merge_pending(self)

    def dragEnterEvent(self, event) -> None:
        from fieldwork.gui.file_drops import dropped_paths

        if dropped_paths(event.mimeData()):  # any local file: a wrong one gets a message on drop
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        """Packs, receipts, key changes and (for the lead) bundles: the same flow as their menu item."""
        from fieldwork.gui.file_drops import dropped_paths, open_dropped

        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            open_dropped(self, paths)

    def _tab_shown(self, _index: int) -> None:
        ratings = self.lead_tabs.built("ratings") if self.lead_tabs else None
        if ratings is not None and self.home_tabs.currentWidget() is ratings:
            ratings.refresh()
        premises = self.lead_tabs.built("premises") if self.lead_tabs else None
        if premises is not None and self.home_tabs.currentWidget() is premises:
            premises.refresh()  # an override made on the Ratings tab shows here too

    def current_view(self):
        """The view the user sees: the welcome view, a case, or the inspection's current tab."""
        widget = self.stack.currentWidget()
        return widget.currentWidget() if widget is self.home_tabs and widget is not None else widget

    def is_lead(self) -> bool:
        """This profile leads the open inspection (it created it, or a pack named it lead)."""
        return self.inspection is not None and self.inspection.lead_id == self.profile.person_id

    def refresh_home(self) -> None:
        if self.home_view is not None and self.inspection is not None:
            moved = moved_away_cases(self.store, self.inspection.id)
            notes = {case_id: "moved to another inspector" for case_id in moved}
            self.home_view.set_summaries(list_case_summaries(self.store, self.inspection.id), notes)
            self.home_view.refresh_moderation(self.store)

    def show_home(self) -> None:
        if self.home_view is None:
            return
        case_id = self.case_view.case_id if self.case_view else None
        if not self._leave_case():
            return
        self.stack.setCurrentWidget(self.home_tabs)
        self.home_tabs.setCurrentWidget(self.home_view)
        if case_id:
            self.home_view.select_case(case_id)
        self.home_view.table.setFocus()
        self.store.set_ui_state("position", "")
        self.view_changed.emit("home")

    def open_case(self, case_id: str, question_id: str | None = None) -> None:
        if not self._leave_case():
            return
        from fieldwork.gui.case_view import CaseView

        try:
            view = CaseView(self.store, case_id, self.undo_stack, self.stack)
        except FieldworkError as error:
            self.show_error(error.message, "Case not opened")
            return
        view.back_requested.connect(self.show_home)
        view.case_changed.connect(self._case_changed)
        view.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        view.save_state_changed.connect(self._show_save_state)
        self.case_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self._restore_splitter(view)
        if question_id:
            view.focus_question(question_id)
        else:
            view.focus_first_question()
        self.store.set_ui_state("position", f"{case_id}|{question_id or ''}")
        self.view_changed.emit("case")

    def _leave_case(self, *, force: bool = False) -> bool:
        """Save pending evidence and drop the case view (its undo history goes with it). False, with
        the case still open, when some of what was typed could not be saved and the user stays."""
        view = self.case_view
        if view is None:
            return True
        if not view.flush_pending() and not force and not self._confirm_losing_unsaved(view):
            return False
        self.store.set_ui_state("case_splitter", bytes(view.splitter.saveState().toBase64()).decode())
        self.undo_stack.clear()
        self.case_view = None
        self.stack.removeWidget(view)
        view.deleteLater()
        return True

    def _confirm_losing_unsaved(self, view) -> bool:
        """Ask before throwing away what could not be saved; True only for an explicit 'leave'."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Not saved")
        box.setText(f"Some of what you typed in case {view.case_ref} could not be saved.")
        box.setInformativeText(
            "It is still on screen, marked NOT SAVED. Stay to try again (for example once the other "
            "fieldwork window is closed or the disk has room) or to copy it somewhere safe; leaving "
            "throws it away."
        )
        stay = box.addButton("Stay on the case", QMessageBox.ButtonRole.RejectRole)
        leave = box.addButton("Leave and lose it", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        return box.clickedButton() is leave

    def _case_changed(self, case_id: str) -> None:
        if self.home_view is None:
            return
        for summary in list_case_summaries(self.store, self.inspection.id):
            if summary.case.id == case_id:
                self.home_view.update_summary(summary)
        self.home_view.refresh_moderation(self.store)

    def _show_save_state(self, state: str) -> None:
        text = {
            "saved": "✓ All changes saved",
            "unsaved": "Typing… (saves when you pause)",
            "error": "⚠ Last change NOT saved — see the message",
        }.get(state, "")
        if self.store.read_only:
            text = "Read-only: the disk is full" if self.store.no_room else "Read-only: open in another window"
        self.save_label.setText(text)
        theme.set_state(self.save_label, "readonly" if self.store.read_only else state)

    # --- commands -------------------------------------------------------------------------------
    # The inspection flows themselves are in fieldwork/gui/inspection_flows.py (loaded when used).
    def open_practice(self) -> None:
        from fieldwork.gui import inspection_flows

        inspection_flows.open_practice(self)

    def new_inspection(self) -> None:
        from fieldwork.gui import inspection_flows

        inspection_flows.new_inspection(self)

    def add_case(self) -> None:
        from fieldwork.gui import inspection_flows

        inspection_flows.add_case(self)

    def jump_to_case(self) -> None:
        from fieldwork.gui import inspection_flows

        inspection_flows.jump_to_case(self)

    @property
    def keys(self):
        """This window's key session: keys unlocked once, kept while in use (key_session.py)."""
        if self._keys is None:
            from fieldwork.gui.key_session import KeySession
            from fieldwork.store.settings import keys_unlocked_minutes

            self._keys = KeySession(self.store.path.parent, keep_minutes=lambda: keys_unlocked_minutes(self.store))
        return self._keys

    def show_identity(self) -> None:
        profile_flow.show_identity(self)

    def accept_key_change(self) -> None:
        """Profile → Accept a key change…: a colleague's key rotation statement (rotation_dialogs)."""
        from fieldwork.gui.rotation_dialogs import accept_key_change

        accept_key_change(self, self.store)

    def export_bundle(self) -> None:
        from fieldwork.gui import key_commands  # it loads the crypto stack: not at start-up

        key_commands.export_bundle(self)

    def open_pack_file(self, path: str | None = None) -> None:
        from fieldwork.gui import key_commands  # it loads the crypto stack: not at start-up

        key_commands.open_pack_file(self, path)

    def export_allocation_packs(self) -> None:
        from fieldwork.gui import key_commands  # it loads the crypto stack: not at start-up

        key_commands.export_allocation_packs(self)

    def forget_passphrase(self) -> None:
        """Profile → Forget my passphrase now: the next export, merge or pack asks for it again."""
        if self._keys is not None:
            self._keys.forget()
        self.statusBar().showMessage("Your keys are locked: the passphrase will be asked the next time.", 10000)

    def edit_keys_unlocked_time(self) -> None:
        from fieldwork.gui.key_settings_dialog import KeysUnlockedDialog

        KeysUnlockedDialog(self.store, self).exec()
        if self._keys is not None:
            self._keys.expire_if_due()  # a shorter time applies at once

    def _keys_expire_if_due(self) -> None:
        if self._keys is not None and self._keys.expire_if_due():
            self.statusBar().showMessage("Your keys were locked after a time unused.", 10000)

    def _application_state_changed(self, state) -> None:
        """Suspended (the platform puts the app to sleep): lock the keys. Inactive (another window
        has the focus) is not enough: that happens all day."""
        if state == Qt.ApplicationState.ApplicationSuspended and self._keys is not None:
            self._keys.forget()

    def _find(self) -> None:
        self.show_home()
        if self.home_view is not None:
            self.home_view.focus_search()

    def show_history(self) -> None:
        if self.case_view is None:
            return
        from fieldwork.gui.dialogs import HistoryDialog
        from fieldwork.gui.history_table_model import HistoryTableModel
        from fieldwork.store.changelog import case_history

        self.case_view.flush_pending()
        model = HistoryTableModel(case_history(self.store, self.case_view.case_id), framework=self.case_view.framework)
        HistoryDialog(self.case_view.case_ref, model, self).exec()

    def show_framework_info(self) -> None:
        from fieldwork.gui.dialogs import FrameworkInfoDialog

        if self.framework is not None:
            FrameworkInfoDialog(self.framework, self).exec()

    def show_shortcuts(self) -> None:
        from fieldwork.gui.dialogs import ShortcutsDialog

        ShortcutsDialog(self).exec()

    def show_frameworks(self) -> None:
        """Help → Frameworks…: the frameworks in the data folder, and for the lead a move of the open
        inspection to another version (fieldwork/gui/frameworks_dialog.py)."""
        from fieldwork.gui import frameworks_dialog

        frameworks_dialog.open_page(self)

    def _export_results_for_region(self) -> None:
        from fieldwork.gui.results_export import export_results_for_region

        export_results_for_region(self)

    def _change_sample(self) -> None:
        from fieldwork.gui import question_set

        question_set.change_sample(self)

    def show_about(self) -> None:
        from fieldwork.gui.about_dialog import AboutDialog

        profile = f"{self.profile.name} ({self.profile.person_id})" if self.profile.is_set else None
        AboutDialog(self, store_path=str(self.store.path), profile=profile).exec()

    def show_error(self, message: str, title: str = "That did not work") -> None:  # title: what failed
        QMessageBox.warning(self, title, in_app(message))

    # --- window state ----------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = self.store.ui_state("window_geometry")
        if saved:
            self.restoreGeometry(QByteArray.fromBase64(saved.encode()))

    def _fit_to_screen(self) -> None:
        """Never larger than the screen's free area: at 1280×800 the default 1280×820 (or a size
        saved on a bigger monitor) put the status line, and the keyboard-mode strip, off screen."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        # Room for the window manager's title bar and borders, which the window's size excludes.
        width, height = min(self.width(), area.width() - 16), min(self.height(), area.height() - 48)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if not area.contains(self.frameGeometry().topLeft()):
            self.move(area.topLeft())

    def _restore_splitter(self, view: CaseView) -> None:
        saved = self.store.ui_state("case_splitter")
        if saved:
            view.splitter.restoreState(QByteArray.fromBase64(saved.encode()))

    def closeEvent(self, event) -> None:
        view = self.case_view
        if view is not None and not view.flush_pending() and not self._confirm_losing_unsaved(view):
            event.ignore()  # stay open: what is on screen and not saved is not thrown away unasked
            return
        premises = self.lead_tabs.built("premises") if self.lead_tabs else None
        if premises is not None:
            premises.flush()  # evidence typed for the premises a moment ago is saved, not lost
        self._remember_layout()
        if self._keys is not None:
            self._keys.forget()  # quitting locks the keys
        super().closeEvent(event)

    def _remember_layout(self) -> None:
        if self.case_view is not None:
            self.store.set_ui_state("case_splitter", bytes(self.case_view.splitter.saveState().toBase64()).decode())
        self.store.set_ui_state("window_geometry", bytes(self.saveGeometry().toBase64()).decode())

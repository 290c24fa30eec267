"""Who this window acts as: naming the profile on the welcome page, the keys page, and what the
window does when the person id (or the records under it) changed (docs/decisions/0023).

Functions of the main window, kept here so that main_window.py stays about views and commands.
"""

from __future__ import annotations

from fieldwork.errors import FieldworkError
from fieldwork.gui.welcome_view import WelcomeView
from fieldwork.profile import login_name, name_profile, read_profile


def from_welcome(window, welcome: WelcomeView, then) -> None:
    """A first-run choice: first give the profile the person id typed on the welcome page (so
    everything is recorded under it from the start), then do what was chosen."""
    chosen = welcome.chosen_profile()
    if chosen is not None:  # asked only while the profile is not set
        person_id, name = chosen
        if not person_id:
            welcome.show_problem("Give your person id (as your lead inspector knows you, e.g. jsmith) first.")
            return
        try:
            name_profile(window.store, person_id, name)
        except FieldworkError as error:
            welcome.show_problem(error.message)
            return
        window.profile = read_profile(window.store)
    then()


def show_identity(window) -> None:
    """Profile → Your identity and keys…; afterwards the window reads who it acts as again."""
    from fieldwork.gui.identity_dialogs import IdentityDialog

    dialog = IdentityDialog(window.store, window, on_keys_changed=window.keys.forget)
    dialog.exec()
    profile_may_have_changed(window, records_moved=dialog.claimed is not None)


def profile_may_have_changed(window, *, records_moved: bool = False) -> None:
    """After keys are made the profile has its person id, and what was recorded under the id
    acting before moved to it: reopen the inspection so its lead and cases are read again, back
    on the same case."""
    before, window.profile = window.profile, read_profile(window.store)
    if window.profile == before and not records_moved:
        return
    if window.inspection is None:
        if isinstance(window.stack.currentWidget(), WelcomeView):
            window.show_welcome()  # it now says who you are instead of asking
        return
    case_id = window.case_view.case_id if window.case_view is not None else None
    window.open_inspection(window.inspection.id)
    if case_id is not None and window.case_view is None:  # None unless the user chose to stay on the case
        window.open_case(case_id)


def say_if_led_under_the_login_name(window) -> None:
    """A store whose keys came before decision 0023 may still name the login name as the open
    inspection's lead: say where to make it this profile's, instead of hiding the lead's tabs silently."""
    lead = window.inspection.lead_id
    if window.profile.is_set and lead and lead != window.profile.person_id and lead == login_name():
        window.statusBar().showMessage(
            f"This inspection's lead is recorded as {lead}, this computer's login name. If that was you: "
            "Profile → Your identity and keys → Make it mine.",
            0,
        )

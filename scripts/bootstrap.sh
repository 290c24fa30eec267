# Shared by scripts/run and scripts/test: make .venv and install what the project needs.
# Sourced, not run. Works on a fresh Debian with Python 3.11: installs the few system
# libraries Qt needs when they are missing (as root; otherwise prints the apt command).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

# Qt's own runtime needs (offscreen and on screen), by Debian package name.
QT_SYSTEM_PACKAGES="libegl1 libgl1 libopengl0 libfontconfig1 fonts-dejavu-core libxkbcommon0 \
libglib2.0-0 libdbus-1-3 libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 \
libxcb-xkb1 libxcb-sync1"

missing_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian: nothing to check
    local missing=""
    for pkg in $QT_SYSTEM_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    echo "$missing"
}

ensure_system_packages() {
    local missing
    missing=$(missing_system_packages)
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "fieldwork: installing system libraries Qt needs:$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "fieldwork: Qt needs these system libraries; install them first:" >&2
        echo "  sudo apt-get install$missing" >&2
        exit 1
    fi
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
                "$PYTHON" -m venv "$VENV"
            else
                echo "fieldwork: Python's venv module is missing; run: sudo apt-get install python3-venv" >&2
                exit 1
            fi
        fi
    fi
    # Reinstall only when the declared dependencies or the tested versions changed.
    local stamp="$VENV/.fieldwork-installed" want
    want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want-$1" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        install_locked ".[$1]"
        echo "$want-$1" > "$stamp"
    fi
}

# Install with the versions in constraints.txt, the ones the suite passed with: a fresh machine
# gets exactly what was tested, never whatever is newest today (PySide6 6.12.0 crashed the app).
install_locked() {
    "$VENV/bin/python" -m pip install --quiet --constraint constraints.txt -e "$1"
}

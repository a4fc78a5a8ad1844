# Sourced by the other scripts: make sure a Python virtual environment with boardlib
# installed (editable, with the extras in $BOARDLIB_EXTRAS) exists in .venv, and activate it.
# On a fresh Debian machine it first installs what building needs (python3-venv, python3-dev).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "boardlib: missing Debian packages: $* (run as root, or install them)" >&2
        exit 1
    fi
    if [ -z "${BOARDLIB_APT_UPDATED:-}" ]; then
        apt-get update -qq
        export BOARDLIB_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
"$PYTHON" - <<'PY' 2>/dev/null || need+=(python3-dev)
import os, sysconfig, sys
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)
PY
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    apt_install "${need[@]}"
fi

if [ ! -x "$ROOT/.venv/bin/python" ]; then
    "$PYTHON" -m venv "$ROOT/.venv"
fi
# shellcheck disable=SC1091
source "$ROOT/.venv/bin/activate"
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q --upgrade pip
python -m pip install -q -e "$ROOT${BOARDLIB_EXTRAS:+[$BOARDLIB_EXTRAS]}"

#!/usr/bin/env bash
# Set up and run the test suite: installs the Debian packages the tests use as independent
# oracles when they are missing (sox, spandsp, OpenR2, minimodem, espeak-ng), builds boardlib with its
# test extra in .venv, and runs pytest. Extra arguments go to pytest.
set -euo pipefail
BOARDLIB_EXTRAS=test
source "$(dirname "$0")/env.sh"
cd "$ROOT"

oracles=()
command -v sox >/dev/null || oracles+=(sox)
command -v minimodem >/dev/null || oracles+=(minimodem)
command -v espeak-ng >/dev/null || oracles+=(espeak-ng)
[ -e /usr/include/spandsp.h ] || oracles+=(libspandsp-dev)
[ -e /usr/include/openr2.h ] || oracles+=(libopenr2-dev)
command -v pkg-config >/dev/null || oracles+=(pkg-config)
if [ ${#oracles[@]} -gt 0 ]; then
    apt_install "${oracles[@]}"
fi

# pytest exits 5 when it collects no test: that fails this script, as it should.
python -m pytest "$@"

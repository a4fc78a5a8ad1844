#!/usr/bin/env bash
# Set up (virtual environment, build) and run boardlib's main job.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
boardlib demo

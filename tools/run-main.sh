#!/usr/bin/env bash
# The README's main job: install what is missing, build in release mode, replay the quickstart
# session on the bundled samples (load, balance, train, eval, calibrate, predict, plots, save).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/clear-stale-build.sh release
swift build -c release --product mtmc
.build/release/mtmc sessions/quickstart.mtmc "$@"

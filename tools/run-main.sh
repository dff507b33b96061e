#!/usr/bin/env bash
# The README's main job: install what is missing, build in release mode, run the engine benchmark
# (compared with PyTorch when it is installed). The quickstart session replaces it once the shell exists.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
swift build -c release --product mtmc-bench
.build/release/mtmc-bench engine "$@"

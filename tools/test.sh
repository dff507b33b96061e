#!/usr/bin/env bash
# Runs every test: install what is missing, then the whole test suite (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-swift-testing

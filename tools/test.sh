#!/usr/bin/env bash
# Runs every test: install what is missing, fuzz every target for 30 s (a crash fails the run; its input
# is kept under .build-fuzz/crashes/), then the whole test suite (debug build), whose summary ends the output.
# A test that skips fails the run unless Tests/skip-allow-list.txt names it (tools/check-skips.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/fuzz.sh all "${MTMC_FUZZ_SECONDS:-30}"
bash tools/clear-stale-build.sh debug
swift build --build-tests
log=.build/test-output.log
status=0
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" || status=$?
bash tools/check-skips.sh "$log" || status=1
exit $status

#!/usr/bin/env bash
# Clears the build folder of one configuration (debug or release) when the sources changed since it
# was built. SwiftPM's incremental build can leave a module compiled against another module's old
# layout when a type gains a stored property (swiftlang/swift-package-manager#10502); such a binary
# corrupts its heap at run time. A full rebuild after each change of the sources is slower but sound.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:?usage: clear-stale-build.sh debug|release}
stamp=.build/$config.sources-sha256
current=$(find Sources Package.swift -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [[ -e .build/$config && "$(cat "$stamp" 2>/dev/null)" != "$current" ]]; then
    echo "the sources changed since the last $config build: building it from scratch"
    rm -rf "$(readlink -f ".build/$config")" ".build/$config" ".build/$config.yaml"
fi
mkdir -p .build
echo "$current" > "$stamp"

#!/usr/bin/env bash
# Fuzzes one target (or all, one per core at a time) with libFuzzer and AddressSanitizer for SECONDS each:
#   tools/fuzz.sh TARGET SECONDS      TARGET: png jpeg safetensors checkpoint calibration commands http
#   tools/fuzz.sh all SECONDS
# The libraries are compiled once with -sanitize=fuzzer,address into .build-fuzz/ (ignored by git); each
# target is tools/fuzz/targets/TARGET.swift, its seed corpus tools/fuzz/corpus/TARGET/ (committed; add
# every crash input there as a regression). New inputs the fuzzer finds go to .build-fuzz/corpus/TARGET/,
# crashes to .build-fuzz/crashes/TARGET/. Exit status: 0 when every target compiled and none crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(png jpeg safetensors checkpoint calibration commands http)
[ $# -eq 2 ] || { echo "usage: tools/fuzz.sh TARGET|all SECONDS (targets: ${targets[*]})" >&2; exit 2; }
[[ "$2" =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number" >&2; exit 2; }
if [ "$1" = all ]; then selected=("${targets[@]}"); else selected=("$1"); fi
for t in "${selected[@]}"; do
    [ -f "tools/fuzz/targets/$t.swift" ] || { echo "unknown target $t (targets: ${targets[*]})" >&2; exit 2; }
done

# Swift's backtracer would wait for a key on a terminal after a crash; libFuzzer reports crashes itself.
export SWIFT_BACKTRACE=enable=no
out=.build-fuzz
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -I "$out")
cflags() { for f in $(pkg-config --cflags "$@"); do printf -- '-Xcc\n%s\n' "$f"; done; }
mapfile -t cc < <(cflags openblas libpng libturbojpeg freetype2)
includes=(-I Sources/CBLAS -I Sources/CPNG -I Sources/CTurboJPEG -I Sources/CFreeType -I "$out/CMPI" -I "$out/CGEMM" "${cc[@]}")

# The C shim that loads Open MPI at run time (a SwiftPM C target: its module map is written here).
mkdir -p "$out/CMPI"
printf 'module CMPI {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CMPI/include/mpi_shim.h" > "$out/CMPI/module.modulemap"
clang -c -O1 -fPIC -I Sources/CMPI/include Sources/CMPI/mpi_shim.c -o "$out/mpi_shim.o"
ar rcs "$out/libCMPI.a" "$out/mpi_shim.o"
# The engine's own matrix-product kernel, likewise a C target.
mkdir -p "$out/CGEMM"
printf 'module CGEMM {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CGEMM/include/CGEMM.h" > "$out/CGEMM/module.modulemap"
gemm_objects=()
for source in Sources/CGEMM/*.c; do
  gemm_objects+=("$out/$(basename "$source" .c).o")
  clang -c -O2 -fPIC -I Sources/CGEMM/include "$source" -o "${gemm_objects[-1]}"
done
ar rcs "$out/libCGEMM.a" "${gemm_objects[@]}"

# module name, then its dependencies' libraries
build_module() {
    local name=$1
    local stamp="$out/$name.stamp"
    if [ -f "$stamp" ] && [ -z "$(find "Sources/$name" -newer "$stamp" -name '*.swift' | head -1)" ]; then return; fi
    echo "compiling $name (fuzzer and address sanitizer instrumentation)"
    swiftc "${flags[@]}" "${includes[@]}" -j "$(nproc)" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -emit-library -static -o "$out/lib$name.a" $(find "Sources/$name" -name '*.swift' | sort)
    touch "$stamp"
}
for m in Engine Vision MTMC Commands RequestParsing; do build_module "$m"; done

# Seeds shaped like checkpoints are built from their headers in tools/fuzz/seeds/ (generated files are not committed).
python3 tools/fuzz/seeds.py "$out/seeds"

# A target that does not compile fails the run with the compiler's message; the old binary is removed
# first so that it is never fuzzed in its place. Only the linker's harmless "Cannot export local
# symbol" lines (the sanitizer runtime's) are left out.
compile_target() {
    local t=$1 binary="$out/fuzz-$1"
    rm -f "$binary"
    if ! swiftc "${flags[@]}" "${includes[@]}" "tools/fuzz/targets/$t.swift" -o "$binary" -L "$out" \
            -lRequestParsing -lCommands -lMTMC -lVision -lEngine -lCMPI -lCGEMM -lopenblas -lpng16 -lturbojpeg -lfreetype > "$out/$t.compile.log" 2>&1; then
        grep -v "Cannot export local symbol" "$out/$t.compile.log" >&2 || true
        echo "$t: the fuzz target does not compile (above); not fuzzed" >&2
        return 1
    fi
    grep -v "Cannot export local symbol" "$out/$t.compile.log" || true
}

# libFuzzer runs on one core, so targets are fuzzed side by side, one per core: each still gets its
# SECONDS of a whole core.
fuzz_target() {
    local t=$1 binary="$out/fuzz-$1"
    mkdir -p "$out/corpus/$t" "$out/crashes/$t" "tools/fuzz/corpus/$t" "$out/seeds/$t"
    if ! "$binary" -max_total_time="$2" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
            -artifact_prefix="$out/crashes/$t/" "$out/corpus/$t" "tools/fuzz/corpus/$t" "$out/seeds/$t" 2> "$out/$t.log"; then
        echo "$t: CRASH; input and log in $out/crashes/$t/ and $out/$t.log" >&2
        return 1
    fi
}

status=0
compiled=()
for t in "${selected[@]}"; do
    if compile_target "$t"; then compiled+=("$t"); else status=1; fi
done
cores=$(nproc)
for ((i = 0; i < ${#compiled[@]}; i += cores)); do
    batch=("${compiled[@]:i:cores}")
    pids=()
    for t in "${batch[@]}"; do
        echo "fuzzing $t for $2 s"
        fuzz_target "$t" "$2" & pids+=($!)
    done
    for k in "${!batch[@]}"; do
        wait "${pids[$k]}" || status=1
        grep -E "stat::number_of_executed_units|cov:" "$out/${batch[$k]}.log" | tail -2 | sed "s/^/${batch[$k]}: /"
    done
done
exit $status

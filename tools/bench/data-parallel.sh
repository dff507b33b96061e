#!/usr/bin/env bash
# Data-parallel throughput on the machine it runs on: the tiny model at 64×64, global batch 64, on the bundled samples,
# trained by 1 rank × 2 threads (no mpirun), 1 rank × 2 threads under mpirun, and 2 ranks × 1 thread (each rank
# on a core of its own). Prints each run's epoch lines (images/s) and the 2-rank run's share of step time spent
# summing across ranks. Needs Open MPI and a release build: swift build -c release --product mtmc.
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs=${1:-3}
mtmc=${MTMC:-$PWD/.build/release/mtmc}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat >"$work/run.mtmc" <<SCRIPT
set size 64
set seed 1
set validate 0
load $PWD/samples/prints
model tiny
train $epochs
SCRIPT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
show() { grep -a -E "^epoch|^data-parallel" | sed 's/^/  /'; }
echo "1 rank × 2 threads:"
(cd "$work" && OPENBLAS_NUM_THREADS=2 "$mtmc" run.mtmc | show)
echo "1 rank × 2 threads under mpirun (not bound to a core):"
(cd "$work" && mpirun -np 1 --bind-to none -x OPENBLAS_NUM_THREADS=2 "$mtmc" run.mtmc | show)
echo "2 ranks × 1 thread (each bound to a core):"
(cd "$work" && mpirun -np 2 --bind-to core "$mtmc" run.mtmc | show)

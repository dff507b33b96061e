#!/usr/bin/env bash
# Batch-norm statistics for a multi-task model, measured (README, "One backbone pass"): val top-1 per task of the
# tiny model after EPOCHS epochs, 3 seeds, with `set bn per-task` (a set of statistics per task, a pass per task),
# `set bn mixed` (one set, batches mixing every task) and `set bn shared` (one set, single-task batches), on three
# trees: the bundled samples, Fashion-MNIST as two tasks (10 classes / 4 coarse groups, disjoint halves), and MNIST
# digits beside Fashion-MNIST (tools/bench/one_pass_trees.py writes both, 1,500 train and 1,000 val per task).
#
#   bash tools/bench/one-pass.sh MNIST_IDX_FOLDER [EPOCHS, default 3] [MTMC binary, default .build/release/mtmc]
#   MODES='per-task mixed' SEEDS='1 2' TREES='samples' bash tools/bench/one-pass.sh ...   # a subset
# The binary may be mtmc-bench instead (its `one-pass` command trains and evaluates as the shell's commands do),
# for a build without the shell: swift build -c release --product mtmc-bench.
#
# Prints one Markdown row per tree, mode and task: each seed's val top-1 and their mean. Needs a release build
# (swift build -c release --product mtmc), Fashion-MNIST (apt-get install dataset-fashion-mnist) and MNIST's
# IDX files (see tools/mnist-tree.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
mnist=${1:?usage: one-pass.sh MNIST_IDX_FOLDER [EPOCHS] [MTMC]} epochs=${2:-3} mtmc=$(realpath "${3:-.build/release/mtmc}")
modes=${MODES:-per-task mixed shared} seeds=${SEEDS:-1 2 3} trees=${TREES:-samples same-domain cross-domain}
work=${WORK:-$(mktemp -d)}
[ -d "$work/trees/cross-domain" ] || python3 tools/bench/one_pass_trees.py "$mnist" "$work/trees" > /dev/null

# The size and folder of each tree: the samples at 32×32 (to keep a run short), the 28×28 digits and garments at 28.
preamble() {
  case $1 in
    samples) echo "set size 32"; echo "load $PWD/samples/prints" ;;
    *) echo "set size 28"; echo "load $work/trees/$1" ;;
  esac
}
# The size and folder of each tree, as mtmc-bench one-pass takes them.
tree_args() { case $1 in samples) echo "$PWD/samples/prints 32" ;; *) echo "$work/trees/$1 28" ;; esac; }
# The val top-1 of each task of the eval table of a transcript, one "task top-1" line per task.
val_top1() { awk '/^  task +images/ {on=1; next} on && NF==5 && $5 ~ /%$/ {print $1, $4; next} on {exit}'; }

echo "| tree | bn | task | $(for s in $seeds; do printf 'seed %s | ' "$s"; done)mean |"
for tree in $trees; do
  for mode in $modes; do
    declare -A cells=() sums=()
    for seed in $seeds; do
      { echo "set seed $seed"; preamble "$tree"; echo "set bn $mode"; echo "model tiny"; echo "train $epochs"; echo "eval"; } > "$work/run.mtmc"
      if [ "$(basename "$mtmc")" = mtmc-bench ]; then
        read -r folder size <<<"$(tree_args "$tree")"
        run() { "$mtmc" one-pass "$folder" "$mode" "$seed" "$epochs" "$size"; }
      else
        run() { (cd "$work" && "$mtmc" run.mtmc | val_top1); }
      fi
      while read -r task top1; do
        cells[$task]+="$top1 | "
        sums[$task]=$(awk -v a="${sums[$task]:-0}" -v b="${top1%\%}" 'BEGIN {print a + b}')
      done < <(run)
    done
    n=$(wc -w <<<"$seeds")
    for task in "${!cells[@]}"; do
      echo "| $tree | $mode | $task | ${cells[$task]}$(awk -v s="${sums[$task]}" -v n="$n" 'BEGIN {printf "%.1f%%", s / n}') |"
    done
    unset cells sums
  done
done

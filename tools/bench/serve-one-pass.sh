#!/usr/bin/env bash
# `mtmc serve` of two builds side by side (README, "One backbone pass"): BEFORE (one backbone pass per task)
# and AFTER (one pass for every task), each serving a tiny 64×64 model it trained itself (BEFORE with its
# per-task statistics, AFTER with `set bn mixed`), on a two-task tree (samples/prints) and a four-task one (its two tasks twice), beside the
# PyTorch peer (tools/bench/serve_torch.py). wrk at 1, 8 and 64 connections; the two builds take turns on each
# row, so a machine whose load drifts treats them alike. Needs wrk; the peer needs torch and Pillow.
#   bash tools/bench/serve-one-pass.sh BEFORE_MTMC AFTER_MTMC [SECONDS per wrk run, default 10] [PYTHON, default python3]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk > /dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
before=$(realpath "$1") after=$(realpath "$2") seconds=${3:-10} python=${4:-python3}
"$python" -c 'import torch, PIL' 2> /dev/null || { echo "needs torch and Pillow for the peer: pip install 'torch==2.13.0+cpu' pillow" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export IMAGE=samples/predict/blue.jpg
mkdir -p "$work/four"
for task in samples/prints/*; do
  cp -r "$task" "$work/four/$(basename "$task")"; cp -r "$task" "$work/four/$(basename "$task")-2"
done

port=18190
declare -A url=()
for build in before after; do
  for tree in two four; do
    folder=$([ $tree = two ] && echo "$PWD/samples/prints" || echo "$work/four")
    binary=$([ $build = before ] && echo "$before" || echo "$after") bn=$([ $build = before ] && echo "" || echo "set bn mixed;")
    "$binary" -c "set size 64; load $folder; balance base 10; $bn model tiny; train 1; save $work/$build-$tree.safetensors" > "$work/make-$build-$tree.log"
    "$binary" serve --model "$work/$build-$tree.safetensors" --port $port > "$work/serve-$build-$tree.log" 2>&1 &
    url[$build-$tree]=http://127.0.0.1:$port/predict
    port=$((port + 1))
  done
done
for tree in two four; do
  "$python" tools/bench/serve_torch.py "$work/after-$tree.safetensors" $port > "$work/torch-$tree.log" 2>&1 &
  url[torch-$tree]=http://127.0.0.1:$port/predict
  port=$((port + 1))
done
sleep 8
for build in before after; do
  for tree in two four; do
    passes=$(curl -s "${url[$build-$tree]%/predict}/model" | "$python" -c 'import json, sys; print(json.load(sys.stdin).get("backbone_passes", "?"))')
    echo "$build $tree tasks: backbone passes per image $passes"
  done
done

source tools/bench/wrk_row.sh
echo "| server | connections | answers/s | p50 | p99 |"
for c in 1 8 64; do
  for tree in two four; do
    run_wrk "mtmc before, $tree tasks" "${url[before-$tree]}" "$c" 22
    run_wrk "mtmc after, $tree tasks" "${url[after-$tree]}" "$c" 22
    run_wrk "python+torch, $tree tasks" "${url[torch-$tree]}" "$c" 22
  done
done

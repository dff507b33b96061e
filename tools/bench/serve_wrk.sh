#!/usr/bin/env bash
# `mtmc serve` against the PyTorch peer (tools/bench/serve_torch.py) and one `mtmc predict` process per
# image, on loopback: wrk at 1, 8 and 64 connections, the tiny model at 64×64 (the same weights in both
# servers), then the server's RSS before and after 100,000 requests. Needs a release build, wrk and torch.
#   bash tools/bench/serve_wrk.sh [SECONDS per wrk run, default 20] [--no-rss]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk > /dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
python3 -c 'import torch, PIL' 2> /dev/null || { echo "needs torch and Pillow for the peer: pip install 'torch==2.13.0+cpu' pillow" >&2; exit 2; }
[ -x .build/release/mtmc ] || { echo "needs a release build: swift build -c release --product mtmc" >&2; exit 2; }
seconds=${1:-20}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mtmc=.build/release/mtmc
image=samples/predict/blue.jpg
export IMAGE=$image
$mtmc -c "set size 64; load samples/prints; model tiny; train 1; eval; calibrate; save $work/tiny64.safetensors" > "$work/make.log"

source tools/bench/wrk_row.sh

echo "| server         | connections | requests/s | p50 | p99 |"
$mtmc serve --model "$work/tiny64.safetensors" --port 18080 > "$work/serve.log" &
serve=$!
python3 tools/bench/serve_torch.py "$work/tiny64.safetensors" 18081 > "$work/torch.log" 2>&1 &
torch=$!
sleep 5
for c in 1 8 64; do
    run_wrk "mtmc serve" http://127.0.0.1:18080/predict "$c"
    run_wrk "python+torch" http://127.0.0.1:18081/predict "$c"
done
kill $torch

# One process per image, as a service without a server has to do it.
start=$(date +%s.%N)
for i in $(seq 20); do $mtmc predict --model "$work/tiny64.safetensors" --json $image > /dev/null; done
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "| mtmc predict   |   1 | %9.1f | %6.1fms |          | (20 processes in a row)\n", 20 / (e - s), (e - s) / 20 * 1000}'

[ "${2:-}" = --no-rss ] && exit 0
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$serve/status; }
echo "RSS of mtmc serve after the runs above: $(rss)"
wrk -t2 -c8 -d600s --latency -s tools/bench/serve_post.lua http://127.0.0.1:18080/predict > /dev/null &
wrk_pid=$!
# Stop wrk once the server has counted 100,000 more /predict answers (or after 25 minutes).
count() { curl -s http://127.0.0.1:18080/metrics | awk '/^mtmc_requests_total\{route="\/predict",status="200"\}/ {print $2}'; }
target=$(( $(count) + 100000 ))
t0=$(date +%s)
while [ "$(count)" -lt "$target" ] && [ $(( $(date +%s) - t0 )) -lt 1500 ]; do sleep 2; done
kill $wrk_pid
echo "RSS of mtmc serve after 100,000 more requests: $(rss) ($(count) answered in all)"

#!/usr/bin/env bash
# Runs the training-defaults ablation (README, "Training defaults: the ablation") on one dataset and prints one
# Markdown row per recipe: val top-1 per task after `train EPOCHS` and `eval`, tiny model, seed 1.
#
#   tools/ablation.sh 'set size 28;load /tmp/mnist' [EPOCHS]
#
# The first argument is the dataset's preamble (`;` separates commands). The distillation row trains its own
# teacher (15 epochs of the defaults) first. Needs a release build: swift build -c release --product mtmc.
set -euo pipefail
cd "$(dirname "$0")/.."
preamble=$1 epochs=${2:-5}
mtmc=$PWD/.build/release/mtmc
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

rows=(
  "old defaults|set lr 0.01;set schedule step;set batch 32;set hflip on;set augment full"
  "reference recipe|set lr 0.05;set schedule cosine;set batch 64;set hflip off;set augment off"
  "new defaults|"
  "+ augment light|set augment light"
  "+ augment full|set augment full"
  "+ flips|set hflip on"
  "+ light random resized crop|set augment light;set crop resized"
  "+ RandAugment 2,9|set randaugment 2,9"
  "+ CutMix α 1|set cutmix 1"
  "+ mixup 0.2|set mixup 0.2"
  "+ label smoothing 0.1|set smoothing 0.1"
  "+ one-cycle|set schedule onecycle"
  "+ 1 warm-up epoch|set warmup 1"
  "+ keep best|set keep best"
  "+ EMA 0.99|set ema 0.99"
  "+ lr auto|set lr auto"
  "lr 0.02|set lr 0.02"
  "+ distillation|set teacher $work/teacher.safetensors;set distill 0.5;set distilltemp 4"
)

# Prints "task top-1" pairs from the eval table of a transcript.
val_top1() { awk '/^  task +images/ {on=1; next} on && NF==5 && $5 ~ /%$/ {printf "%s %s; ", $1, $4; next} on {exit}'; }

run() { # settings, epochs, extra command after eval
  { echo "set seed 1"; tr ';' '\n' <<<"$preamble"; [ -n "$1" ] && tr ';' '\n' <<<"$1"
    echo "model tiny"; echo "train $2"; echo "eval"; [ -n "${3:-}" ] && echo "$3"; } >"$work/row.mtmc"
  (cd "$work" && "$mtmc" row.mtmc)
}

teacher=$(run "" 15 "save $work/teacher.safetensors" | val_top1)
echo "| distillation teacher (15) | defaults | $teacher |"
for row in "${rows[@]}"; do
  name=${row%%|*} settings=${row#*|}
  echo "| $name ($epochs) | \`${settings:-(none)}\` | $(run "$settings" "$epochs" | val_top1) |"
done

#!/usr/bin/env bash
# Creates (or reuses) the virtual environment of the benchmark's Python peers: tools/onnx-venv.sh's (onnx,
# onnxruntime, numpy, Pillow) plus torch 2.13.0+cpu and onnxscript, so that one interpreter exports the
# PyTorch reference nets to ONNX, runs them in ONNX Runtime and runs PyTorch eager and torch.compile.
# Prints the environment's python. Usage: tools/bench/bench-venv.sh [FOLDER]   (default .build/bench-venv)
set -euo pipefail
venv="${1:-.build/bench-venv}"
python="$(dirname "$0")/../onnx-venv.sh"
python="$("$python" "$venv")"
if ! "$python" -c 'import torch, onnxscript' >/dev/null 2>&1; then
    "$python" -m pip install -q --disable-pip-version-check 'torch==2.13.0+cpu' onnxscript >&2
fi
echo "$python"

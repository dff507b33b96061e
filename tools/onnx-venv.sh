#!/usr/bin/env bash
# Creates (or reuses) the virtual environment the ONNX export tests and tools/onnx-predict.py run in:
# onnx (the checker), onnxruntime, numpy and Pillow from PyPI. Prints the environment's python.
# Usage: tools/onnx-venv.sh [FOLDER]   (default .build/onnx-venv)
set -euo pipefail
venv="${1:-.build/onnx-venv}"
python="$venv/bin/python"
# The import check, not the folder, says whether the environment is usable: a half-finished install is redone.
if ! "$python" -c 'import onnx, onnxruntime, numpy, PIL' >/dev/null 2>&1; then
    python3 -m venv "$venv" >&2
    "$python" -m pip install -q --disable-pip-version-check onnx onnxruntime numpy Pillow >&2
fi
echo "$python"

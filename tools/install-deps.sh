#!/usr/bin/env bash
# Installs the Debian packages mtmc builds against, only those missing (apt-get update first). Open MPI is not
# needed to build: mtmc loads it at run time under mpirun; it is installed for data-parallel training and its tests.
# chromium (headless) renders serve's upload page in its browser test; libsixel-bin's sixel2png reads back the
# sixel pictures the shell draws in the terminal.
# NVRTC 13.0 (a pip wheel, no GPU needed) is installed for the kernel compile test; mtmc builds and runs without it.
# locales holds the locale sources the decimal-comma test compiles; python3-venv makes the virtual environment
# NVRTC goes into (Debian's own Python is externally managed: pip refuses to install into it).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(pkg-config libopenblas-dev libedit-dev libpng-dev libjpeg-dev libturbojpeg0-dev libfreetype-dev fonts-wqy-microhei tmux
          openmpi-bin libopenmpi-dev locales python3-venv chromium libsixel-bin)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

# NVRTC 13.0 exactly: a newer one emits PTX that a CUDA 13.0 driver refuses. It goes into .build/venv unless
# python3 already sees it; the NVRTC tests look in both.
has_nvrtc() {
    "$1" -c "import nvidia, os, sys; sys.exit(not any(os.path.exists(os.path.join(d, 'cu13/lib/libnvrtc.so.13')) for d in nvidia.__path__))" 2>/dev/null
}
venv=.build/venv
if ! has_nvrtc python3 && ! has_nvrtc "$venv/bin/python3"; then
    echo "installing: nvidia-cuda-nvrtc==13.0.* (pip, into $venv)"
    [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install -q 'nvidia-cuda-nvrtc==13.0.*' \
        || echo "warning: NVRTC not installed; the NVRTC compile tests will skip, which fails tools/test.sh" >&2
fi

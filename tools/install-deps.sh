#!/usr/bin/env bash
# Installs the Debian packages mtmc builds against, only those missing (apt-get update first). Open MPI is not
# needed to build: mtmc loads it at run time under mpirun; it is installed for data-parallel training and its tests.
set -euo pipefail
packages=(pkg-config libopenblas-dev libedit-dev libpng-dev libjpeg-dev libturbojpeg0-dev libfreetype-dev fonts-wqy-microhei tmux
          openmpi-bin libopenmpi-dev)
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

#!/usr/bin/env bash
# The CUDA backend on a real GPU, for a machine with an NVIDIA GPU and PyTorch but no Swift.
#
#   bash tools/gpu-check.sh prepare   here: release build with the Swift runtime linked in, the kernels
#                                     compiled for sm_90 into a kernel cache, and the shared libraries the
#                                     binary needs, packed in .build/gpu-check.tar.xz (carry that file along:
#                                     about 25 MB, under the 64 MiB a device run may carry)
#   bash tools/gpu-check.sh           there, from the repository root: the device and driver; the libraries in use
#                                     (convolutions by cuDNN or by mtmc's own kernels); op-by-op parity of the CUDA
#                                     backend with the CPU backend (1e-3 relative) with cuDNN and cuBLAS, then with
#                                     mtmc's own kernels only; training and eval img/s of tiny 64×64 b64 and ResNet-18
#                                     224×224 b64 with each convolution path, beside PyTorch-CUDA on the same GPU,
#                                     both FP32 with TF32 off (cuDNN with FMA math)
set -uo pipefail
cd "$(dirname "$0")/.."
out=.build/gpu-check
archive=.build/gpu-check.tar.xz

if [ "${1:-}" = prepare ]; then
    set -e
    swift build -c release --static-swift-stdlib --product mtmc-bench
    rm -rf "$out" && mkdir -p "$out/lib" "$out/cuda-cache"
    cp .build/release/mtmc-bench "$out/"
    strip "$out/mtmc-bench"
    # NVRTC compiles here (the pip wheel, found by mtmc itself); the GPU machine may have no NVRTC 13 and still
    # load these kernels.
    MTMC_CUDA_KERNELS=Sources/Engine/CUDA/Kernels MTMC_CUDA_CACHE=$out/cuda-cache "$out/mtmc-bench" cuda-compile --arch sm_90
    # Every shared library but the C and C++ runtimes (which PyTorch needs there too) travels along.
    ldd "$out/mtmc-bench" | awk '/=> \// {print $3}' \
        | grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libz|ld-linux[^/]*)\.so' \
        | while read -r lib; do cp -L "$lib" "$out/lib/"; done
    tar -C .build -cf - gpu-check | xz -T2 -6 > "$archive"
    du -sh "$out"/* "$archive"
    echo "carry: $archive"
    exit 0
fi

bench="$out/mtmc-bench"
if [ ! -x "$bench" ] && [ -f "$archive" ]; then  # python's lzma: no xz tool needed there
    python3 -c "import tarfile, sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$archive" .build
fi
[ -x "$bench" ] || { echo "no $bench: run 'bash tools/gpu-check.sh prepare' on the build machine and carry $archive"; exit 1; }
export LD_LIBRARY_PATH="$PWD/$out/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MTMC_CUDA_KERNELS="$PWD/Sources/Engine/CUDA/Kernels" MTMC_CUDA_CACHE="$PWD/$out/cuda-cache" MTMC_TOOLS="$PWD/tools"
# NVRTC, cuBLAS and cuDNN: mtmc finds them on the loader's path or in pip's site-packages/nvidia. PyTorch's wheels
# keep cuDNN's own dependencies (cuBLASLt, …) in sibling folders that PyTorch preloads itself: they go on the
# loader's path here, and cuDNN is named where Python sees it, so that this run exercises the cuDNN path.
site=$(python3 -c "import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))" 2>/dev/null) || site=
for lib in "${site:-/nonexistent}"/nvidia/*/lib; do [ -d "$lib" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$lib"; done
if [ -z "${MTMC_CUDNN:-}" ] && [ -f "$site/nvidia/cudnn/lib/libcudnn.so.9" ]; then export MTMC_CUDNN="$site/nvidia/cudnn/lib/libcudnn.so.9"; fi
threads=$(nproc)

echo "== device and driver"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not found"
python3 -c "import torch; print('PyTorch', torch.__version__, 'built for CUDA', torch.version.cuda, '-', torch.cuda.get_device_name(0))" 2>/dev/null \
    || echo "PyTorch with CUDA: not available"
echo "NVRTC: ${MTMC_NVRTC:-found by mtmc on the loader path or in site-packages/nvidia; without one, the kernels of the carried cache}"
echo "cuDNN: ${MTMC_CUDNN:-found by mtmc on the loader path or in site-packages/nvidia (Python sees no nvidia/cudnn wheel)}"

# Each step has its own time limit: all of them together stay under ten minutes.
echo "== op-by-op parity: CUDA backend against the CPU backend (1e-3 relative), convolutions by cuDNN and GEMMs by cuBLAS when present"
timeout 100 "$bench" cuda-parity --threads "$threads"; parity=$?
echo "== the same with mtmc's own kernels only: im2col convolutions and the tiled GEMM (MTMC_CUDNN=off MTMC_CUBLAS=off)"
MTMC_CUDNN=off MTMC_CUBLAS=off timeout 100 "$bench" cuda-parity --threads "$threads" | grep -v "^GPU 0:\|^CUDA driver API" || parity=1

echo "== throughput on the GPU (FP32, TF32 off on both sides), mtmc beside PyTorch-CUDA"
# Convolutions by cuDNN (when it loads), then by mtmc's im2col kernels with cuBLAS GEMMs; each run prints its paths.
for run in "tiny 64 on" "resnet18 224 on" "resnet18 224 off"; do
    set -- $run
    echo "-- $1 ${2}×${2} b64, cuDNN $3"
    MTMC_CUDNN=$([ "$3" = off ] && echo off || echo "${MTMC_CUDNN:-}") timeout 110 "$bench" engine --device cuda --model "$1" --size "$2" --batch 64 \
        --threads "$threads" --windows 3 --steps 4 --latency-runs 5 || echo "$1 ${2}×${2}: the benchmark failed or ran out of time"
done
exit $parity

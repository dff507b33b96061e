// Shared by every kernel file. Kernels are compiled by NVRTC (no host headers), and as C++ on the host
// with Tests/EngineTests/CUDAEmulation/cuda_emulation.h for the parity tests, so they use only builtins.
// Sizes are int: one tensor never holds 2^31 floats here. Block-wide reductions assume 256 threads.

#define MTMC_THREADS 256

__device__ __forceinline__ int global_index() { return (int)(blockIdx.x * blockDim.x + threadIdx.x); }
__device__ __forceinline__ int global_stride() { return (int)(blockDim.x * gridDim.x); }
__device__ __forceinline__ bool is_non_finite(float v) { return (__float_as_int(v) & 0x7f800000) == 0x7f800000; }
__device__ __forceinline__ float negative_infinity() { return __int_as_float(0xff800000); }

// Sum of `value` over the block's MTMC_THREADS threads, returned to every thread. A tree in shared
// memory (no warp shuffles), so the host emulation runs it exactly as written.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    scratch[threadIdx.x] = value;
    __syncthreads();
    for (int half = MTMC_THREADS / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
        __syncthreads();
    }
    float total = scratch[0];
    __syncthreads();
    return total;
}

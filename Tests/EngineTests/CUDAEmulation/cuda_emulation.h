// Runs CUDA C kernels as C++ on the host, for the parity tests (no GPU, no CUDA toolkit).
//
// A launch starts one host thread per CUDA thread of a block. The threads run the grid's blocks one
// after another, all of a block's threads together, so `__shared__` variables (function statics here)
// are shared by exactly the threads of the running block, and __syncthreads is a real barrier: a
// kernel that reads shared memory before every thread wrote it, or forgets a barrier, races here as on
// a GPU. Threads that return early leave the barrier, as exited threads do on the device.
#pragma once
#include <math.h>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

struct dim3 { unsigned x = 1, y = 1, z = 1; };

namespace emu {
inline thread_local dim3 thread_index, block_index;
inline dim3 block_dim, grid_dim;

// A reusable barrier for `count` threads, from which finished threads can drop out.
struct Barrier {
    std::mutex mutex;
    std::condition_variable released;
    int count = 0, waiting = 0;
    unsigned long generation = 0;

    void release_locked() { waiting = 0; generation++; released.notify_all(); }
    void wait() {
        std::unique_lock<std::mutex> lock(mutex);
        unsigned long mine = generation;
        if (++waiting >= count) return release_locked();
        released.wait(lock, [&] { return generation != mine; });
    }
    void drop() {
        std::lock_guard<std::mutex> lock(mutex);
        count--;
        if (waiting > 0 && waiting >= count) release_locked();
    }
    void reset(int n) { std::lock_guard<std::mutex> lock(mutex); count = n; waiting = 0; }
};
inline Barrier sync_barrier, block_end;
inline std::mutex launch_mutex;

template <class... A, size_t... I>
void call(void (*kernel)(A...), void** args, std::index_sequence<I...>) {
    kernel(*static_cast<A*>(args[I])...);
}

template <class... A>
void launch(void (*kernel)(A...), const unsigned* grid, const unsigned* block, void** args) {
    std::lock_guard<std::mutex> serial(launch_mutex);
    grid_dim = dim3{grid[0], grid[1], grid[2]};
    block_dim = dim3{block[0], block[1], block[2]};
    int threads = (int)(block[0] * block[1] * block[2]);
    sync_barrier.reset(threads);
    block_end.reset(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([=] {
            thread_index = dim3{t % block[0], (t / block[0]) % block[1], t / (block[0] * block[1])};
            for (unsigned bz = 0; bz < grid[2]; bz++)
                for (unsigned by = 0; by < grid[1]; by++)
                    for (unsigned bx = 0; bx < grid[0]; bx++) {
                        block_index = dim3{bx, by, bz};
                        call(kernel, args, std::index_sequence_for<A...>{});
                        sync_barrier.drop();
                        block_end.wait();                  // every thread left this block…
                        if (t == 0) sync_barrier.reset(threads);
                        block_end.wait();                  // …and the barrier is whole again
                    }
        });
    }
    for (auto& thread : pool) thread.join();
}
}  // namespace emu

#define threadIdx (emu::thread_index)
#define blockIdx (emu::block_index)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
inline void __syncthreads() { emu::sync_barrier.wait(); }

inline int max(int a, int b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline float __int_as_float(unsigned i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
// expf, logf, sqrtf, fmaxf, fminf: the C library's, from <math.h>.

inline int atomicMin(int* address, int value) {
    int old = __atomic_load_n(address, __ATOMIC_SEQ_CST);
    while (value < old && !__atomic_compare_exchange_n(address, &old, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    return old;
}

// Exports kernel `name` as `emu_launch_<name>(grid[3], block[3], args)`, args as cuLaunchKernel's.
#define EMU_EXPORT(name) \
    extern "C" void emu_launch_##name(const unsigned* grid, const unsigned* block, void** args) { \
        emu::launch(name, grid, block, args); \
    }

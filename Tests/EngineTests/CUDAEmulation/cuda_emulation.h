// Runs CUDA C kernels as C++ on the host, for the parity tests (no GPU, no CUDA toolkit).
//
// Each CUDA thread of a block is a fiber (ucontext) with its own stack; the grid's blocks run one after
// another. __syncthreads switches back to the scheduler, which resumes every other live thread of the
// block up to the same barrier before any goes past it, exactly the guarantee a GPU gives. Between two
// barriers the threads run one after another in a shuffled order (a fixed seed: runs repeat), so a
// missing barrier, a read of shared memory that another thread has not written yet or has already
// overwritten, changes the result.
// `__shared__` variables are function statics here: one copy, shared by the running block's threads.
// Threads that return early leave the barrier, as exited threads do on the device.
#pragma once
#include <math.h>
#include <string.h>
#include <ucontext.h>
#include <utility>
#include <vector>

struct dim3 { unsigned x = 1, y = 1, z = 1; };

namespace emu {
struct Fiber {
    ucontext_t context;
    std::vector<char> stack;
    dim3 index;
    bool done = false;
};

inline dim3 block_index, block_dim, grid_dim;
inline ucontext_t scheduler;
inline Fiber* current = nullptr;
inline void (*block_body)() = nullptr;

inline void start_fiber() {
    block_body();
    current->done = true;
    swapcontext(&current->context, &scheduler);
}

inline void barrier() { swapcontext(&current->context, &scheduler); }

template <class... A, size_t... I>
void call(void (*kernel)(A...), void** args, std::index_sequence<I...>) {
    kernel(*static_cast<A*>(args[I])...);
}

// The kernel and arguments of the launch in progress, for the fibers' body.
template <class... A>
struct Pending {
    static inline void (*kernel)(A...) = nullptr;
    static inline void** args = nullptr;
    static void run() { call(kernel, args, std::index_sequence_for<A...>{}); }
};

template <class... A>
void launch(void (*kernel)(A...), const unsigned* grid, const unsigned* block, void** args) {
    Pending<A...>::kernel = kernel;
    Pending<A...>::args = args;
    block_body = &Pending<A...>::run;
    grid_dim = dim3{grid[0], grid[1], grid[2]};
    block_dim = dim3{block[0], block[1], block[2]};
    int threads = (int)(block[0] * block[1] * block[2]);
    std::vector<Fiber> fibers(threads);
    std::vector<int> order(threads);
    for (int t = 0; t < threads; t++) order[t] = t;
    static unsigned long long seed = 0x9e3779b97f4a7c15ull;
    for (int t = 0; t < threads; t++) {
        fibers[t].stack.resize(64 * 1024);
        fibers[t].index = dim3{t % block[0], (t / block[0]) % block[1], t / (block[0] * block[1])};
    }
    for (unsigned bz = 0; bz < grid[2]; bz++)
        for (unsigned by = 0; by < grid[1]; by++)
            for (unsigned bx = 0; bx < grid[0]; bx++) {
                block_index = dim3{bx, by, bz};
                for (Fiber& f : fibers) {
                    f.done = false;
                    getcontext(&f.context);
                    f.context.uc_stack.ss_sp = f.stack.data();
                    f.context.uc_stack.ss_size = f.stack.size();
                    f.context.uc_link = nullptr;
                    makecontext(&f.context, start_fiber, 0);
                }
                // One round per barrier: every live thread runs up to its next barrier (or its end).
                for (int live = threads; live > 0;) {
                    live = 0;
                    for (int i = threads - 1; i > 0; i--) {  // Fisher–Yates with xorshift64
                        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
                        std::swap(order[i], order[seed % (unsigned long long)(i + 1)]);
                    }
                    for (int i = 0; i < threads; i++) {
                        Fiber& f = fibers[order[i]];
                        if (f.done) continue;
                        current = &f;
                        swapcontext(&scheduler, &f.context);
                        if (!f.done) live++;
                    }
                }
            }
    current = nullptr;
}
}  // namespace emu

#define threadIdx (emu::current->index)
#define blockIdx (emu::block_index)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
inline void __syncthreads() { emu::barrier(); }

inline int max(int a, int b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }
inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline float __int_as_float(unsigned i) { float f; memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; memcpy(&i, &f, 4); return i; }
// expf, logf, sqrtf, fmaxf, fminf: the C library's, from <math.h>.

// Threads of a launch never run at once here, so an atomic is a plain read-modify-write.
inline int atomicMin(int* address, int value) {
    int old = *address;
    if (value < old) *address = value;
    return old;
}

// Exports kernel `name` as `emu_launch_<name>(grid[3], block[3], args)`, args as cuLaunchKernel's.
#define EMU_EXPORT(name) \
    extern "C" void emu_launch_##name(const unsigned* grid, const unsigned* block, void** args) { \
        emu::launch(name, grid, block, args); \
    }

#include "NarrowGEMM.h"

// Each panel's product is kept in `sums` (PR rows by up to MAX_COLUMNS columns, column after column) while K goes
// by in blocks of KC: one block of the panel (PR·KC floats, 16 KB) stays in L1 while each group of at most GROUP
// columns reads it, so that A comes from memory once however many groups B's columns make. A group's 2·GROUP
// accumulators, two vectors of A and one broadcast of B fill fifteen of the sixteen vector registers. A is
// prefetched PREFETCH values of K (2 KB) ahead.
enum { PR = MTMC_NARROW_PANEL_ROWS, GROUP = 6, KC = 256, MAX_COLUMNS = 16, PREFETCH = 32 };

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

long mtmc_narrow_packed_size(long m, long k) { return mtmc_panels_size(PR, m, k); }

void mtmc_pack_narrow(long m, long k, const float *a, long lda, float *packed) { mtmc_pack_panels(PR, m, k, a, lda, packed); }

/// The panel's first `rows` rows of C's `cols` columns from col0 on: sums[j·PR + r] (row r, column j of the
/// product) plus the residual and bias, through the activation, as mtmc_epilogue says.
static void finish(const float *sums, long rows, long cols, float *c, long ldc, const mtmc_epilogue *e, long row0, long col0) {
    for (long r = 0; r < rows; r++) {
        for (long j = 0; j < cols; j++) {
            float v = sums[j * PR + r];
            if (e->residual) v += e->residual[(row0 + r) * e->ldr + col0 + j];
            if (e->bias) v += e->bias[row0 + r];
            // max(v, 0) + slope·min(v, 0), as the engine's other (leaky) ReLUs.
            if (e->activate) v = (v > 0 ? v : 0) + e->slope * (v < 0 ? v : 0);
            c[r * ldc + j] = v;
        }
    }
}

/// sums (+)= one panel's block of kc values of K times B's `cols` columns, in plain C.
static void plain_group(long kc, const float *a, const float *b, long ldb, long cols, int accumulate, float *sums) {
    if (!accumulate) for (long i = 0; i < cols * PR; i++) sums[i] = 0;
    for (long p = 0; p < kc; p++) {
        for (long j = 0; j < cols; j++) {
            float bj = b[p * ldb + j];
            for (long r = 0; r < PR; r++) sums[j * PR + r] += a[p * PR + r] * bj;
        }
    }
}

typedef void group_kernel(long kc, const float *a, const float *b, long ldb, long cols, int accumulate, float *sums);

/// The panels [first_panel, end_panel) through `group`, K in blocks of KC and B's columns in groups of at most
/// GROUP, spread evenly (7 columns: 4 and 3).
static void run_panels(group_kernel *group, long m, long n, long k, const float *packed, long first_panel, long end_panel,
                       const float *b, long ldb, float *c, long ldc, const mtmc_epilogue *e) {
    float sums[MAX_COLUMNS * PR];
    for (long j0 = 0; j0 < n; j0 += MAX_COLUMNS) {
        long width = n - j0 < MAX_COLUMNS ? n - j0 : MAX_COLUMNS, groups = (width + GROUP - 1) / GROUP;
        for (long panel = first_panel; panel < end_panel; panel++) {
            long row0 = panel * PR, rows = m - row0 < PR ? m - row0 : PR;
            for (long pc = 0; pc < k; pc += KC) {
                long kc = k - pc < KC ? k - pc : KC;
                for (long g = 0, j = 0; g < groups; g++) {
                    long cols = width / groups + (g < width % groups);
                    group(kc, packed + row0 * k + pc * PR, b + pc * ldb + j0 + j, ldb, cols, pc > 0, sums + j * PR);
                    j += cols;
                }
            }
            finish(sums, rows, width, c + row0 * ldc + j0, ldc, e, row0, j0);
        }
    }
}

void mtmc_narrow_gemm_plain(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                            const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue) {
    run_panels(plain_group, m, n, k, packed, first_panel, end_panel, b, ldb, c, ldc, &epilogue);
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/// plain_group with `cols` (a constant in each caller, so that the accumulators live in registers) ≤ GROUP:
/// per k, the panel's 16 values in two vectors, each column's value of B broadcast.
AVX2 INLINE void vector_group(long kc, const float *a, const float *b, long ldb, int cols, int accumulate, float *sums) {
    __m256 acc[GROUP][2];
    for (int j = 0; j < cols; j++) {
        acc[j][0] = accumulate ? _mm256_loadu_ps(sums + j * PR) : _mm256_setzero_ps();
        acc[j][1] = accumulate ? _mm256_loadu_ps(sums + j * PR + 8) : _mm256_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        // The hardware's prefetcher alone leaves the stream of A below the memory's bandwidth at few columns.
        _mm_prefetch((const char *)(a + PREFETCH * PR), _MM_HINT_T0);
        __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
        for (int j = 0; j < cols; j++) {
            __m256 bj = _mm256_broadcast_ss(b + j);
            acc[j][0] = _mm256_fmadd_ps(a0, bj, acc[j][0]);
            acc[j][1] = _mm256_fmadd_ps(a1, bj, acc[j][1]);
        }
        a += PR;
        b += ldb;
    }
    for (int j = 0; j < cols; j++) {
        _mm256_storeu_ps(sums + j * PR, acc[j][0]);
        _mm256_storeu_ps(sums + j * PR + 8, acc[j][1]);
    }
}

AVX2 static void avx2_group(long kc, const float *a, const float *b, long ldb, long cols, int accumulate, float *sums) {
    switch (cols) {
    case 1: return vector_group(kc, a, b, ldb, 1, accumulate, sums);
    case 2: return vector_group(kc, a, b, ldb, 2, accumulate, sums);
    case 3: return vector_group(kc, a, b, ldb, 3, accumulate, sums);
    case 4: return vector_group(kc, a, b, ldb, 4, accumulate, sums);
    case 5: return vector_group(kc, a, b, ldb, 5, accumulate, sums);
    default: return vector_group(kc, a, b, ldb, GROUP, accumulate, sums);
    }
}

void mtmc_narrow_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue) {
    run_panels(mtmc_packed_gemm_available() ? avx2_group : plain_group, m, n, k, packed, first_panel, end_panel, b, ldb, c, ldc, &epilogue);
}

#else

void mtmc_narrow_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue) {
    mtmc_narrow_gemm_plain(m, n, k, packed, first_panel, end_panel, b, ldb, c, ldc, epilogue);
}

#endif

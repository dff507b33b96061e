#include "CGEMM.h"

// Register tile: MR rows of C by NR columns (two 8-lane vectors), twelve accumulators. K is cut into blocks of
// about KC so that a panel's block (MR·KC floats) stays in L1 while the strips of B's block pass by, and N into
// blocks of NC so that B's block (KC·NC floats, 256 KB) stays in L2 while every panel reads it.
enum { MR = MTMC_PANEL_ROWS, NR = 16, KC = 256, NC = 256 };

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

long mtmc_panels_size(long panel_rows, long m, long k) { return (m + panel_rows - 1) / panel_rows * panel_rows * k; }

void mtmc_pack_panels(long panel_rows, long m, long k, const float *a, long lda, float *packed) {
    for (long first = 0; first < m; first += panel_rows) {
        float *panel = packed + first * k;
        for (long j = 0; j < k; j++) {
            for (long r = 0; r < panel_rows; r++) panel[j * panel_rows + r] = first + r < m ? a[(first + r) * lda + j] : 0;
        }
    }
}

long mtmc_packed_size(long m, long k) { return mtmc_panels_size(MR, m, k); }

void mtmc_pack_rows(long m, long k, const float *a, long lda, float *packed) { mtmc_pack_panels(MR, m, k, a, lda, packed); }

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int mtmc_packed_gemm_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// Lanes below `count` set (all for count ≥ 8, none for count ≤ 0).
AVX2 INLINE __m256i lanes_below(long count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count < 0 ? 0 : count > 8 ? 8 : count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2 INLINE __m256 load(const float *p, int full, __m256i mask) {
    return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
}

AVX2 INLINE void store(float *p, __m256 v, int full, __m256i mask) {
    if (full) _mm256_storeu_ps(p, v); else _mm256_maskstore_ps(p, mask, v);
}

/// One MR×NR tile of C (its first `rows` rows and `cols` columns) over one block of K: the products, plus C's
/// value when `accumulate` (a later block of K), plus the epilogue when `last` (the last block). `full` says
/// cols = NR, so that the loads and stores go unmasked (a constant in each caller, so each gets its own copy).
AVX2 INLINE void tile(long kc, const float *a, const float *b, long ldb, float *c, long ldc, long rows, long cols,
                      int full, int accumulate, int last, const mtmc_epilogue *e, long row0, long col0) {
    __m256 acc[MR][2];
    for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    __m256i m0 = lanes_below(cols), m1 = lanes_below(cols - 8);
    for (long p = 0; p < kc; p++) {
        __m256 b0 = load(b, full, m0), b1 = load(b + 8, full, m1);
        for (int r = 0; r < MR; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += MR;
        b += ldb;
    }
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
        float *cr = c + r * ldc;
        __m256 v0 = acc[r][0], v1 = acc[r][1];
        if (accumulate) {
            v0 = _mm256_add_ps(v0, load(cr, full, m0));
            v1 = _mm256_add_ps(v1, load(cr + 8, full, m1));
        }
        if (last) {
            if (e->residual) {
                const float *rr = e->residual + (row0 + r) * e->ldr + col0;
                v0 = _mm256_add_ps(v0, load(rr, full, m0));
                v1 = _mm256_add_ps(v1, load(rr + 8, full, m1));
            }
            if (e->bias) {
                __m256 bias = _mm256_broadcast_ss(e->bias + row0 + r);
                v0 = _mm256_add_ps(v0, bias);
                v1 = _mm256_add_ps(v1, bias);
            }
            if (e->activate) {
                // max(v, 0) + slope·min(v, 0), as the engine's other (leaky) ReLUs.
                __m256 zero = _mm256_setzero_ps(), slope = _mm256_set1_ps(e->slope);
                v0 = _mm256_fmadd_ps(slope, _mm256_min_ps(v0, zero), _mm256_max_ps(v0, zero));
                v1 = _mm256_fmadd_ps(slope, _mm256_min_ps(v1, zero), _mm256_max_ps(v1, zero));
            }
        }
        store(cr, v0, full, m0);
        store(cr + 8, v1, full, m1);
    }
}

AVX2 static void full_tile(long kc, const float *a, const float *b, long ldb, float *c, long ldc, long rows,
                           int accumulate, int last, const mtmc_epilogue *e, long row0, long col0) {
    tile(kc, a, b, ldb, c, ldc, rows, NR, 1, accumulate, last, e, row0, col0);
}

AVX2 static void partial_tile(long kc, const float *a, const float *b, long ldb, float *c, long ldc, long rows, long cols,
                              int accumulate, int last, const mtmc_epilogue *e, long row0, long col0) {
    tile(kc, a, b, ldb, c, ldc, rows, cols, 0, accumulate, last, e, row0, col0);
}

void mtmc_packed_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue) {
    long blocks = (k + KC - 1) / KC, kc = (k + blocks - 1) / blocks;
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += kc) {
            long length = k - pc < kc ? k - pc : kc;
            int accumulate = pc > 0, last = pc + length == k;
            for (long panel = first_panel; panel < end_panel; panel++) {
                long row0 = panel * MR, rows = m - row0 < MR ? m - row0 : MR;
                const float *a = packed + row0 * k + pc * MR;
                for (long j = jc; j < jc + nc; j += NR) {
                    const float *bj = b + pc * ldb + j;
                    float *cj = c + row0 * ldc + j;
                    if (jc + nc - j >= NR) full_tile(length, a, bj, ldb, cj, ldc, rows, accumulate, last, &epilogue, row0, j);
                    else partial_tile(length, a, bj, ldb, cj, ldc, rows, jc + nc - j, accumulate, last, &epilogue, row0, j);
                }
            }
        }
    }
}

#else

// Elsewhere `available` says no and the engine sends every product to OpenBLAS; the plain loop below gives the
// same values to a caller that does not ask.
int mtmc_packed_gemm_available(void) { return 0; }

void mtmc_packed_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue) {
    for (long i = first_panel * MR; i < m && i < end_panel * MR; i++) {
        const float *panel = packed + i / MR * MR * k;
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < k; p++) sum += panel[p * MR + i % MR] * b[p * ldb + j];
            if (epilogue.residual) sum += epilogue.residual[i * epilogue.ldr + j];
            if (epilogue.bias) sum += epilogue.bias[i];
            if (epilogue.activate) sum = (sum > 0 ? sum : 0) + epilogue.slope * (sum < 0 ? sum : 0);
            c[i * ldc + j] = sum;
        }
    }
}

#endif

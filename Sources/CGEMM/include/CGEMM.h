#ifndef MTMC_CGEMM_H
#define MTMC_CGEMM_H

// A matrix product whose left operand (a layer's weights, fixed in evaluation) is packed once into panels of
// MTMC_PANEL_ROWS rows, so that each call reads it as packed and the right operand as it lies in memory:
// no per-call packing and no pass that zeroes C first. AVX2 and FMA only (mtmc_packed_gemm_available).

#define MTMC_PANEL_ROWS 6

/// Whether this processor runs the packed product (AVX2 and FMA).
int mtmc_packed_gemm_available(void);

/// Floats of an m×k matrix packed into panels of `panel_rows` rows: m rounded up to whole panels, times k.
long mtmc_panels_size(long panel_rows, long m, long k);

/// Packs the m×k row-major matrix a (rows lda apart) into `packed`: panel p holds, for each column j in
/// order, the values of rows p·panel_rows … + panel_rows − 1 (zero past row m).
void mtmc_pack_panels(long panel_rows, long m, long k, const float *a, long lda, float *packed);

/// mtmc_panels_size and mtmc_pack_panels for this product's panels of MTMC_PANEL_ROWS rows.
long mtmc_packed_size(long m, long k);
void mtmc_pack_rows(long m, long k, const float *a, long lda, float *packed);

/// What follows the product in the same pass: c[i][j] = f(c[i][j] + residual[i][j] + bias[i]), each part when
/// given (bias or residual NULL: none); f a leaky ReLU of negative slope `slope` when `activate`, else identity.
typedef struct {
    const float *bias;
    const float *residual;
    long ldr;
    int activate;
    float slope;
} mtmc_epilogue;

/// Rows of the panels [first_panel, end_panel) of c = epilogue(A·B), A the m×k matrix packed by
/// mtmc_pack_rows, B k×n row-major (rows ldb apart), c m×n (rows ldc apart). C's previous contents are never read.
void mtmc_packed_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue);

#include "NarrowGEMM.h"

#endif

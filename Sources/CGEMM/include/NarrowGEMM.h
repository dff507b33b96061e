#ifndef MTMC_NARROW_GEMM_H
#define MTMC_NARROW_GEMM_H

#include "CGEMM.h"

// A matrix product whose right operand has few columns (one image's last layers: a 2×2 map is 4 columns), on a
// left operand (a layer's weights) packed once into panels of MTMC_NARROW_PANEL_ROWS rows. Its vectors run along
// A's rows, so that each weight is read once per call at streaming bandwidth whatever the number of columns;
// mtmc_packed_gemm's vectors run along C's columns and would leave most of their lanes idle.

#define MTMC_NARROW_PANEL_ROWS 16

/// mtmc_panels_size and mtmc_pack_panels (CGEMM.h) for this product's panels of MTMC_NARROW_PANEL_ROWS rows.
long mtmc_narrow_packed_size(long m, long k);
void mtmc_pack_narrow(long m, long k, const float *a, long lda, float *packed);

/// Rows of the panels [first_panel, end_panel) of c = epilogue(A·B), A the m×k matrix packed by
/// mtmc_pack_narrow, B k×n row-major (rows ldb apart), c m×n (rows ldc apart; its previous contents are never
/// read), the residual's rows epilogue.ldr apart. Any n ≥ 1 gives the right values; it pays below about 16.
/// Runs the AVX2 kernel where mtmc_packed_gemm_available() says so, else mtmc_narrow_gemm_plain.
void mtmc_narrow_gemm(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                      const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue);

/// mtmc_narrow_gemm in plain C, on any processor: the same sums in the same order (without fused multiply-adds).
void mtmc_narrow_gemm_plain(long m, long n, long k, const float *packed, long first_panel, long end_panel,
                            const float *b, long ldb, float *c, long ldc, mtmc_epilogue epilogue);

#endif

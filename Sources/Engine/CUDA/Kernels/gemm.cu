// C = alpha·op(A)·op(B) + beta·C, row-major, op(A) M×K and op(B) K×N; transA: A is stored K×M (lda its
// row length), transB: B is stored N×K. A block of 16×16 threads computes a 64×64 tile of C, each thread
// a 4×4 patch, stepping through K in slices of 16 held in shared memory.

#define GEMM_TILE 64
#define GEMM_SLICE 16

extern "C" __global__ void gemm(int transA, int transB, int m, int n, int k, float alpha,
                                const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    __shared__ float as[GEMM_SLICE][GEMM_TILE + 1];   // as[kk][row]: op(A) slice, transposed
    __shared__ float bs[GEMM_SLICE][GEMM_TILE + 1];   // bs[kk][col]: op(B) slice
    int tx = threadIdx.x, ty = threadIdx.y, t = ty * 16 + tx;
    int rowBase = blockIdx.y * GEMM_TILE, colBase = blockIdx.x * GEMM_TILE;
    float acc[4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < k; k0 += GEMM_SLICE) {
        // 1024 values of each slice, four per thread.
        for (int l = t; l < GEMM_SLICE * GEMM_TILE; l += 256) {
            int kk = l % GEMM_SLICE, r = l / GEMM_SLICE;
            int row = rowBase + r, kIndex = k0 + kk;
            float v = 0.0f;
            if (row < m && kIndex < k) v = transA ? a[kIndex * lda + row] : a[row * lda + kIndex];
            as[kk][r] = v;
            int col = colBase + r;
            float w = 0.0f;
            if (col < n && kIndex < k) w = transB ? b[col * ldb + kIndex] : b[kIndex * ldb + col];
            bs[kk][r] = w;
        }
        __syncthreads();
        for (int kk = 0; kk < GEMM_SLICE; kk++) {
            float av[4], bv[4];
            for (int i = 0; i < 4; i++) av[i] = as[kk][ty + 16 * i];
            for (int j = 0; j < 4; j++) bv[j] = bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; i++) {
        int row = rowBase + ty + 16 * i;
        if (row >= m) continue;
        for (int j = 0; j < 4; j++) {
            int col = colBase + tx + 16 * j;
            if (col >= n) continue;
            float* out = c + row * ldc + col;
            *out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *out;
        }
    }
}

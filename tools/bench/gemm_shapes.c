// Times cblas_sgemm on one image's convolution products (tiny 64×64 and ResNet-18 224×224 at batch 1), best
// of 200 calls each: on one OpenBLAS thread, on two, and cut in two blocks of C (along the longer of M and
// N) computed by single-threaded sgemm calls on two OpenMP threads, as Sources/Engine/CPU/GEMM.swift does.
//   cc -O2 -fopenmp tools/bench/gemm_shapes.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -o /tmp/gemm_shapes
//   OPENBLAS_CORETYPE=Haswell OPENBLAS_THREAD_TIMEOUT=4 /tmp/gemm_shapes
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
extern void openblas_set_num_threads(int);

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void product(int m, int n, int k, const float *a, const float *b, float *c, int split) {
    if (!split) { cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n); return; }
    int columns = n >= m, length = columns ? n : m, block = ((length + 1) / 2 + 15) / 16 * 16;
    #pragma omp parallel for num_threads(2)
    for (int part = 0; part < 2; part++) {
        int lo = part * block, hi = lo + block < length ? lo + block : length;
        if (lo >= hi) continue;
        if (columns) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, hi - lo, k, 1, a, k, b + lo, n, 0, c + lo, n);
        else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, hi - lo, n, k, 1, a + lo * k, k, b, n, 0, c + lo * n, n);
    }
}

int main(void) {
    int shapes[][3] = {{32, 4096, 27}, {64, 1024, 288}, {128, 256, 576}, {256, 64, 1152},
                       {64, 12544, 147}, {64, 3136, 576}, {128, 784, 1152}, {256, 196, 2304}, {512, 49, 4608}};
    float *a = malloc(4 << 24), *b = malloc(4 << 24), *c = malloc(4 << 24);
    for (int i = 0; i < (1 << 24); i++) a[i] = b[i] = rand() / (float)RAND_MAX;
    const char *names[] = {"1 thread", "2 threads", "split in 2"};
    for (int round = 0; round < 3; round++)  // the last round is printed (warm caches, threads started)
        for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            double best[3] = {1e9, 1e9, 1e9};
            for (int way = 0; way < 3; way++) {
                openblas_set_num_threads(way == 1 ? 2 : 1);
                for (int r = 0; r < 200; r++) {
                    double t = now();
                    product(m, n, k, a, b, c, way == 2);
                    t = now() - t;
                    if (t < best[way]) best[way] = t;
                }
            }
            if (round < 2) continue;
            printf("%4d × %5d × %4d:", m, n, k);
            for (int way = 0; way < 3; way++) printf("  %s %7.1f µs (%3.0f GFLOP/s)", names[way], best[way] * 1e6, 2.0 * m * n * k / best[way] / 1e9);
            printf("\n");
        }
    return 0;
}

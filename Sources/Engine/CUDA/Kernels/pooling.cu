// Pooling over planes of height×width (any layout whose first two axes hold the planes), PyTorch's window
// rules as in PoolGeometry. Backward kernels gather: one thread per input pixel sums what the outputs
// whose windows hold it send back, in output order, so no atomics are needed.

// Index within its plane of the first largest input under output (oh, ow)'s window (a NaN wins).
__device__ __forceinline__ int max_pool_winner(const float* src, int oh, int ow, int height, int width,
                                               int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    int h0 = max(0, oh * strideH - padH), h1 = min(height, oh * strideH - padH + kernelH);
    int w0 = max(0, ow * strideW - padW), w1 = min(width, ow * strideW - padW + kernelW);
    float best = negative_infinity();
    int bestIndex = h0 * width + w0;
    for (int ih = h0; ih < h1; ih++) {
        for (int iw = w0; iw < w1; iw++) {
            float v = src[ih * width + iw];
            if (!(v <= best)) { best = v; bestIndex = ih * width + iw; }
        }
    }
    return bestIndex;
}

extern "C" __global__ void max_pool_forward(const float* x, float* y, int planes, int height, int width, int outH, int outW,
                                            int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    int outArea = outH * outW, n = planes * outArea;
    for (int e = global_index(); e < n; e += global_stride()) {
        const float* src = x + (e / outArea) * height * width;
        int oh = (e % outArea) / outW, ow = e % outW;
        y[e] = src[max_pool_winner(src, oh, ow, height, width, kernelH, kernelW, strideH, strideW, padH, padW)];
    }
}

extern "C" __global__ void max_pool_backward(const float* x, const float* dy, float* dx, int planes, int height, int width,
                                             int outH, int outW, int kernelH, int kernelW, int strideH, int strideW,
                                             int padH, int padW) {
    int area = height * width, n = planes * area;
    for (int e = global_index(); e < n; e += global_stride()) {
        int plane = e / area, here = e % area, ih = here / width, iw = here % width;
        const float* src = x + plane * area;
        const float* grad = dy + plane * outH * outW;
        int ohLo = max(0, (ih + padH - kernelH) / strideH), ohHi = min(outH - 1, (ih + padH) / strideH);
        int owLo = max(0, (iw + padW - kernelW) / strideW), owHi = min(outW - 1, (iw + padW) / strideW);
        float sum = 0.0f;
        for (int oh = ohLo; oh <= ohHi; oh++) {
            for (int ow = owLo; ow <= owHi; ow++) {
                if (max_pool_winner(src, oh, ow, height, width, kernelH, kernelW, strideH, strideW, padH, padW) == here)
                    sum += grad[oh * outW + ow];
            }
        }
        dx[e] = sum;
    }
}

// Bounds [h0, h1) × [w0, w1) and divisor of output (oh, ow)'s window, as PoolGeometry.averageWindow.
__device__ __forceinline__ float average_window(int oh, int ow, int height, int width, int kernelH, int kernelW,
                                                int strideH, int strideW, int padH, int padW, int countIncludePad,
                                                int* h0, int* h1, int* w0, int* w1) {
    int hs = oh * strideH - padH, ws = ow * strideW - padW;
    int he = min(hs + kernelH, height + padH), we = min(ws + kernelW, width + padW);
    int padded = (he - hs) * (we - ws);
    *h0 = max(hs, 0); *w0 = max(ws, 0); *h1 = min(he, height); *w1 = min(we, width);
    return (float)(countIncludePad ? padded : (*h1 - *h0) * (*w1 - *w0));
}

extern "C" __global__ void avg_pool_forward(const float* x, float* y, int planes, int height, int width, int outH, int outW,
                                            int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                            int countIncludePad) {
    int outArea = outH * outW, n = planes * outArea;
    for (int e = global_index(); e < n; e += global_stride()) {
        const float* src = x + (e / outArea) * height * width;
        int oh = (e % outArea) / outW, ow = e % outW, h0, h1, w0, w1;
        float divisor = average_window(oh, ow, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
                                       countIncludePad, &h0, &h1, &w0, &w1);
        float sum = 0.0f;
        for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) sum += src[ih * width + iw];
        y[e] = sum / divisor;
    }
}

extern "C" __global__ void avg_pool_backward(const float* dy, float* dx, int planes, int height, int width, int outH, int outW,
                                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                             int countIncludePad) {
    int area = height * width, n = planes * area;
    for (int e = global_index(); e < n; e += global_stride()) {
        int here = e % area, ih = here / width, iw = here % width;
        const float* grad = dy + (e / area) * outH * outW;
        int ohLo = max(0, (ih + padH - kernelH) / strideH), ohHi = min(outH - 1, (ih + padH) / strideH);
        int owLo = max(0, (iw + padW - kernelW) / strideW), owHi = min(outW - 1, (iw + padW) / strideW);
        float sum = 0.0f;
        for (int oh = ohLo; oh <= ohHi; oh++) {
            for (int ow = owLo; ow <= owHi; ow++) {
                int h0, h1, w0, w1;
                float divisor = average_window(oh, ow, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
                                               countIncludePad, &h0, &h1, &w0, &w1);
                if (ih >= h0 && ih < h1 && iw >= w0 && iw < w1) sum += grad[oh * outW + ow] / divisor;
            }
        }
        dx[e] = sum;
    }
}

// [N, C, H, W] (nchw) or [C, N, H, W] → y [N, C]; one block per plane.
extern "C" __global__ void global_avg_pool_forward(const float* x, float* y, int batch, int channels, int area, int nchw) {
    __shared__ float scratch[MTMC_THREADS];
    int plane = blockIdx.x;
    float partial = 0.0f;
    for (int i = threadIdx.x; i < area; i += blockDim.x) partial += x[plane * area + i];
    float total = block_sum(partial, scratch);
    int out = nchw ? plane : (plane % batch) * channels + plane / batch;
    if (threadIdx.x == 0) y[out] = total / (float)area;
}

extern "C" __global__ void global_avg_pool_backward(const float* dy, float* dx, int batch, int channels, int area, int nchw) {
    int n = batch * channels * area;
    for (int e = global_index(); e < n; e += global_stride()) {
        int plane = e / area;
        int source = nchw ? plane : (plane % batch) * channels + plane / batch;
        dx[e] = dy[source] / (float)area;
    }
}

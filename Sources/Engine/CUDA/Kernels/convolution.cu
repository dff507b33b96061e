// im2col and its adjoint for a convolution (groups 1, dilation 1). The input's plane for image n,
// channel c is plane(n, c) = nchw ? n·C + c : c·N + n. Columns of images [first, first + images):
// cols[r][j], r = (c·KH + ki)·KW + kj, j = (n − first)·OH·OW + oh·OW + ow.

__device__ __forceinline__ int input_plane(int n, int c, int batch, int channels, int nchw) {
    return nchw ? n * channels + c : c * batch + n;
}

extern "C" __global__ void im2col(const float* x, float* cols, int batch, int channels, int height, int width,
                                  int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                  int outH, int outW, int nchw, int first, int images) {
    int outArea = outH * outW, widthCols = images * outArea;
    int total = channels * kernelH * kernelW * widthCols;
    for (int e = global_index(); e < total; e += global_stride()) {
        int r = e / widthCols, j = e % widthCols;
        int c = r / (kernelH * kernelW), ki = (r / kernelW) % kernelH, kj = r % kernelW;
        int n = first + j / outArea, oh = (j % outArea) / outW, ow = j % outW;
        int ih = oh * strideH - padH + ki, iw = ow * strideW - padW + kj;
        float v = 0.0f;
        if (ih >= 0 && ih < height && iw >= 0 && iw < width)
            v = x[(input_plane(n, c, batch, channels, nchw) * height + ih) * width + iw];
        cols[e] = v;
    }
}

// One thread per input pixel of the chunk gathers every column entry that read it: no atomics, and
// the taps are summed in a fixed order.
extern "C" __global__ void col2im(const float* cols, float* dx, int batch, int channels, int height, int width,
                                  int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                  int outH, int outW, int nchw, int first, int images) {
    int outArea = outH * outW, widthCols = images * outArea, area = height * width;
    int total = images * channels * area;
    for (int e = global_index(); e < total; e += global_stride()) {
        int local = e / (channels * area), c = (e / area) % channels, ih = (e % area) / width, iw = e % width;
        float sum = 0.0f;
        for (int ki = 0; ki < kernelH; ki++) {
            int hs = ih + padH - ki;
            if (hs < 0 || hs % strideH != 0) continue;
            int oh = hs / strideH;
            if (oh >= outH) continue;
            for (int kj = 0; kj < kernelW; kj++) {
                int ws = iw + padW - kj;
                if (ws < 0 || ws % strideW != 0) continue;
                int ow = ws / strideW;
                if (ow >= outW) continue;
                int r = (c * kernelH + ki) * kernelW + kj;
                sum += cols[r * widthCols + local * outArea + oh * outW + ow];
            }
        }
        dx[(input_plane(first + local, c, batch, channels, nchw) * height + ih) * width + iw] = sum;
    }
}

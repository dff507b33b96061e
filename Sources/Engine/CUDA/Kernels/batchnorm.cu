// Batch normalisation. Channel c's values are x[(o·C + c)·inner + i] for o < outer, i < inner. The
// statistics kernels run one block (MTMC_THREADS threads) per channel; a fused ReLU masks the
// gradient where the saved output is not positive.

extern "C" __global__ void batch_norm_statistics(const float* x, float* mean, float* variance, float* inverseStd,
                                                 int outer, int channels, int inner, float epsilon) {
    __shared__ float scratch[MTMC_THREADS];
    int c = blockIdx.x, count = outer * inner;
    float partial = 0.0f;
    for (int j = threadIdx.x; j < count; j += blockDim.x) partial += x[((j / inner) * channels + c) * inner + j % inner];
    float mu = block_sum(partial, scratch) / (float)count;
    float squares = 0.0f;
    for (int j = threadIdx.x; j < count; j += blockDim.x) {
        float d = x[((j / inner) * channels + c) * inner + j % inner] - mu;
        squares += d * d;
    }
    float v = block_sum(squares, scratch) / (float)count;
    if (threadIdx.x == 0) {
        mean[c] = mu;
        variance[c] = v;
        inverseStd[c] = 1.0f / sqrtf(v + epsilon);
    }
}

extern "C" __global__ void batch_norm_update_running(float* runningMean, float* runningVar, const float* mean,
                                                     const float* variance, int channels, float momentum, float unbias) {
    for (int c = global_index(); c < channels; c += global_stride()) {
        runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * mean[c];
        runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * variance[c] * unbias;
    }
}

extern "C" __global__ void batch_norm_inverse_std(const float* variance, float* inverseStd, int channels, float epsilon) {
    for (int c = global_index(); c < channels; c += global_stride()) inverseStd[c] = 1.0f / sqrtf(variance[c] + epsilon);
}

extern "C" __global__ void batch_norm_normalize(const float* x, float* y, const float* weight, const float* bias,
                                                const float* mean, const float* inverseStd,
                                                int outer, int channels, int inner, int relu) {
    int n = outer * channels * inner;
    for (int i = global_index(); i < n; i += global_stride()) {
        int c = (i / inner) % channels;
        float scale = inverseStd[c] * weight[c], shift = bias[c] - mean[c] * scale;
        float v = x[i] * scale + shift;
        y[i] = relu ? fmaxf(v, 0.0f) : v;
    }
}

// sumDy[c] = Σ g, sumDyXhat[c] = Σ g·(x − μ)·invStd, with g = dy (masked by output > 0 when `relu`).
extern "C" __global__ void batch_norm_gradient_sums(const float* dy, const float* x, const float* output,
                                                    const float* mean, const float* inverseStd, float* sumDy, float* sumDyXhat,
                                                    int outer, int channels, int inner, int relu) {
    __shared__ float scratch[MTMC_THREADS];
    int c = blockIdx.x, count = outer * inner;
    float mu = mean[c], a = 0.0f, b = 0.0f;
    for (int j = threadIdx.x; j < count; j += blockDim.x) {
        int i = ((j / inner) * channels + c) * inner + j % inner;
        float g = relu && !(output[i] > 0.0f) ? 0.0f : dy[i];
        a += g;
        b += g * (x[i] - mu);
    }
    float totalA = block_sum(a, scratch), totalB = block_sum(b, scratch);
    if (threadIdx.x == 0) {
        sumDy[c] = totalA;
        sumDyXhat[c] = totalB * inverseStd[c];
    }
}

// dx = γ·invStd·(g − mean(g) − (x − μ)·invStd·mean(g·x̂)) in training; γ·invStd·g in evaluation.
extern "C" __global__ void batch_norm_input_gradient(const float* dy, const float* x, const float* output,
                                                     const float* mean, const float* inverseStd, const float* weight,
                                                     const float* sumDy, const float* sumDyXhat, float* dx,
                                                     int outer, int channels, int inner, int relu, int training) {
    int n = outer * channels * inner;
    float inverseCount = 1.0f / (float)(outer * inner);
    for (int i = global_index(); i < n; i += global_stride()) {
        int c = (i / inner) % channels;
        float inv = inverseStd[c], scale = weight[c] * inv;
        float meanDy = training ? sumDy[c] * inverseCount : 0.0f;
        float meanDyXhat = training ? sumDyXhat[c] * inverseCount * inv : 0.0f;
        float g = relu && !(output[i] > 0.0f) ? 0.0f : dy[i];
        dx[i] = scale * (g - meanDy - (x[i] - mean[c]) * meanDyXhat);
    }
}

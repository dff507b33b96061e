// Elementwise kernels: one thread per element in a grid-stride loop (launch: blocks of MTMC_THREADS).

extern "C" __global__ void add(const float* a, const float* b, float* y, int n) {
    for (int i = global_index(); i < n; i += global_stride()) y[i] = a[i] + b[i];
}

extern "C" __global__ void add_in_place(float* a, const float* b, int n) {
    for (int i = global_index(); i < n; i += global_stride()) a[i] += b[i];
}

extern "C" __global__ void scale(const float* x, float* y, float s, int n) {
    for (int i = global_index(); i < n; i += global_stride()) y[i] = x[i] * s;
}

extern "C" __global__ void multiply(const float* a, const float* b, float* y, int n) {
    for (int i = global_index(); i < n; i += global_stride()) y[i] = a[i] * b[i];
}

extern "C" __global__ void leaky_relu(const float* x, float* y, float slope, int n) {
    for (int i = global_index(); i < n; i += global_stride()) {
        float v = x[i];
        y[i] = fmaxf(v, 0.0f) + slope * fminf(v, 0.0f);
    }
}

extern "C" __global__ void leaky_relu_backward(const float* dy, const float* x, float* dx, float slope, int n) {
    for (int i = global_index(); i < n; i += global_stride()) dx[i] = dy[i] * (x[i] > 0.0f ? 1.0f : slope);
}

// first[0] ends as the smallest index of a NaN or ±∞ (left at n when there is none).
extern "C" __global__ void first_non_finite(const float* x, int* first, int n) {
    for (int i = global_index(); i < n; i += global_stride()) {
        if (is_non_finite(x[i])) atomicMin(first, i);
    }
}

// Lowers first[0] to `index` when x holds a NaN or ±∞: one launch per tensor of a list, one flag read
// back for the whole list (the index of its first non-finite tensor).
extern "C" __global__ void flag_non_finite(const float* x, int* first, int index, int n) {
    for (int i = global_index(); i < n; i += global_stride()) {
        if (is_non_finite(x[i])) { atomicMin(first, index); return; }
    }
}

// average ← keep·average + (1 − keep)·x: a step of an exponential moving average, in place.
extern "C" __global__ void blend(float* average, const float* x, float keep, int n) {
    for (int i = global_index(); i < n; i += global_stride()) average[i] = keep * average[i] + (1.0f - keep) * x[i];
}

// [A, B, inner] → [B, A, inner].
extern "C" __global__ void swap_first_two_axes(const float* x, float* y, int a, int b, int inner) {
    int n = a * b * inner;
    for (int i = global_index(); i < n; i += global_stride()) {
        int k = i % inner, block = i / inner, ia = block / b, jb = block % b;
        y[(jb * a + ia) * inner + k] = x[i];
    }
}

// [rows, k] → [k]: one thread per column, rows in order (as the CPU sums them).
extern "C" __global__ void sum_rows(const float* x, float* y, int rows, int k) {
    for (int j = global_index(); j < k; j += global_stride()) {
        float sum = 0.0f;
        for (int r = 0; r < rows; r++) sum += x[r * k + j];
        y[j] = sum;
    }
}

extern "C" __global__ void repeat_rows(const float* v, float* y, int rows, int k) {
    int n = rows * k;
    for (int i = global_index(); i < n; i += global_stride()) y[i] = v[i % k];
}

// y[(o·C + c)·inner + i] += bias[c]: a convolution's bias in either layout.
extern "C" __global__ void add_channel_bias(float* y, const float* bias, int outer, int channels, int inner) {
    int n = outer * channels * inner;
    for (int i = global_index(); i < n; i += global_stride()) y[i] += bias[(i / inner) % channels];
}

// sums[c] = Σ over (o, i) of x[(o·C + c)·inner + i]; one block per channel.
extern "C" __global__ void channel_sums(const float* x, float* sums, int outer, int channels, int inner) {
    __shared__ float scratch[MTMC_THREADS];
    int c = blockIdx.x, count = outer * inner;
    float partial = 0.0f;
    for (int j = threadIdx.x; j < count; j += blockDim.x) {
        int o = j / inner, i = j % inner;
        partial += x[(o * channels + c) * inner + i];
    }
    float total = block_sum(partial, scratch);
    if (threadIdx.x == 0) sums[c] = total;
}

// Softmax-family losses over [rows, columns] logits, one thread per row (columns are class counts).

extern "C" __global__ void log_softmax_rows(const float* x, float* y, int rows, int columns) {
    for (int r = global_index(); r < rows; r += global_stride()) {
        const float* row = x + r * columns;
        float top = negative_infinity();
        for (int j = 0; j < columns; j++) top = fmaxf(top, row[j]);
        float sum = 0.0f;
        for (int j = 0; j < columns; j++) sum += expf(row[j] - top);
        float logSum = top + logf(sum);
        for (int j = 0; j < columns; j++) y[r * columns + j] = row[j] - logSum;
    }
}

// dx = dy − softmax·Σ dy per row, softmax = exp(y).
extern "C" __global__ void log_softmax_backward(const float* dy, const float* y, float* dx, int rows, int columns) {
    for (int r = global_index(); r < rows; r += global_stride()) {
        float total = 0.0f;
        for (int j = 0; j < columns; j++) total += dy[r * columns + j];
        for (int j = 0; j < columns; j++) dx[r * columns + j] = dy[r * columns + j] - expf(y[r * columns + j]) * total;
    }
}

// rowLoss[r] = −Σ q·log p over the row's nonzero targets; the host adds the rows.
extern "C" __global__ void cross_entropy_rows(const float* logp, const float* q, float* rowLoss, int rows, int columns) {
    for (int r = global_index(); r < rows; r += global_stride()) {
        float total = 0.0f;
        for (int j = 0; j < columns; j++) {
            float t = q[r * columns + j];
            if (t != 0.0f) total -= t * logp[r * columns + j];
        }
        rowLoss[r] = total;
    }
}

// dx = g·(softmax·Σq − q) per row, g = dLoss / rows.
extern "C" __global__ void cross_entropy_backward(const float* logp, const float* q, float* dx, float g, int rows, int columns) {
    for (int r = global_index(); r < rows; r += global_stride()) {
        float mass = 0.0f;
        for (int j = 0; j < columns; j++) mass += q[r * columns + j];
        for (int j = 0; j < columns; j++) {
            int i = r * columns + j;
            dx[i] = g * (expf(logp[i]) * mass - q[i]);
        }
    }
}

// (1 − ε)·q + ε/K.
extern "C" __global__ void smooth_labels(const float* q, float* y, float epsilon, int columns, int n) {
    for (int i = global_index(); i < n; i += global_stride()) y[i] = q[i] * (1.0f - epsilon) + epsilon / (float)columns;
}

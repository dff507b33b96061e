// Parameter updates in place, PyTorch's rules (see SGD.swift and AdamW.swift), one thread per element.

// hasMomentum 0: plain descent (velocity unused); first 1: the buffer starts at the gradient itself.
extern "C" __global__ void sgd_step(float* w, const float* g, float* velocity, int n, float learningRate, float momentum,
                                    float dampening, float weightDecay, int nesterov, int hasMomentum, int first) {
    for (int i = global_index(); i < n; i += global_stride()) {
        float d = g[i] + weightDecay * w[i];
        if (!hasMomentum) { w[i] -= learningRate * d; continue; }
        float v = first ? d : momentum * velocity[i] + (1.0f - dampening) * d;
        velocity[i] = v;
        w[i] -= learningRate * (nesterov ? d + momentum * v : v);
    }
}

extern "C" __global__ void adamw_step(float* w, const float* g, float* m, float* v, int n, float learningRate, float beta1,
                                      float beta2, float epsilon, float weightDecay, float stepSize, float correction2Root) {
    for (int i = global_index(); i < n; i += global_stride()) {
        w[i] *= 1.0f - learningRate * weightDecay;
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        w[i] -= stepSize * m[i] / (sqrtf(v[i]) / correction2Root + epsilon);
    }
}

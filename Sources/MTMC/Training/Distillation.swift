import Engine
import Foundation

/// Knowledge distillation (Hinton et al., 2015): the loss mixes the hard-label cross-entropy with the
/// cross-entropy against the teacher's softened outputs,
///     (1 − w)·CE(s, y) + w·T²·CE(s/T, softmax(t/T)),
/// T² keeping the soft term's gradients on the scale of the hard one's. The soft term equals the KL
/// divergence plus the teacher's entropy, a constant: same gradients, so the reported loss is that much higher.
public struct Distillation {
    public let teacher: MultiTaskModel
    public let temperature: Float
    public let weight: Float

    public init(teacher: MultiTaskModel, temperature: Float, weight: Float) {
        self.teacher = teacher
        self.temperature = temperature
        self.weight = weight
    }

    /// The teacher's outputs for a batch of one task, without gradients and with its own statistics.
    public func teacherLogits(_ inputs: Tensor, task: Int) throws -> Tensor {
        teacher.setTraining(false)
        return try GradMode.withoutGradients { try teacher(Variable(inputs), task: task) }.value
    }

    /// The mixed loss for the student's logits, given the hard loss already computed and the teacher's logits.
    public func loss(student: Variable, hard: Variable, teacherLogits: Tensor) throws -> Variable {
        let soft = try Self.softmax(teacherLogits, temperature: temperature)
        let distilled = try crossEntropy(scale(student, by: 1 / temperature), targetDistribution: soft)
        return try add(scale(hard, by: 1 - weight), scale(distilled, by: weight * temperature * temperature))
    }

    /// softmax(z/T) of each row of [N, K].
    public static func softmax(_ logits: Tensor, temperature: Float) throws -> Tensor {
        let k = logits.shape[1], v = logits.scalars
        var out = [Float](repeating: 0, count: v.count)
        for row in 0..<logits.shape[0] {
            let z = v[(row * k)..<((row + 1) * k)].map { Double($0 / temperature) }
            let top = z.max() ?? 0
            let e = z.map { exp($0 - top) }, sum = e.reduce(0, +)
            for j in 0..<k { out[row * k + j] = Float(e[j] / sum) }
        }
        return try Tensor(shape: logits.shape, values: out)
    }
}

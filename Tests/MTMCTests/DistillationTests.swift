import Engine
import Foundation
import MTMC
import XCTest

final class DistillationTests: XCTestCase {
    private func softmax(_ z: [Double]) -> [Double] {
        let e = z.map { exp($0 - z.max()!) }
        return e.map { $0 / e.reduce(0, +) }
    }

    func testTheLossAndItsGradientMatchTheFormulaByHand() throws {
        let s: [[Double]] = [[1, 2, 0], [0.5, -1, 2]], t: [[Double]] = [[0, 3, 1], [2, 0, -1]], labels = [1, 2]
        let (temperature, weight) = (2.0, 0.3)
        var expected = 0.0
        var gradient: [Double] = []
        for row in 0..<2 {
            let q = softmax(s[row]), qT = softmax(s[row].map { $0 / temperature }), p = softmax(t[row].map { $0 / temperature })
            let hard = -log(q[labels[row]]), soft = -zip(p, qT).reduce(0) { $0 + $1.0 * log($1.1) }
            expected += ((1 - weight) * hard + weight * temperature * temperature * soft) / 2
            for j in 0..<3 {
                let y = j == labels[row] ? 1.0 : 0
                gradient.append(((1 - weight) * (q[j] - y) + weight * temperature * (qT[j] - p[j])) / 2)
            }
        }
        let student = Variable(try Tensor(shape: [2, 3], values: s.flatMap { $0.map(Float.init) }), requiresGrad: true)
        let hard = try crossEntropy(student, labels: labels)
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [3], seed: 1)
        let d = Distillation(teacher: model, temperature: Float(temperature), weight: Float(weight))
        let loss = try d.loss(student: student, hard: hard, teacherLogits: try Tensor(shape: [2, 3], values: t.flatMap { $0.map(Float.init) }))
        XCTAssertEqual(Double(loss.value.scalar), expected, accuracy: 1e-5)
        try loss.backward()
        for (a, b) in zip(student.grad!.scalars, gradient) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
    }

    func testSoftmaxAtATemperature() throws {
        let p = try Distillation.softmax(try Tensor(shape: [1, 2], values: [0, Float(log(3.0) * 4)]), temperature: 4).scalars
        XCTAssertEqual(p[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(p[1], 0.75, accuracy: 1e-6)
    }

    func testATeacherAtWeightZeroChangesNothingAndAtAHalfChangesTraining() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        try TrainingTests.onOneThread {
            let teacher = TrainingTests.trainer { $0.validateEvery = 0 }
            _ = try teacher.train(epochs: 2, on: dataset)
            func weights(_ weight: Float?) throws -> [[Float]] {
                let trainer = TrainingTests.trainer { $0.validateEvery = 0; $0.distillWeight = weight ?? 0 }
                if weight != nil { trainer.teacher = (teacher.model, "teacher.safetensors") }
                _ = try trainer.train(epochs: 1, on: dataset)
                return TrainingTests.fullModel(trainer)
            }
            let plain = try weights(nil)
            XCTAssertEqual(try weights(0), plain)
            XCTAssertNotEqual(try weights(0.5), plain)
            XCTAssertEqual(try weights(0.5), try weights(0.5))
        }
    }
}

import Engine
import Foundation
@testable import MTMC
import XCTest

/// One backbone pass for every task: mixed batches in training, one pass in evaluation, and checkpoints
/// with per-task statistics still answered one pass per task.
final class OnePassTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    private static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/predict")

    private func samples(task: Int, count: Int) -> [Sample] { (0..<count).map { Sample(image: task * 1000 + $0, label: $0 % 2) } }

    func testMixedBatchesHoldEveryTasksShareAndUseEachDrawnSampleOnce() {
        let drawn = [samples(task: 0, count: 50), samples(task: 1, count: 20), samples(task: 2, count: 5)]
        let plan = mixedBatches(drawn, batchSize: 16)
        XCTAssertEqual(plan.count, 5)  // 75 samples, 16 a batch
        XCTAssertEqual(plan.flatMap(\.samples).map(\.image).sorted(), drawn.flatMap { $0 }.map(\.image).sorted())
        for batch in plan {
            XCTAssertEqual(batch.parts.map(\.rows.count).reduce(0, +), batch.samples.count)
            for part in batch.parts {
                XCTAssertGreaterThanOrEqual(part.rows.count, 2, "a head's batch norm needs two samples")
                XCTAssertTrue(batch.samples[part.rows].allSatisfy { $0.image / 1000 == part.task }, "rows of task \(part.task)")
            }
        }
        // The large tasks are in every batch; the 5 samples of task 2 fit two batches of at least two.
        XCTAssertTrue(plan.allSatisfy { $0.parts.map(\.task).starts(with: [0, 1]) })
        XCTAssertEqual(plan.filter { $0.parts.contains { $0.task == 2 } }.count, 2)
    }

    func testMixedStatisticsAreTheDefaultAndCheckpointsWithoutTheSettingTrainedOnSingleTaskBatches() throws {
        XCTAssertEqual(SessionSettings().batchNormMode, "mixed")
        let old = try JSONDecoder().decode(TrainingSettings.self, from: Data(#"{"seed": 4}"#.utf8))
        XCTAssertFalse(old.mixTasks)
        XCTAssertTrue(try JSONDecoder().decode(TrainingSettings.self, from: JSONEncoder().encode(TrainingSettings())).mixTasks)
    }

    func testOnePassGivesEveryTasksAnswersOfThePerTaskPath() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        var settings = TrainingTests.settings()
        settings.mixTasks = true
        let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 5)
        model.sharedStatistics = true
        let trainer = Trainer(model: model, settings: settings)
        _ = try trainer.train(epochs: 1, on: dataset)
        XCTAssertEqual(model.passesPerImage, 1)
        var rng = RandomGenerator(seed: 9)
        let x = try Tensor(shape: [5, 3, 16, 16], values: (0..<(5 * 3 * 16 * 16)).map { _ in rng.nextUniform() * 2 - 1 })
        model.setTraining(false)
        let (onePass, perTask) = try GradMode.withoutGradients {
            (try model.outputs(Variable(x)).map(\.value), try (0..<2).map { try model(Variable(x), task: $0).value })
        }
        for t in 0..<2 {
            XCTAssertEqual(onePass[t].shape, [5, t == 0 ? 2 : 3])
            XCTAssertEqual(argmaxRows(onePass[t]), argmaxRows(perTask[t]), "task \(t)")
            for (a, b) in zip(onePass[t].scalars, perTask[t].scalars) { XCTAssertEqual(a, b, accuracy: 1e-5, "task \(t)") }
        }
        // A mixed batch's rows read their own task's head: rows 0..<2 of task 1, rows 2..<5 of task 0.
        let parts = [TaskRows(task: 1, rows: 0..<2), TaskRows(task: 0, rows: 2..<5)]
        let mixed = try GradMode.withoutGradients { try model(Variable(x), parts: parts).map(\.value) }
        XCTAssertEqual(mixed.map(\.shape), [[2, 3], [3, 2]])
        for (a, b) in zip(mixed[0].scalars, perTask[1].scalars.prefix(6)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        for (a, b) in zip(mixed[1].scalars, perTask[0].scalars.suffix(6)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testTrainingWithMixedBatchesTakesOneStepPerMixedBatch() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        for mix in [true, false] {
            var settings = TrainingTests.settings()
            settings.mixTasks = mix
            settings.batchSize = 8
            let model = MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 5)
            model.sharedStatistics = true
            let trainer = Trainer(model: model, settings: settings)
            let (records, stop) = try trainer.train(epochs: 1, on: dataset)
            XCTAssertNil(stop)
            let record = try XCTUnwrap(records.first)
            let images = record.tasks.map(\.images)
            XCTAssertTrue(images.allSatisfy { $0 > 0 }, "every task trained: \(images)")
            let total = images.reduce(0, +), perTask = images.map { ($0 + 7) / 8 }.reduce(0, +)
            XCTAssertLessThan((total + 7) / 8, perTask, "the draws must tell the two plans apart: \(images)")
            // Mixed: batches of 8 images of both tasks; single-task: each task's draw in batches of its own.
            XCTAssertEqual(record.steps, mix ? (total + 7) / 8 : perTask, "mixed \(mix)")
            XCTAssertTrue(record.tasks.allSatisfy { $0.loss.isFinite })
        }
    }

    /// A checkpoint written before one-pass models (per-task statistics, no mixTasks in its settings) by that
    /// version's `mtmc`, with its `predict --json` answers for the bundled sample images.
    func testACheckpointWithPerTaskStatisticsAnswersAsBeforeWithAPassPerTask() throws {
        let checkpoint = try Checkpoint.open(Self.fixtures.appendingPathComponent("per-task-statistics.safetensors").path)
        XCTAssertFalse(checkpoint.sharedStatistics)
        XCTAssertFalse(checkpoint.settings.mixTasks)
        let model = try checkpoint.makeTrainer().model
        XCTAssertEqual(model.passesPerImage, 2)
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("per-task-statistics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(expected.count, 3)

        func answers(_ model: MultiTaskModel) throws -> [String: [String: [String: Double]]] {
            var found: [String: [String: [String: Double]]] = [:]
            try predictImages([Self.samples.path], shown: ["predict"], model: model, tasks: checkpoint.tasks, settings: checkpoint.settings,
                              normalization: checkpoint.normalization, calibration: [], pixelLimit: 100_000_000) { report in
                XCTAssertEqual(report.backbonePasses, model.passesPerImage)
                for (path, tasks) in report.results {
                    let name = (path as NSString).lastPathComponent
                    for (task, scores) in tasks { found[name, default: [:]][task] = Dictionary(uniqueKeysWithValues: scores.map { ($0.name, $0.raw) }) }
                }
            }
            return found
        }
        let now = try answers(model)
        var largestOneSetGap = 0.0
        let oneSet = try checkpoint.makeTrainer().model
        oneSet.sharedStatistics = true  // task 0's statistics for every task: what one pass would have used
        let oneSetAnswers = try answers(oneSet)
        for image in expected {
            let name = image["image"] as! String
            for (task, scores) in image["tasks"] as! [String: [[String: Any]]] {
                let raw = Dictionary(uniqueKeysWithValues: scores.map { ($0["class"] as! String, $0["raw"] as! Double) })
                let got = try XCTUnwrap(now[name]?[task], "\(name) \(task)")
                XCTAssertEqual(got.max { $0.value < $1.value }?.key, scores[0]["class"] as? String, "\(name) \(task): top class")
                for (cls, value) in raw { XCTAssertEqual(got[cls]!, value, accuracy: 1e-3, "\(name) \(task) \(cls)") }
                for (cls, value) in raw { largestOneSetGap = max(largestOneSetGap, abs(oneSetAnswers[name]![task]![cls]! - value)) }
            }
        }
        // The fixture tells the two apart: one set of statistics for both tasks answers differently.
        XCTAssertGreaterThan(largestOneSetGap, 0.05)
    }
}

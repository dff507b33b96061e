import Engine
import Foundation
import MTMC
import XCTest

final class CheckpointTests: XCTestCase {
    private var folder = ""

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-ckpt-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func tasks(_ dataset: Dataset) -> [TaskClasses] { dataset.tasks.map { TaskClasses(name: $0.name, classes: $0.classes) } }

    func testRoundTripGivesIdenticalOutputsAndIdenticalContinuedTraining() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        try TrainingTests.onOneThread {
            let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 3), settings: TrainingTests.settings())
            _ = try trainer.train(epochs: 2, on: dataset)
            let path = folder + "/model.safetensors"
            try Checkpoint.save(trainer: trainer, tasks: tasks(dataset), calibration: nil, to: path)

            let checkpoint = try Checkpoint.open(path)
            XCTAssertEqual(checkpoint.tasks, tasks(dataset))
            XCTAssertEqual(checkpoint.epochsCompleted, 2)
            XCTAssertEqual(checkpoint.settings, trainer.settings)
            let restored = try checkpoint.makeTrainer()
            XCTAssertEqual(restored.history, trainer.history)
            for phase in ["val", "train"] {
                let a = try evaluate(trainer.model, on: dataset, phase: phase, settings: trainer.settings)
                let b = try evaluate(restored.model, on: dataset, phase: phase, settings: restored.settings)
                XCTAssertEqual(a.map(\.logits.scalars), b.map(\.logits.scalars))
            }
            _ = try trainer.train(epochs: 1, on: dataset)
            _ = try restored.train(epochs: 1, on: dataset)
            XCTAssertEqual(trainer.model.stateDict().map(\.tensor.scalars), restored.model.stateDict().map(\.tensor.scalars))
            XCTAssertEqual(restored.epochsCompleted, 3)
        }
    }

    func testCheckpointLoadsAsAPlainPyTorchStyleStateDict() throws {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 3), settings: TrainingTests.settings())
        let path = folder + "/m.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "人物", classes: ["是", "否"])], calibration: nil, to: path)
        let file = try SafeTensorsFile.read(from: path)
        XCTAssertNotNil(file.tensors["backbone.blocks.0.conv.weight"])
        XCTAssertNotNil(file.tensors["heads.0.embed.weight"])
        XCTAssertNotNil(file.tensors["task_stats.0.backbone.blocks.0.bn.running_mean"])
        XCTAssertEqual(file.metadata["tasks"], #"[{"classes":["是","否"],"name":"人物"}]"#)
        XCTAssertEqual(file.metadata["architecture"], "tiny")
        XCTAssertEqual(file.metadata["input_size"], "16x16")
    }

    /// The failure is injected with a file-size limit, which binds root too (permissions do not), so the
    /// old checkpoint is compared byte for byte after a save that really failed midway.
    func testAFailedSaveLeavesThePreviousFileIntact() throws {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 3), settings: TrainingTests.settings())
        let path = folder + "/m.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "t", classes: ["a", "b"])], calibration: nil, to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var saved = rlimit(), limited = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        limited = saved
        limited.rlim_cur = rlim_t(before.count / 2)
        let handler = signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        // Another task name: the new file would differ from the old one.
        XCTAssertThrowsError(try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "u", classes: ["a", "b"])], calibration: nil, to: path)) {
            XCTAssertTrue("\($0)".contains("File too large; the previous file, if any, is unchanged"), "\($0)")
        }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, handler)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["m.safetensors"])
        XCTAssertThrowsError(try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "t", classes: ["a", "b"])], calibration: nil,
                                                 to: folder + "/gone/m.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testTruncatedTamperedAndForeignFilesAreRefused() throws {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 3), settings: TrainingTests.settings())
        let path = folder + "/m.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "t", classes: ["a", "b"])], calibration: nil, to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        let truncated = folder + "/truncated.safetensors"
        try good.prefix(good.count - 100).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try Checkpoint.open(truncated)) { error in
            XCTAssertTrue("\(error)".contains("past the data section"), "\(error)")
        }

        let tampered = folder + "/tampered.safetensors"
        var edited = good
        let range = try XCTUnwrap(good.range(of: Data(#""architecture":"tiny""#.utf8)))
        edited.replaceSubrange(range, with: Data(#""architecture":"vgg1""#.utf8))  // same length: offsets stay valid
        try edited.write(to: URL(fileURLWithPath: tampered))
        XCTAssertThrowsError(try Checkpoint.open(tampered)) { error in
            XCTAssertEqual("\(error)", "\(tampered): not a usable mtmc checkpoint: unknown architecture vgg1")
        }

        let plain = folder + "/plain.safetensors"
        try SafeTensorsFile.write([("conv1.weight", Tensor(zeros: [1]))], to: plain)
        XCTAssertThrowsError(try Checkpoint.open(plain)) { error in
            XCTAssertTrue("\(error)".contains("no format \"mtmc-checkpoint\""), "\(error)")
        }

        var shrunk = try Checkpoint.open(path)
        shrunk.modelTensors["heads.0.classifier.weight"] = Tensor(zeros: [3, 256])
        XCTAssertThrowsError(try shrunk.makeTrainer()) { error in
            XCTAssertTrue("\(error)".contains("heads.0.classifier.weight: expected shape [2, 256], file has [3, 256]"), "\(error)")
        }
    }

    /// Statistics set aside per task before `bn shared` must not be saved and restored over the shared ones.
    func testSwitchingToSharedStatisticsSurvivesSaveAndOpen() throws {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 3), settings: TrainingTests.settings())
        let model = trainer.model
        let buffers = model.backbone.namedVariables(prefix: "backbone").filter(\.isBuffer)
        func fill(_ value: Float) { for b in buffers { b.variable.value = Tensor(shape: b.variable.value.shape, repeating: value) } }
        model.selectStatistics(0); fill(1)
        model.selectStatistics(1); fill(2)  // task 0's set (1) is aside, task 1's (2) in the backbone
        model.sharedStatistics = true
        fill(3)  // what training in shared mode does to the one set
        let path = folder + "/shared.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "a", classes: ["x", "y"]), TaskClasses(name: "b", classes: ["p", "q", "r"])],
                            calibration: nil, to: path)
        let restored = try Checkpoint.open(path).makeTrainer()
        XCTAssertTrue(restored.model.sharedStatistics)
        let restoredBuffers = restored.model.backbone.namedVariables(prefix: "backbone").filter(\.isBuffer)
        for task in 0..<2 {
            restored.model.selectStatistics(task)
            XCTAssertEqual(Set(restoredBuffers.flatMap(\.variable.value.scalars)), [3], "task \(task)")
        }
        // Back to per-task: every task starts from the shared statistics.
        restored.model.sharedStatistics = false
        restored.model.selectStatistics(0)
        XCTAssertEqual(Set(restoredBuffers.flatMap(\.variable.value.scalars)), [3])
    }

    func testTheLastEvaluationIsSavedAndRestoredAndCheckedOnOpening() throws {
        let (tree, dataset) = try TrainingTests.easyDataset()
        _ = tree
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2, 3], seed: 3), settings: TrainingTests.settings())
        let evaluations = try evaluate(trainer.model, on: dataset, phase: "val", settings: trainer.settings)
        let path = folder + "/evaluated.safetensors"
        try Checkpoint.save(trainer: trainer, tasks: tasks(dataset), calibration: nil, evaluations: evaluations, to: path)
        let restored = try Checkpoint.open(path).evaluations
        XCTAssertEqual(restored.map(\.taskName), ["shade", "tone"])
        XCTAssertEqual(restored.map(\.phase), ["val", "val"])
        XCTAssertEqual(restored.map(\.logits.scalars), evaluations.map(\.logits.scalars))
        XCTAssertEqual(restored.map(\.labels), evaluations.map(\.labels))
        XCTAssertEqual(restored.map(\.confusion), evaluations.map(\.confusion))
        XCTAssertEqual(restored.map(\.top1), evaluations.map(\.top1))
        XCTAssertTrue(try Checkpoint.open(folder + "/evaluated.safetensors").evaluations.count == 2)

        // A label outside the task's classes, or outputs of the wrong width, refuse the file.
        var file = try SafeTensorsFile.read(from: path)
        file.tensors["evaluation.0.labels"] = try Tensor(shape: [evaluations[0].labels.count], values: evaluations[0].labels.map { _ in 7 })
        try SafeTensorsFile.write(file.tensors.map { ($0.key, $0.value) }, metadata: file.metadata, to: folder + "/bad-label.safetensors")
        XCTAssertThrowsError(try Checkpoint.open(folder + "/bad-label.safetensors")) { error in
            XCTAssertTrue("\(error)".hasSuffix("evaluation of task shade: a label outside its 2 classes"), "\(error)")
        }
        file = try SafeTensorsFile.read(from: path)
        file.tensors["evaluation.1.logits"] = Tensor(zeros: [evaluations[1].labels.count, 2])
        try SafeTensorsFile.write(file.tensors.map { ($0.key, $0.value) }, metadata: file.metadata, to: folder + "/bad-shape.safetensors")
        XCTAssertThrowsError(try Checkpoint.open(folder + "/bad-shape.safetensors")) { error in
            XCTAssertTrue("\(error)".hasSuffix("evaluation of task tone: missing, or shapes that do not fit its 3 classes"), "\(error)")
        }
    }

    func testClassDifferencesAreListed() {
        let saved = [TaskClasses(name: "印花", classes: ["条纹", "格子"]), TaskClasses(name: "颜色", classes: ["红"])]
        XCTAssertEqual(Checkpoint.differences(saved, saved), [])
        let loaded = [TaskClasses(name: "印花", classes: ["条纹", "波点"]), TaskClasses(name: "颜色", classes: ["红"])]
        XCTAssertEqual(Checkpoint.differences(saved, loaded), ["task 印花: only in checkpoint: 格子; only in dataset: 波点"])
        XCTAssertEqual(Checkpoint.differences(saved, [loaded[0]]),
                       ["tasks: checkpoint has 印花, 颜色; dataset has 印花", "task 印花: only in checkpoint: 格子; only in dataset: 波点"])
    }
}

import Engine
import Foundation
import MTMC
import Vision
import XCTest

/// Every field of a checkpoint is hostile: each tampered field is refused with a message
/// naming the file and the field, before anything is built from it.
final class HostileCheckpointTests: XCTestCase {
    private var folder = ""
    private let tasks = [TaskClasses(name: "t", classes: ["a", "b"])]

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-hostile-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// A valid calibration of task t, as `calibrate` makes it.
    private func calibrationJSON(task: String = "t", classes: [String] = ["a", "b"]) throws -> String {
        let logits = try Tensor(shape: [6, classes.count], values: (0..<(6 * classes.count)).map { Float($0 % 5) - 2 })
        let calibration = TaskCalibration(task: task, classes: classes, logits: logits, labels: (0..<6).map { $0 % classes.count })
        return String(decoding: try JSONEncoder().encode([calibration]), as: UTF8.self)
    }

    /// A checkpoint of a fresh tiny model, its metadata then changed by `edit`; returns the path.
    private func tampered(_ name: String, calibration: String? = nil, _ edit: (inout [String: String], inout [String: Tensor]) throws -> Void) throws -> String {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: 3), settings: TrainingTests.settings())
        let path = folder + "/\(name).safetensors"
        try Checkpoint.save(trainer: trainer, tasks: tasks, calibration: calibration, to: path)
        let file = try SafeTensorsFile.read(from: path)
        var metadata = file.metadata, tensors = file.tensors
        try edit(&metadata, &tensors)
        try SafeTensorsFile.write(tensors.map { ($0.key, $0.value) }, metadata: metadata, to: path)
        return path
    }

    private func assertRefused(_ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.open(path).makeTrainer(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", "\(path): not a usable mtmc checkpoint: \(expected)", file: file, line: line)
        }
    }

    private func settingsJSON(_ change: (inout TrainingSettings) -> Void) throws -> String {
        var settings = TrainingTests.settings()
        change(&settings)
        return String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
    }

    func testSavedSettingsAreValidatedAsSetValidatesThem() throws {
        assertRefused(try tampered("batch") { m, _ in m["settings"] = try settingsJSON { $0.batchSize = 1_000_000_000 } },
                      "saved settings outside what set allows: batch 1000000000")
        assertRefused(try tampered("size") { m, _ in m["settings"] = try settingsJSON { $0.inputWidth = 100_000 } },
                      "saved settings outside what set allows: size width 100000")
        assertRefused(try tampered("lr") { m, _ in m["settings"] = try settingsJSON { $0.learningRate = 1e9; $0.seed = .max } },
                      "saved settings outside what set allows: lr 1e+09, seed 18446744073709551615")
    }

    func testCountersAndHistoryMustBeOnesTrainingCouldHaveMade() throws {
        assertRefused(try tampered("epoch") { m, _ in m["epoch"] = String(Int.max) }, "metadata epoch is missing or out of range")
        assertRefused(try tampered("history") { m, _ in
            m["epoch"] = "1"
            m["history"] = #"[{"epoch":0,"tasks":[{"images":-5,"lossSum":0,"correct":0,"seconds":0}],"partial":false,"steps":1,"plannedSteps":1}]"#
        }, "metadata history has an impossible record for epoch 0")
    }

    func testClassCountsMustMatchTheClassifierTensors() throws {
        // A class list can no longer size a head beyond the tensors the file holds.
        assertRefused(try tampered("classes") { m, _ in
            m["tasks"] = String(decoding: try JSONEncoder().encode([TaskClasses(name: "t", classes: (0..<50_000).map(String.init))]), as: UTF8.self)
        }, "task t lists 50000 classes but heads.0.classifier.weight has 2 rows")
        assertRefused(try tampered("repeated") { m, _ in m["tasks"] = #"[{"name":"t","classes":["a","a"]}]"# },
                      "task t has no classes, or empty or repeated class names")
        assertRefused(try tampered("normalization") { m, _ in m["normalization"] = #"{"mean":[0,0,0],"std":[0,1,1]}"# },
                      "metadata normalization is malformed")
    }

    func testTaskAndClassNamesMustBeUsableAsFileNames() throws {
        func names(_ task: String, _ classes: [String]) throws -> String {
            String(decoding: try JSONEncoder().encode([TaskClasses(name: task, classes: classes)]), as: UTF8.self)
        }
        assertRefused(try tampered("dotdot") { m, _ in m["tasks"] = try names("../../escape", ["a", "b"]) },
                      #"metadata tasks: task name "../../escape" contains /, so it cannot name a file"#)
        assertRefused(try tampered("absolute") { m, _ in m["tasks"] = try names("t", ["a", "/tmp/x"]) },
                      #"metadata tasks: class name "/tmp/x" of task t contains /, so it cannot name a file"#)
        assertRefused(try tampered("parent") { m, _ in m["tasks"] = try names("..", ["a", "b"]) },
                      #"metadata tasks: task name ".." is .., so it cannot name a file"#)
        assertRefused(try tampered("nul") { m, _ in m["tasks"] = try names("t", ["a\0", "b"]) },
                      #"metadata tasks: class name "a\0" of task t contains a NUL character, so it cannot name a file"#)
        XCTAssertNoThrow(try Checkpoint.open(try tampered("dots inside") { m, _ in m["tasks"] = try names("..t", ["a.b", "印 花"]) }))
    }

    func testCalibrationMustDescribeTheCheckpointsTasksAndClasses() throws {
        let good = try tampered("good", calibration: try calibrationJSON()) { _, _ in }
        XCTAssertEqual(try Checkpoint.open(good).calibrationTables.map(\.task), ["t"])
        assertRefused(try tampered("task", calibration: try calibrationJSON(task: "other")) { _, _ in },
                      "metadata calibration is for task other, which the checkpoint does not have")
        assertRefused(try tampered("classes", calibration: try calibrationJSON(classes: ["a", "b", "c"])) { _, _ in },
                      "metadata calibration of task t does not match its classes or precision levels")
        assertRefused(try tampered("malformed", calibration: "[{\"task\": 3}]") { _, _ in }, "metadata calibration is malformed")
    }

    /// A FIFO (or device, or folder) named as a checkpoint is refused from its type, without blocking.
    func testSpecialFilesAreRefusedWithoutBlocking() throws {
        let fifo = folder + "/fifo.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try Checkpoint.open(fifo)) { XCTAssertEqual("\($0)", "cannot read \(fifo): not a regular file (a FIFO)") }
        XCTAssertThrowsError(try Checkpoint.open(folder)) { XCTAssertEqual("\($0)", "cannot read \(folder): not a regular file (a directory)") }
        XCTAssertThrowsError(try Checkpoint.open("/dev/zero")) { XCTAssertEqual("\($0)", "cannot read /dev/zero: not a regular file (a character device)") }
        XCTAssertThrowsError(try ImageDecoder().decode(file: fifo)) { XCTAssertTrue("\($0)".contains("not a regular file (a FIFO)"), "\($0)") }
    }
}

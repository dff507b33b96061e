import Foundation
@testable import MTMC
import Vision
import XCTest

/// The batcher runs concurrent requests as one forward pass, on the model each was submitted under.
final class PredictionBatcherTests: XCTestCase {
    private var folder = ""

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("batcher-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A tiny two-class checkpoint saved and loaded for serving; `seed` makes different weights.
    func servedModel(seed: UInt64) throws -> ServedModel {
        let trainer = Trainer(model: MultiTaskModel(architecture: .tiny, classesPerTask: [2], seed: seed), settings: TrainingTests.settings())
        let path = folder + "/m\(seed).safetensors"
        try Checkpoint.save(trainer: trainer, tasks: [TaskClasses(name: "t", classes: ["a", "b"])], calibration: nil, to: path)
        return try ServedModel(path: path)
    }

    /// Per image, the same classes in the same order, and raw outputs, softmax and confidences within relative
    /// 1e-5 (or 1e-6 near zero): the batcher's forward pass is another code path than a direct call's, and floats
    /// from two code paths are compared within rounding, never to the bit.
    func assertSameScores(_ actual: [[ClassScore]], _ expected: [[ClassScore]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.map { $0.map(\.name) }, expected.map { $0.map(\.name) }, file: file, line: line)
        func close(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return abs(a - b) <= max(1e-6, 1e-5 * max(abs(a), abs(b)))
        }
        for (a, e) in zip(actual.joined(), expected.joined()) where !(close(a.raw, e.raw) && close(a.softmax, e.softmax) && close(a.confidence, e.confidence)) {
            XCTFail("\(a) differs from \(e) beyond rounding", file: file, line: line)
        }
    }

    func image(_ value: UInt8) -> RGBImage {
        RGBImage(width: 16, height: 16, pixels: (0..<16 * 16 * 3).map { UInt8(truncatingIfNeeded: Int($0) * Int(value)) })
    }

    func testAnnouncedRequestsAreWaitedForAndRunAsOneBatch() async throws {
        let model = try servedModel(seed: 1)
        let sizes = Sizes()
        // A long wait: only the three announced requests arriving can end it, so the test does not depend on timing.
        let batcher = PredictionBatcher(model: model, maxBatch: 8, maxWait: 60) { sizes.append($0) }
        for _ in 0..<3 { batcher.expect() }
        async let a = batcher.predict([image(1)], announced: true)
        async let b = batcher.predict([image(2), image(3)], announced: true)
        async let c = batcher.predict([image(4)], announced: true)
        let answers = try await [a, b, c]
        XCTAssertEqual(sizes.values, [4])
        XCTAssertEqual(answers.map(\.scores.count), [1, 2, 1])
        // Each request gets its own images' scores out of the batch, in order.
        let together = try model.predict([image(1), image(2), image(3), image(4)]).map { $0[0].scores }
        assertSameScores(answers.flatMap { $0.scores.map { $0[0].scores } }, together)
        XCTAssertNotEqual(answers[1].scores[0][0].scores, answers[1].scores[1][0].scores, "different images, different scores")
    }

    func testABatchTakesAtMostMaxBatchImages() async throws {
        let sizes = Sizes()
        let batcher = PredictionBatcher(model: try servedModel(seed: 1), maxBatch: 2, maxWait: 60) { sizes.append($0) }
        for _ in 0..<3 { batcher.expect() }
        async let a = batcher.predict([image(1)], announced: true)
        async let b = batcher.predict([image(2)], announced: true)
        async let c = batcher.predict([image(3)], announced: true)
        _ = try await [a, b, c]
        XCTAssertEqual(sizes.values.sorted(), [1, 2])
    }

    func testARequestRunsOnTheModelItWasSubmittedUnder() async throws {
        let old = try servedModel(seed: 1), new = try servedModel(seed: 2)
        let batcher = PredictionBatcher(model: old, maxBatch: 8, maxWait: 60)
        batcher.expect()  // holds the batch open until the announced request arrives
        async let first = batcher.predict([image(5)])
        while batcher.waitingRequests == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        batcher.swap(to: new)
        let second = try await batcher.predict([image(5)], announced: true)
        let firstAnswer = try await first
        XCTAssertTrue(firstAnswer.model === old)
        XCTAssertTrue(second.model === new)
        assertSameScores([firstAnswer.scores[0][0].scores], [try old.predict([image(5)])[0][0].scores])
        assertSameScores([second.scores[0][0].scores], [try new.predict([image(5)])[0][0].scores])
        XCTAssertNotEqual(firstAnswer.scores[0][0].scores, second.scores[0][0].scores)
    }

    func testAWithdrawnAnnouncementEndsTheWait() async throws {
        let batcher = PredictionBatcher(model: try servedModel(seed: 1), maxBatch: 8, maxWait: 60)
        batcher.expect()
        batcher.expect()
        async let answer = batcher.predict([image(1)], announced: true)
        while batcher.waitingRequests == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        batcher.withdraw()
        let scores = try await answer.scores
        XCTAssertEqual(scores.count, 1)
    }

    func testSHA256MatchesTheStandardVectors() {
        XCTAssertEqual(sha256Hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(sha256Hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(sha256Hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

/// Batch sizes reported from the batcher's thread.
private final class Sizes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ size: Int) { lock.withLock { list.append(size) } }
    var values: [Int] { lock.withLock { list } }
}

import Engine
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
    private func header(_ json: String, data: [UInt8] = []) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(json.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    private func assertRejected(_ data: Data, containing phrase: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile.decode(data, source: "bad.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("bad.safetensors: not a valid safetensors file"), message, file: file, line: line)
            XCTAssertTrue(message.contains(phrase), "'\(message)' should mention '\(phrase)'", file: file, line: line)
        }
    }

    func testRoundTripKeepsNamesShapesValuesAndChineseMetadata() throws {
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5])
        let b = try Tensor(shape: [1], values: [-7])
        let data = try SafeTensorsFile.encode([("layer1.0.conv1.weight", a), ("bn1.running_mean", b)],
                                              metadata: ["classes": "[\"条纹\",\"格子\"]"])
        XCTAssertEqual(data.count % 4, 0)
        let file = try SafeTensorsFile.decode(data, source: "round trip")
        XCTAssertEqual(file.names, ["layer1.0.conv1.weight", "bn1.running_mean"])
        XCTAssertEqual(file.tensors["layer1.0.conv1.weight"]?.scalars, [1, 2, 3, 4, 5, 6.5])
        XCTAssertEqual(file.tensors["layer1.0.conv1.weight"]?.shape, [2, 3])
        XCTAssertEqual(file.tensors["bn1.running_mean"]?.scalars, [-7])
        XCTAssertEqual(file.metadata["classes"], "[\"条纹\",\"格子\"]")
        XCTAssertEqual(file.dtypes["bn1.running_mean"], .F32)
    }

    func testHeaderIsPaddedToEightBytesWithSpaces() throws {
        let data = try SafeTensorsFile.encode([("x", Tensor(zeros: [1]))])
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(length % 8, 0)
        XCTAssertEqual(String(decoding: data[8..<(8 + length)], as: UTF8.self).trimmingCharacters(in: .whitespaces).last, "}")
    }

    func testReadsOtherDTypesAsFloat() throws {
        // I64 scalar (PyTorch's num_batches_tracked), F16 1.5 and -2, BF16 3.0
        var payload: [UInt8] = []
        withUnsafeBytes(of: Int64(42).littleEndian) { payload.append(contentsOf: $0) }
        payload += [0x00, 0x3E, 0x00, 0xC0]  // F16 1.5, -2
        payload += [0x40, 0x40]              // BF16 3.0
        let json = #"{"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]}}"#
        let file = try SafeTensorsFile.decode(header(json, data: payload), source: "dtypes")
        XCTAssertEqual(file.tensors["n"]?.scalars, [42])
        XCTAssertEqual(file.tensors["h"]?.scalars, [1.5, -2])
        XCTAssertEqual(file.tensors["b"]?.scalars, [3])
    }

    func testRejectsTruncatedFiles() throws {
        let good = try SafeTensorsFile.encode([("w", Tensor(zeros: [4, 4]))])
        assertRejected(good.prefix(5), containing: "too short")
        assertRejected(good.prefix(20), containing: "runs past the end")
        assertRejected(good.prefix(good.count - 4), containing: "truncated")
    }

    func testRejectsMalformedHeaders() {
        assertRejected(header("[1,2]"), containing: "does not start with '{'")
        assertRejected(header("{not json"), containing: "not a JSON object")
        assertRejected(header(#"{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#, data: [0]), containing: "unknown dtype Q8")
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), containing: "needs 8")
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), containing: "invalid dimension")
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]), containing: "invalid data_offsets")
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#), containing: "past the data section")
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                       containing: "overflows")
        // The element count fits an Int, its size in bytes does not (the fuzzer's open crash).
        assertRejected(header(#"{"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                       containing: "needs more bytes than a file can hold")
        assertRejected(header(#"{"__metadata__":{"a":1}}"#), containing: "not a string")
        assertRejected(header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
                              data: [UInt8](repeating: 0, count: 6)), containing: "overlaps")
        assertRejected(header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 8)),
                       containing: "not indexed")
    }

    func testDeclaredHugeHeaderIsRefusedBeforeReading() {
        var data = Data()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.append(contentsOf: $0) }
        assertRejected(data + Data("{}".utf8), containing: "exceeds")
    }

    func testRandomCorruptionNeverCrashes() throws {
        let good = try SafeTensorsFile.encode([("a", Tensor(shape: [3, 5], repeating: 1)), ("b", Tensor(zeros: [7]))],
                                              metadata: ["k": "v"])
        var rng = RandomGenerator(seed: 5)
        var rejected = 0
        for _ in 0..<2000 {
            var bytes = [UInt8](good)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            if (try? SafeTensorsFile.decode(Data(bytes), source: "fuzz")) == nil { rejected += 1 }
        }
        XCTAssertGreaterThan(rejected, 100)
    }

    func testMissingFileGivesReadableError() {
        XCTAssertThrowsError(try SafeTensorsFile.read(from: "/nonexistent/w.safetensors")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot read /nonexistent/w.safetensors"), "\(error)")
        }
    }

    func testAtomicWriteReplacesWholeFileAndFailedWriteKeepsOldOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-atomic-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/w.safetensors"
        try SafeTensorsFile.write([("w", Tensor(shape: [2], repeating: 1))], to: path)
        try SafeTensorsFile.write([("w", Tensor(shape: [3], repeating: 2))], to: path)
        XCTAssertEqual(try SafeTensorsFile.read(from: path).tensors["w"]?.scalars, [2, 2, 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["w.safetensors"])
        XCTAssertThrowsError(try SafeTensorsFile.write([("w", Tensor(zeros: [1]))], to: folder + "/missing/w.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }
}

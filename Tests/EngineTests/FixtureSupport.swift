import Engine
import Foundation
import XCTest

/// One PyTorch fixture file written by tools/fixtures/make_fixtures.py: tensors named `case.key`
/// and the case parameters from the metadata.
struct Fixture {
    let file: SafeTensorsFile
    let cases: [[String: Any]]

    init(_ name: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name).safetensors").path
        file = try SafeTensorsFile.read(from: path)
        // A fixture without cases would make every loop over them pass without checking anything.
        let text = try XCTUnwrap(file.metadata["cases"], "fixture \(name) has no case list")
        cases = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "fixture \(name): case list is not a list of objects")
        guard !cases.isEmpty else { throw FixtureError(message: "fixture \(name) lists no cases") }
    }

    /// The tensor `case.key`; fails the test if absent.
    func tensor(_ caseName: String, _ key: String) throws -> Tensor {
        try XCTUnwrap(file.tensors["\(caseName).\(key)"], "fixture has no \(caseName).\(key)")
    }

    func has(_ caseName: String, _ key: String) -> Bool { file.tensors["\(caseName).\(key)"] != nil }

    /// A leaf variable from the fixture, tracking gradients.
    func variable(_ caseName: String, _ key: String) throws -> Variable {
        Variable(try tensor(caseName, key), requiresGrad: true)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Asserts equal shapes and |a − e| ≤ atol + rtol·|e| for every element, reporting the worst element.
func assertClose(_ actual: Tensor?, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { return XCTFail("\(what): no value (gradient never computed?)", file: file, line: line) }
    guard actual.shape == expected.shape else {
        return XCTFail("\(what): shape \(describe(actual.shape)) differs from expected \(describe(expected.shape))", file: file, line: line)
    }
    let a = actual.scalars, e = expected.scalars
    var worst = -1, worstExcess: Float = 0
    for i in 0..<a.count {
        let excess = abs(a[i] - e[i]) - (atol + rtol * abs(e[i]))
        if !(excess <= 0) && (worst < 0 || excess > worstExcess || excess.isNaN) { worst = i; worstExcess = excess }
    }
    if worst >= 0 {
        XCTFail("\(what): element \(worst) is \(a[worst]), expected \(e[worst]) (rtol \(rtol), atol \(atol))", file: file, line: line)
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int { (self[key] as? NSNumber)?.intValue ?? 0 }
    func float(_ key: String) -> Float { (self[key] as? NSNumber)?.floatValue ?? 0 }
    func bool(_ key: String) -> Bool { (self[key] as? NSNumber)?.boolValue ?? false }
    var name: String { self["name"] as? String ?? "?" }
}

/// The pooling of a pooling fixture case (`kind` max, avg or global) applied to x [N, C, H, W]; a global
/// pool in `.cnhw` lays x out that way first.
func pool(_ x: Variable, as c: [String: Any], layout: ImageLayout = .nchw) throws -> Variable {
    switch c["kind"] as? String {
    case "max":
        return try maxPool2d(x, kernel: c.int("kernel"), stride: c.int("stride"), padding: c.int("padding"), ceilMode: c.bool("ceil_mode"))
    case "avg":
        return try avgPool2d(x, kernel: c.int("kernel"), stride: c.int("stride"), padding: c.int("padding"),
                             ceilMode: c.bool("ceil_mode"), countIncludePad: c.bool("count_include_pad"))
    default:
        return try globalAvgPool(try inLayout(x, layout))
    }
}

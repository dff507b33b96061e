import Foundation
import Vision

/// Builds small dataset trees in a temporary folder for tests: ROOT/TASK/SPLIT/CLASS/files.
final class TreeBuilder {
    let root: String

    init(_ name: String = "tree") {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-test-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A solid-colour PNG of the given shade.
    static func png(_ shade: UInt8, size: Int = 12) -> Data {
        try! PNG.encode(RGBImage(width: size, height: size, pixels: [UInt8](repeating: shade, count: size * size * 3)))
    }

    /// `count` images named 0.png, 1.png… in ROOT/task/split/label.
    @discardableResult
    func images(_ task: String, _ split: String, _ label: String, count: Int, shade: UInt8 = 100) -> TreeBuilder {
        for i in 0..<count { file("\(task)/\(split)/\(label)/\(i).png", TreeBuilder.png(shade &+ UInt8(i % 50))) }
        return self
    }

    /// Train and val folders for every class of a task.
    @discardableResult
    func task(_ name: String, classes: [String: Int], val: Int = 2) -> TreeBuilder {
        for (label, count) in classes {
            images(name, "train", label, count: count)
            images(name, "val", label, count: val)
        }
        return self
    }

    func file(_ relative: String, _ data: Data) {
        let path = root + "/" + relative
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! data.write(to: URL(fileURLWithPath: path))
    }

    func folder(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    /// A file from the Vision tests' fixtures.
    static func fixture(_ name: String) -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../VisionTests/Fixtures/\(name)").standardized
        return try! Data(contentsOf: url)
    }
}

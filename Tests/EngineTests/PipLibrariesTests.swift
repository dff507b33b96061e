@testable import Engine
import Foundation
import XCTest

/// NVIDIA's pip wheels are found in the site-packages of a virtual environment, of pyenv's versions
/// (newest first) and of $PYTHONPATH, at site-packages/nvidia/<package>/lib.
final class PipLibrariesTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-pip-\(getpid())-\(name.hashValue)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Creates an empty file at `path` under the test's folder and returns its full path.
    @discardableResult
    private func file(_ path: String) throws -> String {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: url.path, contents: Data())
        return url.path
    }

    private var emptyHome: [String: String] { ["HOME": root.appendingPathComponent("home").path] }

    func testAWheelInAVirtualEnvironmentIsFound() throws {
        let nvrtc = try file("venv/lib/python3.11/site-packages/nvidia/cu13/lib/libnvrtc.so.13")
        let environment = emptyHome.merging(["VIRTUAL_ENV": root.appendingPathComponent("venv").path]) { $1 }
        XCTAssertEqual(PipLibraries.candidates("libnvrtc.so.13", packages: ["cu13", "cuda_nvrtc"], environment: environment), [nvrtc])
        XCTAssertEqual(PipLibraries.candidates("libcudnn.so.9", packages: ["cudnn"], environment: environment), [])
    }

    func testPyenvVersionsAreSearchedNewestFirstAfterPYTHONPATH() throws {
        let old = try file("pyenv/versions/3.9.18/lib/python3.9/site-packages/nvidia/cudnn/lib/libcudnn.so.9")
        let new = try file("pyenv/versions/3.12.1/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9")
        let path = try file("extra/nvidia/cudnn/lib/libcudnn.so.9")
        let environment = emptyHome.merging(["PYENV_ROOT": root.appendingPathComponent("pyenv").path,
                                             "PYTHONPATH": root.appendingPathComponent("extra").path]) { $1 }
        XCTAssertEqual(PipLibraries.candidates("libcudnn.so.9", packages: ["cudnn"], environment: environment), [path, new, old])
    }
}

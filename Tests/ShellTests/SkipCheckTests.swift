import Foundation
import XCTest

/// `tools/check-skips.sh`, which tools/test.sh runs on the suite's output: a skipped test fails the run unless
/// the allow-list names it with a reason.
final class SkipCheckTests: XCTestCase {
    private var folder = ""

    override func setUp() { folder = MTMC.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// XCTest's output for a run of three tests, one of them skipped by XCTSkip.
    private let outputWithASkip = """
        Test Suite 'All tests' started at 00:00:00.000
        Test Case 'DatasetTests.testA' started at 00:00:00.000
        Test Case 'DatasetTests.testA' passed (0.001 seconds)
        Test Case 'DatasetTests.testUnreadable' started at 00:00:00.001
        /repo/Tests/MTMCTests/DatasetTests.swift:83: DatasetTests.testUnreadable : Test skipped - permissions do not apply to root
        Test Case 'DatasetTests.testUnreadable' skipped (0.001 seconds)
        Test Case 'DatasetTests.testB' started at 00:00:00.002
        Test Case 'DatasetTests.testB' passed (0.001 seconds)
        Test Suite 'DatasetTests' passed at 00:00:00.003
        \t Executed 3 tests, with 1 test skipped and 0 failures (0 unexpected) in 0.003 (0.003) seconds
        Test Suite 'All tests' passed at 00:00:00.003
        \t Executed 3 tests, with 1 test skipped and 0 failures (0 unexpected) in 0.003 (0.003) seconds

        """

    /// Runs the script on `output` with `allowList` (nil: the repository's); its status and what it printed.
    private func check(_ output: String, allowList: String?) throws -> (status: Int32, output: String) {
        try output.write(toFile: folder + "/test-output.log", atomically: true, encoding: .utf8)
        try allowList?.write(toFile: folder + "/allow.txt", atomically: true, encoding: .utf8)
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [MTMC.repository + "/tools/check-skips.sh", folder + "/test-output.log"] + (allowList == nil ? [] : [folder + "/allow.txt"])
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func testASkipNotOnTheListFailsNamingTheTestAndItsMessage() throws {
        let run = try check(outputWithASkip, allowList: "# nothing may skip\n")
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("DatasetTests.testUnreadable: permissions do not apply to root"), run.output)
    }

    func testASkipOnTheListWithItsReasonPasses() throws {
        let run = try check(outputWithASkip, allowList: "# comment\nDatasetTests.testUnreadable  needs a file root cannot read\n")
        XCTAssertEqual(run.status, 0, run.output)
    }

    func testAnEntryWithoutAReasonFails() throws {
        let run = try check(outputWithASkip, allowList: "DatasetTests.testUnreadable\n")
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("DatasetTests.testUnreadable has no reason"), run.output)
    }

    func testARunWithoutSkipsPassesAndASummaryThatDisagreesFails() throws {
        let clean = outputWithASkip.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("testUnreadable") }.joined(separator: "\n").replacingOccurrences(of: "with 1 test skipped", with: "with 0 tests skipped")
        XCTAssertEqual(try check(clean, allowList: "").status, 0)
        // A skip the script could not find by name still fails the run, through the summary's count.
        let unnamed = outputWithASkip.replacingOccurrences(of: "Test Case 'DatasetTests.testUnreadable' skipped", with: "Test Case 'DatasetTests.testUnreadable' ended")
        let run = try check(unnamed, allowList: "")
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("counts 1 skipped tests, but 0 are named as skipped"), run.output)
    }

    func testTheRepositorysListIsReadByDefaultAndNamesEachTestWithAReason() throws {
        let list = try String(contentsOfFile: MTMC.repository + "/Tests/skip-allow-list.txt", encoding: .utf8)
        for line in list.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", maxSplits: 1)
            XCTAssertTrue(fields.count == 2 && fields[0].contains(".test"), "not 'Class.testName reason': \(line)")
        }
        let run = try check(outputWithASkip, allowList: nil)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("Tests/skip-allow-list.txt"), run.output)
    }
}

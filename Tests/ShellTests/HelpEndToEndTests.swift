import Foundation
import XCTest

/// Help as a new user meets it: settings that fit the screen, one setting explained, a sub-command's own usage.
final class HelpEndToEndTests: XCTestCase {
    func testSetListsEverySettingWithinTheWidthAndHowToLearnMore() throws {
        let (status, output) = try MTMC.run(["-c", "set"])
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "mtmc> set")
        XCTAssertEqual(lines[1], "settings:")
        // Without a terminal the output fits 100 columns; every key is there with its value.
        for line in lines { XCTAssertLessThanOrEqual(line.count, 100, line) }
        let listed = lines.dropFirst(2).joined(separator: " ")
        for (key, value) in [("lr", "0.05"), ("batch", "64"), ("schedule", "cosine"), ("cacheformat", "jpeg"), ("hamming", "4")] {
            XCTAssertNotNil(listed.range(of: #"(^| )\#(key) +\#(value)( |$)"#, options: .regularExpression), "\(key) \(value) in:\n\(output)")
        }
        XCTAssertTrue(output.contains("set KEY (or help set KEY) explains one"), output)
    }

    func testSetKeyAndHelpSetKeyExplainOneSettingWithItsRangeAndDefault() throws {
        let (status, output) = try MTMC.run(["-c", "set lr; set lr 0.1; set lr; help set augment"])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, """
            mtmc> set lr
            lr = 0.05 (the default)
              base learning rate; auto: each train runs lr find first and uses its suggestion
              allowed: 1e-06 to 10.0, or auto
              change it: set lr VALUE
            mtmc> set lr 0.1
            lr = 0.1
            mtmc> set lr
            lr = 0.1 (default 0.05)
              base learning rate; auto: each train runs lr find first and uses its suggestion
              allowed: 1e-06 to 10.0, or auto
              change it: set lr VALUE
            mtmc> help set augment
            augment = auto (the default)
              random affine and colour jitter: auto is off under 10 epochs, light to 30, full beyond
              allowed: auto or off or light or full
              change it: set augment auto|off|light|full

            """)
        let unknown = try MTMC.run(["-c", "help set shedule"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.output, "mtmc> help set shedule\nerror: help set: unknown key 'shedule'; did you mean schedule? (set lists them)\nerror: stopped at -c:1\n")
    }

    func testHelpOfASubCommandAndASubCommandWithoutArgumentsShowItsOwnUsage() throws {
        let (_, output) = try MTMC.run(["--keep-going", "-c", "help lr find; help show calib; show class; show calib; plot samples; help show nothing"])
        let lines = output.components(separatedBy: "\n") + Array(repeating: "", count: 14)  // missing lines compare as empty
        XCTAssertEqual(Array(lines.prefix(2)), ["mtmc> help lr find", "usage: lr find [TASK]"], output)
        XCTAssertTrue(lines[2].hasPrefix("  sweep the learning rate"), output)
        XCTAssertEqual(Array(lines.dropFirst(3).prefix(10)), [
            "example: lr find 印花",
            "mtmc> help show calib",
            "usage: show calib CLASS [TASK] | show calib TASK",
            "mtmc> show class",
            "error: usage: show class CLASS [TASK]",
            "mtmc> show calib",
            "error: usage: show calib CLASS [TASK] | show calib TASK",
            "mtmc> plot samples",
            "error: usage: plot samples TASK [CLASS] [N]",
            "mtmc> help show nothing",
        ], output)
        XCTAssertTrue(lines[13].hasPrefix("error: help: show has no sub-command 'nothing'; usage: show calib CLASS [TASK] | "), output)
    }

    /// `mtmc-bench engine --help` prints the usage and runs nothing; an option no command reads is refused.
    func testBenchHelpPrintsUsageInsteadOfRunning() throws {
        let help = try MTMC.runCommand(MTMC.buildFolder + "/mtmc-bench", ["engine", "--help"], in: FileManager.default.currentDirectoryPath)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.hasPrefix("usage: mtmc-bench all"), help.output)
        XCTAssertTrue(help.output.contains("mtmc-bench engine [--model tiny|resnet18|darknet]"), help.output)
        let lines = help.output.split(separator: "\n")
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") }, "nothing but the usage was printed:\n\(help.output)")
        let misspelt = try MTMC.runCommand(MTMC.buildFolder + "/mtmc-bench", ["engine", "--modle", "tiny"], in: FileManager.default.currentDirectoryPath)
        XCTAssertEqual(misspelt.status, 2)
        XCTAssertTrue(misspelt.output.hasPrefix("mtmc-bench: unknown option --modle\nusage: mtmc-bench all"), misspelt.output)
    }
}

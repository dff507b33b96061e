import Foundation
import XCTest

/// Runs the built `mtmc` binary (beside the test bundle) and returns its exit status and output.
enum MTMC {
    static let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    static let binary = buildFolder + "/mtmc"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil, in folder: String? = nil,
                    environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder ?? repository)
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        input.fileHandleForWriting.closeFile()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs another program (`script`, `python3`) in `folder` and returns its exit status and output.
    static func runCommand(_ executable: String, _ arguments: [String], in folder: String) throws -> (status: Int32, output: String) {
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs the `-c` line `commands` in `folder` to make what a test starts from (a saved model, say); a
    /// failure fails the test with the run's output.
    static func prepare(_ commands: String, in folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let made = try run(["-c", commands], in: folder)
        XCTAssertEqual(made.status, 0, made.output, file: file, line: line)
    }

    /// A temporary folder, removed by the caller.
    static func temporaryFolder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-e2e-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Output with every number replaced by #, so timings and losses do not make transcripts differ.
    static func masked(_ text: String) -> String {
        text.replacingOccurrences(of: #"-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?"#, with: "#", options: .regularExpression)
    }
}

final class EndToEndTests: XCTestCase {
    func testScriptIsReplayedAsATranscript() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/s.mtmc"
        try """
            # a comment line
            set size 16
            load \(MTMC.repository)/samples/prints
            balance base 4
            model tiny
            train 1
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let (status, output) = try MTMC.run([script], in: folder)
        XCTAssertEqual(status, 0, output)
        let lines = MTMC.masked(output).components(separatedBy: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("mtmc> ") }, ["mtmc> set size #", "mtmc> load \(MTMC.masked(MTMC.repository))/samples/prints",
                                                               "mtmc> balance base #", "mtmc> model tiny", "mtmc> train #"])
        XCTAssertEqual(lines[1], "size = #x#")
        XCTAssertTrue(lines.contains("task 印花: # classes, # train, # val"), output)
        XCTAssertTrue(lines.contains("model tiny: # parameters, # features, heads 印花 (# classes), 颜色 (# classes)"), output)
        let trainLines = Array(lines.drop { !$0.hasPrefix("mtmc> train") }.dropFirst().filter { !$0.isEmpty })
        XCTAssertEqual(trainLines, ["plan: lr #, cosine over epochs #–# (this run), batch #, augment off (auto for # epochs), hflip off",
                                    "epoch #  印花 loss # top# #% val # #%  颜色 loss # top# #% val # #%  # img/s  lr #",
                                    "best val top#: 印花 epoch # (#%), 颜色 epoch # (#%)", "log: logs/train_history.csv"])
        XCTAssertFalse(output.contains("\u{1B}"), "no control characters when output is not a terminal")
    }

    func testFailingScriptStopsWithFileAndLineUnlessKeepGoing() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "set lr 0.5\nset lr 99\nset lr 0.6\n".write(toFile: folder + "/bad.mtmc", atomically: true, encoding: .utf8)
        let stopped = try MTMC.run(["bad.mtmc"], in: folder)
        XCTAssertEqual(stopped.status, 1)
        XCTAssertEqual(stopped.output, """
            mtmc> set lr 0.5
            lr = 0.5
            mtmc> set lr 99
            error: set lr: '99' is not allowed; allowed: 1e-06 to 10.0, or auto; it stays 0.5
            error: stopped at bad.mtmc:2

            """)
        let kept = try MTMC.run(["--keep-going", "bad.mtmc"], in: folder)
        XCTAssertEqual(kept.status, 1)
        XCTAssertTrue(kept.output.hasSuffix("mtmc> set lr 0.6\nlr = 0.6\n"), kept.output)
        let missing = try MTMC.run(["nothere.mtmc"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.output, "error: cannot read script nothere.mtmc: no such file\n")
    }

    func testCommandsFromDashCAndFromStandardInput() throws {
        let c = try MTMC.run(["-c", "set lr 0.5; set seed 3"])
        XCTAssertEqual(c.status, 0)
        XCTAssertEqual(c.output, "mtmc> set lr 0.5\nlr = 0.5\nmtmc> set seed 3\nseed = 3\n")
        let piped = try MTMC.run([], stdin: "set lr 0.5\nset batch 1\nset lr 0.7\n")
        XCTAssertEqual(piped.status, 1)
        XCTAssertEqual(piped.output, "lr = 0.5\nerror: set batch: '1' is not allowed; allowed: whole number 2 to 4096; it stays 64\nerror: stopped at <stdin>:2\n")
        XCTAssertEqual(try MTMC.run([], stdin: "help\nquit\nset lr 0.2\n").status, 0)
    }

    /// A program can drive the shell over a pipe: each line runs when it arrives, before the input ends.
    func testPipedCommandAnswersBeforeTheInputEnds() throws {
        let process = Process(), output = Pipe(), input = Pipe()
        process.executableURL = URL(fileURLWithPath: MTMC.binary)
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data("set lr 0.5\n".utf8))
        // Wait (up to a minute, for a loaded machine) for the answer while standard input is still open.
        var answer = Data()
        var poller = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        while !answer.contains(10), poll(&poller, 1, 60_000) > 0 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            answer.append(chunk)
        }
        XCTAssertEqual(String(decoding: answer, as: UTF8.self), "lr = 0.5\n", "no answer while standard input was open")
        input.fileHandleForWriting.write(Data("set seed 3\n".utf8))
        input.fileHandleForWriting.closeFile()
        answer.append(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        XCTAssertEqual(String(decoding: answer, as: UTF8.self), "lr = 0.5\nseed = 3\n")
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testHelpAndVersionFlags() throws {
        XCTAssertEqual(try MTMC.run(["--version"]).output, "0.1.0\n")
        let help = try MTMC.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("USAGE: mtmc <subcommand>"), help.output)
        XCTAssertTrue(try MTMC.run(["predict", "--help"]).output.contains("--model <model>"))
    }

    func testQuickstartOnAReducedSettingThenAdHocPredict() throws {
        let folder = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var script = try String(contentsOfFile: MTMC.repository + "/sessions/quickstart.mtmc", encoding: .utf8)
        script = "set size 32\n" + script
            .replacingOccurrences(of: "samples/", with: MTMC.repository + "/samples/")
            .replacingOccurrences(of: "balance base 100", with: "balance base 6")
            .replacingOccurrences(of: "train 20", with: "train 2")
        try script.write(toFile: folder + "/quick.mtmc", atomically: true, encoding: .utf8)
        let (status, output) = try MTMC.run(["quick.mtmc"], in: folder)
        XCTAssertEqual(status, 0, output)
        for expected in ["plan: lr 0.05, cosine over epochs 1–2 (this run), batch 64, augment off (auto for 2 epochs), hflip off",
                         "best val top-1: 印花 epoch ", "log: logs/train_history.csv", "mtmc> calibrate", "class 条纹 (task 印花)", "wrote calibration.json", "wrote plots/calib_印花.png",
                         "wrote plots/reliability_印花.png", "wrote plots/confusion_印花.png", "wrote plots/history.png", "saved quickstart.safetensors"] {
            XCTAssertTrue(output.contains(expected), "missing '\(expected)' in:\n\(output)")
        }
        let csv = try String(contentsOfFile: folder + "/logs/train_history.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.map { $0.split(separator: ",").prefix(2).joined(separator: ",") }, ["epoch,task", "1,印花", "1,颜色", "2,印花", "2,颜色"])
        for picture in ["calib_印花", "reliability_印花", "confusion_印花", "history"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/plots/\(picture).png"))
            XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        }

        let images = MTMC.repository + "/samples/predict"
        let json = try MTMC.run(["predict", "--model", "quickstart.safetensors", "--json", images, "nothere.png"], in: folder)
        XCTAssertEqual(json.status, 0, json.output)
        let lines = json.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("skipped") }, ["skipped nothere.png: cannot read: No such file or directory"])  // on stderr
        let objects = try lines.filter { $0.hasPrefix("{") }.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.count, 3)
        let tasks = objects[0]["tasks"] as! [String: [[String: Any]]]
        XCTAssertEqual(Set(tasks.keys), ["印花", "颜色"])
        XCTAssertEqual(tasks["颜色"]?.count, 5)
        XCTAssertNotNil(tasks["颜色"]?.first?["confidence"] as? Double)
        let text = try MTMC.run(["predict", "--model", "quickstart.safetensors", images + "/blue.jpg"], in: folder)
        XCTAssertTrue(text.output.hasPrefix(images + "/blue.jpg\n  task  class"), text.output)
        let broken = try MTMC.run(["predict", "--model", folder + "/calibration.json", images + "/blue.jpg"], in: folder)
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.output.hasPrefix("error: \(folder)/calibration.json: not a valid safetensors file"), broken.output)
    }
}

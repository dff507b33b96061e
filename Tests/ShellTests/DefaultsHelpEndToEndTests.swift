import Foundation
import MTMC
import XCTest

/// `mtmc predict` and `mtmc serve` print the defaults table's values in their help: the options take their
/// defaults from the table, not from numbers of their own.
final class DefaultsHelpEndToEndTests: XCTestCase {
    /// The help of `command`, one chunk per option ("max-batch <max-batch> Most images … (default: 32)"), its words
    /// joined by single spaces so that the help's wrapping at the terminal's width does not matter.
    private func optionHelp(_ command: String) throws -> [String] {
        let (status, output) = try MTMC.run([command, "--help"])
        XCTAssertEqual(status, 0, output)
        let text = output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let options = text.components(separatedBy: "OPTIONS:").last ?? ""
        return options.components(separatedBy: " --").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private func assertDefault(_ help: [String], _ option: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) {
        let chunk = help.first { $0.hasPrefix("\(option) <") }
        XCTAssertEqual(chunk.flatMap { $0.range(of: "(default: ") == nil ? nil : String($0[$0.range(of: "(default: ")!.upperBound...].prefix { $0 != ")" }) },
                       value, "--\(option) in \(help)", file: file, line: line)
    }

    func testPredictHelpPrintsTheTablesThreshold() throws {
        assertDefault(try optionHelp("predict"), "threshold", "\(Defaults.threshold)")
    }

    func testServeHelpPrintsTheTablesDefaults() throws {
        let help = try optionHelp("serve"), d = Defaults.serve
        for (option, value) in [("host", d.host), ("port", "\(d.port)"), ("max-batch", "\(d.maxBatch)"), ("max-bytes", "\(d.maxBytes)"),
                                ("max-pixels", "\(d.maxPixels)"), ("max-images", "\(d.maxImages)"), ("max-request-pixels", "\(d.maxRequestPixels)"),
                                ("max-memory", "\(d.maxMemory)"), ("header-timeout", "\(d.headerTimeout)"), ("body-timeout", "\(d.bodyTimeout)"),
                                ("idle-timeout", "\(d.idleTimeout)")] {
            assertDefault(help, option, value)
        }
    }
}

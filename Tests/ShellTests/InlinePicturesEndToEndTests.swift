import Foundation
import Vision
import XCTest

/// A picture a command writes is drawn in the terminal too, by the protocol the terminal answers for: the test
/// plays the terminal on a pseudo-terminal, answers mtmc's questions as kitty, a sixel terminal, a plain
/// truecolor one or not at all, and reads back the picture it was sent.
final class InlinePicturesEndToEndTests: XCTestCase {
    private let esc = "\u{1B}"
    private var folder = ""
    private let image = MTMC.repository + "/samples/predict/blue.jpg"
    private var command: String { "show augment \(image) 1" }
    private var plot: String { folder + "/plots/augment_blue.png" }

    override func setUp() { folder = MTMC.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `commands` under a pseudo-terminal; when the questions come, answers them with `answer` (nil: never).
    private func drive(_ commands: String, answer: String?, environment: [String: String] = [:], columns: UInt16 = 200,
                       pixels: (width: UInt16, height: UInt16)? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let terminal = try PseudoTerminal(["-c", commands], in: folder, environment: environment, columns: columns, pixels: pixels)
        XCTAssertTrue(terminal.read(until: "\(esc)[c"), "mtmc did not ask the terminal: \(terminal.text.debugDescription)", file: file, line: line)
        if let answer { terminal.answer(answer) }
        XCTAssertEqual(terminal.finish(), 0, terminal.text, file: file, line: line)
        return terminal.text
    }

    /// The payloads of every sequence that matches `pattern`'s two groups (keys, payload).
    private func sequences(_ pattern: String, in text: String) -> [(keys: String, payload: String)] {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (String(text[Range(match.range(at: 1), in: text)!]), String(text[Range(match.range(at: 2), in: text)!]))
        }
    }

    private func kittyChunks(_ text: String) -> [(keys: String, payload: String)] {
        sequences("\u{1B}_G([^;\u{1B}]*);([^\u{1B}]*)\u{1B}\\\\", in: text).filter { $0.keys.hasPrefix("a=T") || $0.keys.hasPrefix("m=") }
    }

    func testKittyIsAskedAndSentThePNGTheCommandWrote() throws {
        let text = try drive(command, answer: "\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;22c")
        XCTAssertTrue(text.contains("mtmc> \(command)\r\n\(esc)_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\(esc)\\\(esc)[>q\(esc)[16t\(esc)[c"), text.debugDescription)
        let chunks = kittyChunks(text)
        XCTAssertEqual(chunks.first?.keys, chunks.count == 1 ? "a=T,f=100,q=2,m=0" : "a=T,f=100,q=2,m=1", "drawn at its own size in a wide window")
        XCTAssertEqual(chunks.dropFirst().map(\.keys), Array(repeating: "m=1", count: max(chunks.count - 2, 0)) + (chunks.count > 1 ? ["m=0"] : []))
        XCTAssertTrue(chunks.allSatisfy { $0.payload.count <= 4096 })
        XCTAssertEqual(Data(base64Encoded: chunks.map(\.payload).joined()), try Data(contentsOf: URL(fileURLWithPath: plot)))
        XCTAssertTrue(text.contains("wrote plots/augment_blue.png"), text)
    }

    func testSixelIsDrawnWhereTheDeviceAttributesList4AndLibsixelReadsBackThePicture() throws {
        let text = try drive(command, answer: "\(esc)[?62;4;22c", environment: ["COLORTERM": "truecolor"])
        XCTAssertTrue(kittyChunks(text).isEmpty)
        guard let start = text.range(of: "\(esc)Pq"), let end = text.range(of: "\(esc)\\", range: start.upperBound..<text.endIndex) else {
            return XCTFail("no sixel: \(text.debugDescription)")
        }
        try String(text[start.lowerBound..<end.upperBound]).write(toFile: folder + "/drawn.six", atomically: true, encoding: .utf8)
        let decoded = try MTMC.runCommand("/usr/bin/sixel2png", ["-i", "drawn.six", "-o", "drawn.png"], in: folder)
        XCTAssertEqual(decoded.status, 0, "sixel2png (Debian's libsixel-bin, tools/install-deps.sh installs it): \(decoded.output)")
        let drawn = try ImageDecoder().decode(file: folder + "/drawn.png"), original = try ImageDecoder().decode(file: plot)
        XCTAssertEqual([drawn.width, drawn.height], [original.width, original.height])
        // The fixed palette's steps are 51 apart (greys 10): no channel is further than its nearest entry.
        let errors = zip(drawn.pixels, original.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(errors.max() ?? 255, 45)
        XCTAssertLessThan(Double(errors.reduce(0, +)) / Double(errors.count), 8)
    }

    func testHalfBlocksCarryEveryPixelWhereTheTerminalSaysTruecolorButNoImages() throws {
        let text = try drive(command, answer: "\(esc)[?62;22c", environment: ["COLORTERM": "truecolor"], columns: 400)
        let original = try ImageDecoder().decode(file: plot)
        XCTAssertEqual(try halfBlockPicture(text), original, "a window wide enough: every pixel as it is")
    }

    func testITermIsKnownByItsEnvironmentAndSentThePNGInline() throws {
        let text = try drive(command, answer: "\(esc)[?62;22c", environment: ["TERM_PROGRAM": "iTerm.app", "COLORTERM": "truecolor"])
        let png = try Data(contentsOf: URL(fileURLWithPath: plot))
        let inline = sequences("\u{1B}\\]1337;File=([^:]*):([^\u{7}]*)\u{7}", in: text)
        XCTAssertEqual(inline.map(\.keys), ["inline=1;size=\(png.count)"])
        XCTAssertEqual(inline.first.flatMap { Data(base64Encoded: $0.payload) }, png)
        XCTAssertFalse(text.contains("▀"))
    }

    func testATerminalThatNeverAnswersIsWaitedForBrieflyThenJudgedByItsEnvironment() throws {
        let text = try drive(command, answer: nil, environment: ["COLORTERM": "truecolor", "TERM": "xterm-256color"], columns: 400)
        XCTAssertEqual(try halfBlockPicture(text), try ImageDecoder().decode(file: plot))
        XCTAssertTrue(text.contains("wrote plots/augment_blue.png"), text)
    }

    func testATerminalThatNeverAnswersAndNamesNoColoursGetsNoPicture() throws {
        let text = try drive(command, answer: nil, environment: [:])
        XCTAssertFalse(text.contains("▀") || text.contains("\(esc)Pq") || text.contains("\(esc)_Ga=T"), text.debugDescription)
        XCTAssertTrue(text.contains("wrote plots/augment_blue.png"), text)
    }

    func testTheLinuxConsoleIsNotAskedButDrawnInHalfBlocksWhereTruecolorIsSaid() throws {
        let terminal = try PseudoTerminal(["-c", command], in: folder, environment: ["TERM": "linux", "COLORTERM": "truecolor"], columns: 400)
        XCTAssertEqual(terminal.finish(), 0, terminal.text)
        XCTAssertFalse(terminal.text.contains("\(esc)_G") || terminal.text.contains("\(esc)[c"), terminal.text.debugDescription)
        XCTAssertEqual(try halfBlockPicture(terminal.text), try ImageDecoder().decode(file: plot))
    }

    func testInsideTmuxKittyIsAskedAndDrawnThroughThePassthrough() throws {
        let text = try drive(command, answer: "\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;22c", environment: ["TMUX": "/tmp/tmux-0/default,1,0"])
        XCTAssertTrue(text.contains("mtmc> \(command)\r\n\(esc)Ptmux;\(esc)\(esc)_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\(esc)\(esc)\\\(esc)\\"), text.debugDescription)
        let wrapped = sequences("\u{1B}Ptmux;\u{1B}\u{1B}_G([^;\u{1B}]*);([^\u{1B}]*)\u{1B}\u{1B}\\\\\u{1B}\\\\", in: text)
            .filter { $0.keys.hasPrefix("a=T") || $0.keys.hasPrefix("m=") }
        XCTAssertFalse(wrapped.isEmpty, text.debugDescription)
        XCTAssertEqual(Data(base64Encoded: wrapped.map(\.payload).joined()), try Data(contentsOf: URL(fileURLWithPath: plot)))
    }

    func testANarrowWindowScalesThePictureToItsWidth() throws {
        // 20 columns of 10 pixels: at most 190 pixels across.
        let kitty = try drive(command, answer: "\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;22c", columns: 20, pixels: (200, 2000))
        XCTAssertEqual(kittyChunks(kitty).first?.keys.split(separator: ",").filter { $0.hasPrefix("c=") }, ["c=19"])
        let sixel = try drive(command, answer: "\(esc)[?62;4;22c", columns: 20, pixels: (200, 2000))
        let original = try ImageDecoder().decode(file: plot)
        let raster = sequences("\u{1B}Pq\"1;1;([0-9]+);([0-9]+)", in: sixel).map { [Int($0.keys)!, Int($0.payload)!] }
        XCTAssertEqual(raster, [[190, 190 * original.height / original.width]])
    }

    func testNothingIsDrawnWhenOutputIsNotATerminal() throws {
        let (status, output) = try MTMC.run(["-c", "set inline blocks; \(command)"], in: folder, environment: ["COLORTERM": "truecolor"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("wrote plots/augment_blue.png"), output)
        XCTAssertFalse(output.contains(esc), output.debugDescription)
    }

    func testNothingIsDrawnWhileAScriptReplaysNorWhileRecording() throws {
        try "set inline blocks\n\(command)\n".write(toFile: folder + "/pictures.mtmc", atomically: true, encoding: .utf8)
        let replay = try PseudoTerminal(["pictures.mtmc"], in: folder, environment: ["COLORTERM": "truecolor"])
        XCTAssertEqual(replay.finish(), 0, replay.text)
        XCTAssertTrue(replay.text.contains("wrote plots/augment_blue.png"), replay.text)
        XCTAssertFalse(replay.text.contains(esc), "neither asked nor drawn: \(replay.text.debugDescription)")

        // Recording links the file instead; after record stop the same command draws it.
        let text = try drive("set inline blocks; record notes.md; \(command); record stop; \(command)", answer: "\(esc)[?62;22c",
                             environment: ["COLORTERM": "truecolor"])
        let notes = try String(contentsOfFile: folder + "/notes.md", encoding: .utf8)
        XCTAssertTrue(notes.contains("](notes_files/1-augment_blue.png)"), notes)
        let stop = try XCTUnwrap(text.range(of: "stopped recording notes.md"))
        XCTAssertFalse(text[..<stop.lowerBound].contains("▀"), "drawn while recording: \(text.debugDescription)")
        XCTAssertTrue(text[stop.upperBound...].contains("▀"), text.debugDescription)
    }

    /// The picture half-block lines paint: each ▀ gives the pixel of its foreground and the one of its background below.
    private func halfBlockPicture(_ text: String) throws -> RGBImage {
        guard let start = text.range(of: "\(esc)[38;2;"), let end = text.range(of: "\(esc)[0m", options: .backwards) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no half blocks: \(text.debugDescription)"])
        }
        var rows: [[UInt8]] = []
        for line in text[start.lowerBound..<end.upperBound].components(separatedBy: "\r\n") {
            var top: [UInt8] = [], bottom: [UInt8] = [], foreground: [UInt8] = [], background: [UInt8]?
            let expression = try NSRegularExpression(pattern: "\u{1B}\\[[0-9;]*m|▀")
            for match in expression.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                let token = String(line[Range(match.range, in: line)!])
                if token == "▀" {
                    top += foreground
                    bottom += background ?? []
                } else if token.hasPrefix("\(esc)[38;2;") || token.hasPrefix("\(esc)[48;2;") {
                    let channels = token.dropFirst(7).dropLast().split(separator: ";").map { UInt8($0)! }
                    if token.hasPrefix("\(esc)[38") { foreground = channels } else { background = channels }
                } else if token == "\(esc)[49m" {
                    background = nil
                }
            }
            rows.append(top)
            if !bottom.isEmpty { rows.append(bottom) }
        }
        let width = rows.first.map { $0.count / 3 } ?? 0
        XCTAssertTrue(rows.allSatisfy { $0.count == width * 3 }, "rows of unequal width")
        return RGBImage(width: width, height: rows.count, pixels: rows.flatMap { $0 })
    }
}

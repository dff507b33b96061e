import Foundation
import XCTest

/// A recorded notebook keeps each section's picture, and a real Markdown renderer finds every one of them,
/// with spaces and CJK in the folder's and the notebook's names.
final class NotebookPicturesEndToEndTests: XCTestCase {
    /// A Python with markdown-it-py (CommonMark), in a virtual environment under the build folder, made once.
    private func markdownPython() throws -> String {
        let venv = MTMC.repository + "/.build/venv-markdown"
        let python = venv + "/bin/python"
        if try run(python, ["-c", "import markdown_it"]).status != 0 {
            let made = try run("/usr/bin/python3", ["-m", "venv", "--clear", venv])
            XCTAssertEqual(made.status, 0, "python3 -m venv (Debian's python3-venv): \(made.output)")
            let installed = try run(python, ["-m", "pip", "install", "-q", "markdown-it-py"])
            XCTAssertEqual(installed.status, 0, "pip install markdown-it-py: \(installed.output)")
        }
        return python
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return (127, "\(executable) is missing") }
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The `src` of every `<img>` in the notebook as markdown-it renders it, in order.
    private func imageSources(_ notebook: String) throws -> [String] {
        let script = """
            import html.parser, json, sys, markdown_it
            class Images(html.parser.HTMLParser):
                sources = []
                def handle_starttag(self, tag, attributes):
                    if tag == "img": self.sources.append(dict(attributes)["src"])
            page = markdown_it.MarkdownIt("commonmark").render(open(sys.argv[1], encoding="utf-8").read())
            parser = Images(); parser.feed(page)
            print(json.dumps(parser.sources))
            """
        let rendered = try run(try markdownPython(), ["-c", script, notebook])
        XCTAssertEqual(rendered.status, 0, rendered.output)
        return try JSONDecoder().decode([String].self, from: Data(rendered.output.utf8))
    }

    func testEachSectionKeepsItsPictureAndEveryLinkResolves() throws {
        let parent = MTMC.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let folder = parent + "/实验 notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            set size 16
            load \(MTMC.repository)/samples/prints
            balance base 4
            model tiny
            record "第一次 run.md"
            train 1
            plot history
            train 1
            plot history
            record stop
            """.write(toFile: folder + "/s.mtmc", atomically: true, encoding: .utf8)
        let (status, output) = try MTMC.run(["s.mtmc"], in: folder)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("recording to 第一次 run.md (pictures in 第一次 run_files/); record stop ends it"), output)

        let sources = try imageSources(folder + "/第一次 run.md")
        XCTAssertEqual(sources.count, 2, "one picture per plot command: \(sources)")
        let pictures = try sources.map { source -> Data in
            XCTAssertFalse(source.hasPrefix("/") || source.contains(":"), "a link relative to the notebook: \(source)")
            let path = folder + "/" + (source.removingPercentEncoding ?? source)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(source) does not resolve to a file")
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        XCTAssertEqual(sources.map { ($0.removingPercentEncoding ?? $0) }, ["第一次 run_files/1-history.png", "第一次 run_files/2-history.png"])
        XCTAssertEqual(Array(pictures[0].prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertNotEqual(pictures[0], pictures[1], "the second plot history (two epochs) replaced the first section's picture")
        XCTAssertEqual(pictures[1], try Data(contentsOf: URL(fileURLWithPath: folder + "/plots/history.png")))
    }
}

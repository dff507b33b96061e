// Fuzz target: the command-line tokenizer, `-c` splitting, and every command's argument parsing, in a
// session without dataset or model. Commands that read or write files are left out: a fuzzer must not
// write over files (it runs as whoever starts it), and their parsing is a path argument.
import Commands
import Foundation

private let session: Session = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mtmc-fuzz-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return Session(out: OutputSink(print: { _ in }), workingDirectory: folder)
}()
private let touchesFiles: Set<String> = ["load", "save", "open", "import", "run", "record", "history", "export", "plot", "predict"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let lines = try? splitCommands(text) else { return 0 }
    for line in lines {
        guard let words = try? splitWords(line), let name = words.first, !touchesFiles.contains(name) else { continue }
        if name == "set" && words.count > 1 && words[1] == "threads" { continue }  // would change the fuzzer's own threads
        if name == "show" && words.count > 1 && words[1] == "augment" { continue }  // decodes IMG and writes a picture, without a dataset
        _ = execute(line, in: session, recordHistory: false)
        _ = completions(before: Array(words.dropLast()), word: words.last ?? "", in: session)
    }
    return 0
}

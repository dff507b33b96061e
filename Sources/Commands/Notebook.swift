import Engine
import Foundation
import MTMC
import Vision

/// A Markdown notebook being recorded: each command with its output, and a copy of each picture the
/// command wrote, kept in a folder beside the notebook (`notes.md` → `notes_files/`) under a numbered name,
/// so a later picture of the same name (`plot calib 印花` twice) never replaces an earlier section's.
/// Links are relative to the notebook and percent-encoded, so they resolve with spaces and CJK in any name.
///
/// The notebook and its pictures folder stay open while recording. If another program replaces either
/// (by a link to some other file, by another file, or by nothing), nothing is written through it: the
/// append fails with the reason and the session stops recording.
public final class Notebook {
    /// The notebook's absolute path, and as the user gave it (for messages).
    public let path: String
    let shownPath: String
    private let file: AppendOnlyFile
    private var folder: PicturesFolder?
    /// The number the next picture's copy tries first.
    private var nextPicture = 1

    /// Starts a notebook at `path` (absolute), replacing any file there atomically with the header.
    init(path: String, shown: String, header: String) throws {
        try writeAtomically(Data(header.utf8), to: path)
        do { file = try AppendOnlyFile(path: path) } catch { throw CommandError("cannot open \(shown): \(error)") }
        self.path = path
        shownPath = shown
    }

    /// The pictures folder beside a notebook: its path without the extension, then `_files`.
    static func picturesFolder(of notebook: String) -> String {
        (notebook as NSString).deletingPathExtension + "_files"
    }

    /// Appends a command, its output, and its pictures (copied first, so the block links only to kept copies).
    func append(command: String, output: [String], pictures: [String]) throws {
        var block = "```\nmtmc> \(command)\n" + output.joined(separator: "\n") + "\n```\n\n"
        for picture in pictures {
            let copy = try keep(picture)
            let name = (picture as NSString).lastPathComponent
            block += "![\(markdownText(name))](\(linkDestination((Self.picturesFolder(of: path) as NSString).lastPathComponent + "/" + copy)))\n\n"
        }
        do { try file.append(Data(block.utf8)) } catch { throw CommandError("cannot append to \(shownPath): \(error)") }
    }

    /// Copies the picture at `source` into the pictures folder under a name no earlier picture has; returns that name.
    private func keep(_ source: String) throws -> String {
        do {
            let data = try readRegularFile(source)
            let folder = try self.folder ?? PicturesFolder(path: Self.picturesFolder(of: path))
            self.folder = folder
            let (fd, name) = try folder.createFile(named: safeFileName((source as NSString).lastPathComponent), from: &nextPicture)
            try FileHandle(fileDescriptor: fd, closeOnDealloc: true).write(contentsOf: data)
            return name
        } catch {
            throw CommandError("cannot keep a copy of \((source as NSString).lastPathComponent) in \(Self.picturesFolder(of: shownPath)): \(errorReason(error))")
        }
    }
}

/// The folder of a notebook's pictures, made when the first picture comes and held open from then on;
/// files are created in it by descriptor, exclusively, never through a link.
private final class PicturesFolder {
    let path: String
    private let descriptor: Int32
    private let device: UInt64, inode: UInt64

    init(path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw EngineError(String(cString: strerror(errno))) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError(errno == ELOOP || errno == ENOTDIR ? "it is not a folder" : String(cString: strerror(errno))) }
        var info = stat()
        fstat(fd, &info)
        self.path = path
        descriptor = fd
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    deinit { close(descriptor) }

    /// A new file `N-NAME` for the first free N from `number` on (which moves past it); the path must still name this folder.
    func createFile(named name: String, from number: inout Int) throws -> (descriptor: Int32, name: String) {
        var now = stat()
        guard lstat(path, &now) == 0, (now.st_mode & S_IFMT) == S_IFDIR, UInt64(now.st_dev) == device, UInt64(now.st_ino) == inode else {
            throw EngineError("the folder was removed or replaced")
        }
        while true {
            let numbered = safeFileName("\(number)-\(name)")
            number += 1
            let fd = openat(descriptor, numbered, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, numbered) }
            if errno != EEXIST { throw EngineError(String(cString: strerror(errno))) }
        }
    }
}

/// A link destination that every Markdown renderer reads the same: each byte outside the unreserved
/// characters and `/` percent-encoded (spaces, CJK, parentheses).
func linkDestination(_ relativePath: String) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
    return relativePath.addingPercentEncoding(withAllowedCharacters: unreserved) ?? relativePath
}

/// Text for a link's brackets, with the characters Markdown reads there escaped.
func markdownText(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if "\\[]*_`<>".contains(character) { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}

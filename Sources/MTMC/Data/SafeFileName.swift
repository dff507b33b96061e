import Foundation

// Task, class and image names come from checkpoints and dataset trees that anyone may have made, and they
// become parts of file names (`plots/calib_TASK.png`, `logs/PHASE_TASK_Report_DATE.tsv`). A name never
// chooses where a file goes: every file name built from names passes through `safeFileName`, and `open`
// refuses names that `fileNameProblem` describes.

/// The most bytes of a file name on Linux file systems (NAME_MAX).
let maximumFileNameBytes = 255

/// `name` as one file name in a folder: `/`, NUL and other control characters become `_`, a name that is
/// empty, `.` or `..` becomes `_`, and a name too long for the file system is shortened before its
/// extension, at a character boundary. Every other character (CJK, spaces) stays.
public func safeFileName(_ name: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in name.unicodeScalars {
        scalars.append(scalar == "/" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : scalar)
    }
    let mapped = String(scalars)
    if mapped.isEmpty || mapped == "." || mapped == ".." { return "_" }
    guard mapped.utf8.count > maximumFileNameBytes else { return mapped }
    let suffix = (mapped as NSString).pathExtension
    let ending = suffix.isEmpty || suffix.utf8.count > 16 ? "" : "." + suffix
    var stem = String(mapped.dropLast(ending.count))
    while stem.utf8.count + ending.utf8.count > maximumFileNameBytes { stem.removeLast() }
    return stem + ending
}

/// Why `name` cannot stand for itself in a file name (it holds `/` or NUL, or is `.` or `..`); nil when it can.
/// A checkpoint with such a task or class name is refused, not silently renamed: its names are what
/// predictions report.
public func fileNameProblem(_ name: String) -> String? {
    if name == "." || name == ".." { return "is \(name)" }
    if name.contains("/") { return "contains /" }
    if name.unicodeScalars.contains("\0") { return "contains a NUL character" }
    return nil
}

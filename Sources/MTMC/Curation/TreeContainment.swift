import Foundation

/// Why a name given for an image of the dataset cannot be acted on because it leads outside the tree.
public struct OutsideTheTree: Error, CustomStringConvertible {
    public let description: String
}

/// Whether `path` (absolute) stays inside the tree at `root`: no `..` component, under the root as written,
/// and, with every link on the way followed, still under the root with its links followed. A link inside the
/// tree that points out of it is refused as the path would be: acting on it would act on a file elsewhere.
public func checkInsideTree(_ path: String, root: String) throws {
    let components = path.split(separator: "/", omittingEmptySubsequences: true)
    if components.contains("..") { throw OutsideTheTree(description: "\(path): '..' is refused: a name must stay inside the dataset tree \(root)") }
    let base = root.hasSuffix("/") ? String(root.dropLast()) : root
    guard path.hasPrefix(base + "/") else { throw OutsideTheTree(description: "\(path) lies outside the dataset tree \(root)") }
    let realRoot = realPath(base) ?? base
    guard let real = realPath(path) else { return }  // nothing there: the caller reports a vanished file
    guard real.hasPrefix(realRoot + "/") else {
        throw OutsideTheTree(description: "\(path) is a symbolic link (or lies under one) that points outside the dataset tree, to \(real)")
    }
}

/// `path` with every link and `.` resolved (realpath(3)); nil when it does not exist.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

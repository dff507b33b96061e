import Foundation

/// Why a name given for an image matches no image of the loaded dataset, or several.
public struct ImageLookupError: Error, CustomStringConvertible {
    public let description: String
}

extension Dataset {
    /// The cache index of the usable image named `name`: as `show worst` names it (relative to the root,
    /// TASK/SPLIT/CLASS/FILE), as `check labels` and `similar` do (relative to its task, SPLIT/CLASS/FILE), by
    /// its file name alone when only one image has it, or as a path (absolute, or relative to `workingDirectory`)
    /// inside the tree. A `..` component, a path outside the tree and a link pointing out of it are refused.
    public func imageIndex(named name: String, workingDirectory: String) throws -> Int {
        if name.split(separator: "/").contains("..") {
            throw OutsideTheTree(description: "\(name): '..' is refused: a name must stay inside the dataset tree \(root)")
        }
        let members = memberImages()
        let candidates = members.filter { image in
            let shown = shownFile(image)
            return shown == name || tasks.contains { shown == $0.name + "/" + name }
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            throw ImageLookupError(description: "'\(name)' names images of several tasks: " + candidates.map(shownFile).joined(separator: ", ") + "; give TASK/\(name)")
        }
        if !name.contains("/") {
            let named = members.filter { (files[$0] as NSString).lastPathComponent == name }
            if named.count == 1 { return named[0] }
            if named.count > 1 {
                throw ImageLookupError(description: "\(named.count) images are named '\(name)': " + named.prefix(4).map(shownFile).joined(separator: ", ") + "; give the folders too")
            }
        }
        let path = normalizedPath(name.hasPrefix("/") ? name : (workingDirectory as NSString).appendingPathComponent(name))
        let base = normalizedPath(root)
        guard path.hasPrefix(base + "/") else {
            if name.hasPrefix("/") || FileStamp.current(path) != nil {
                throw OutsideTheTree(description: "\(name) lies outside the dataset tree \(root): only images of the tree are relabelled or dropped")
            }
            throw ImageLookupError(description: "no image '\(name)' in the loaded dataset \(root): give it as show worst prints it (TASK/SPLIT/CLASS/FILE), or a path inside the tree")
        }
        try checkInsideTree(path, root: base)
        if let image = members.first(where: { normalizedPath(files[$0]) == path }) { return image }
        throw ImageLookupError(description: notUsable(path))
    }

    /// Every image that is a sample of some task now (dropped and broken images are not), in index order.
    public func memberImages() -> [Int] {
        tasks.flatMap { $0.train.map(\.image) + $0.val.map(\.image) }.sorted()
    }

    /// The task and split an image is a sample of, with its class; nil when it is none's (dropped, broken).
    public func membership(of image: Int) -> (task: Int, isTrain: Bool, label: Int)? {
        for (t, task) in tasks.enumerated() {
            if let s = task.train.first(where: { $0.image == image }) { return (t, true, s.label) }
            if let s = task.val.first(where: { $0.image == image }) { return (t, false, s.label) }
        }
        return nil
    }

    /// Why a path inside the tree is not an image the dataset uses.
    private func notUsable(_ path: String) -> String {
        if let broken = broken.first(where: { normalizedPath($0.path) == path }) { return "\(shownPath(path)) is broken (\(broken.reason)): not in the dataset" }
        if let skipped = skipped.first(where: { normalizedPath($0.path) == path }) { return "\(shownPath(path)) is skipped (\(skipped.reason))" }
        if FileStamp.current(path) == nil { return "\(shownPath(path)) does not exist" }
        return "\(shownPath(path)) is not an image of the loaded dataset (added since load? load again)"
    }
}

/// `path` without `.` components and repeated or trailing slashes (links are not resolved).
public func normalizedPath(_ path: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
}

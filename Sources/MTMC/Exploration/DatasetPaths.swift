extension Dataset {
    /// `path` relative to the dataset root when inside it (how reports name files: TASK/SPLIT/CLASS/FILE).
    public func shownPath(_ path: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// The file of cache image `index`, relative to the root.
    public func shownFile(_ index: Int) -> String { shownPath(files[index]) }

    /// The index of the task named `name`, or an error listing the tasks.
    public func taskIndex(_ name: String, command: String) throws -> Int {
        guard let t = tasks.firstIndex(where: { $0.name == name }) else {
            throw DatasetError("\(command): no task '\(name)'; tasks: " + tasks.map(\.name).joined(separator: ", "))
        }
        return t
    }
}

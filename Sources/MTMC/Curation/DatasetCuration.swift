import Foundation

/// Why a move was refused before anything moved: the file is not the one `load` saw, or leads out of the tree.
public struct CurationRefusal: Error, CustomStringConvertible {
    public let description: String
}

extension Dataset {
    /// Performs `move` on disk and returns the dataset as a fresh `load` of the changed tree would give it: the
    /// image's sample moved to its new class, removed (drop) or put back (undo), its task's samples in tree order,
    /// a task without `val/` split again as `load` splits it, and the cache reading the file from its new place.
    /// Refuses, moving nothing, a file that vanished or changed since load, or a path out of the tree.
    public func performing(_ move: ImageMove) throws -> Dataset {
        try checkMovable(move)
        var moved = self
        moved.files[move.image] = move.to
        let task = tasks[move.task]
        var members = task.train.map { ($0, true) } + task.val.map { ($0, task.valShare != nil) }
        members.removeAll { $0.0.image == move.image }
        if let label = move.toLabel { members.append((Sample(image: move.image, label: label), move.inTrainFolder)) }
        moved.tasks[move.task] = moved.rebuilt(task, members: members)
        if let empty = moved.tasks[move.task].trainCounts.firstIndex(where: { $0.used == 0 }) {
            throw CurationRefusal(description: "\(shownPath(move.from)) is the last training image of class \(task.classes[empty]) of task \(task.name); "
                                  + "a class without training images cannot be loaded; nothing moved")
        }
        try moveWithoutReplacing(move.from, to: move.to, createFolder: move.toLabel == nil)
        cache.moveSource(of: move.image, to: move.to)
        return moved
    }

    /// Throws, naming the file, unless the file at `move.from` is the one `load` saw, inside the tree (or its
    /// quarantine), and the destination's folder is inside too.
    private func checkMovable(_ move: ImageMove) throws {
        let fromRoot = move.fromLabel == nil ? quarantineRoot : normalizedPath(root)
        try checkInsideTree(move.from, root: fromRoot)
        let shown = move.fromLabel == nil ? move.from : shownPath(move.from)
        guard let (now, regular) = FileStamp.current(move.from) else {
            throw CurationRefusal(description: "\(shown) vanished since load (moved or removed by another program); nothing moved; load again")
        }
        guard regular else { throw CurationRefusal(description: "\(shown) is no longer a regular file; nothing moved") }
        let then = stamps[move.image]
        guard now == then else {
            let what = now.size != then.size ? "its size went from \(then.size) to \(now.size) bytes" : "its modification time changed"
            throw CurationRefusal(description: "\(shown) changed since load (\(what)); nothing moved; load again to see it as it is now")
        }
        if move.toLabel != nil {
            let folder = (move.to as NSString).deletingLastPathComponent
            try checkInsideTree(folder, root: normalizedPath(root))
            guard FileStamp.current(folder) != nil else { throw CurationRefusal(description: "the class folder \(shownPath(folder)) is gone; nothing moved") }
        } else {
            try checkInsideTree(move.to, root: quarantineRoot)
        }
    }

    /// `task` with these samples (each with whether its file lies in the train folder), ordered as a scan orders
    /// them (class, then file name by code point), split as `load` splits, and counts of used files to match.
    private func rebuilt(_ task: DatasetTask, members: [(Sample, Bool)]) -> DatasetTask {
        func name(_ s: Sample) -> String { (files[s.image] as NSString).lastPathComponent }
        let ordered = members.sorted { a, b in
            a.0.label != b.0.label ? a.0.label < b.0.label : name(a.0).unicodeScalars.lexicographicallyPrecedes(name(b.0).unicodeScalars)
        }
        var heldOut = Set<Int>()
        if let share = task.valShare {
            let split = ValidationSplit(share: share, seed: self.split.seed)
            for label in task.classes.indices {
                let inClass = ordered.filter { $0.0.label == label }.map(\.0)
                for (s, isVal) in zip(inClass, split.isVal(inClass.map { task.classes[label] + "/" + name($0) })) where isVal { heldOut.insert(s.image) }
            }
        }
        var result = task
        result.train = ordered.filter { $0.1 && !heldOut.contains($0.0.image) }.map(\.0)
        result.val = ordered.filter { !$0.1 || heldOut.contains($0.0.image) }.map(\.0)
        for label in task.classes.indices {
            result.trainCounts[label].used = result.train.filter { $0.label == label }.count
            result.valCounts[label].used = result.val.filter { $0.label == label }.count
        }
        return result
    }
}

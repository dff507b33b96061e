/// One image of a task as an audit sees it: its cache slot, class and split.
public struct AuditedImage: Equatable {
    public let image: Int
    public let label: Int
    public let isTrain: Bool
}

/// Images of one task that are the same picture (exact: equal decoded pixels and size) or nearly
/// (their difference hashes within the Hamming threshold, linked through one another).
public struct DuplicateGroup: Equatable {
    /// What the group means for training, the worst first: a conflict (several classes) outranks a leak
    /// (train and val, one class), which outranks plain duplicates (one class, one split).
    public enum Kind: Equatable {
        case labelConflict
        case leak
        case withinClass
    }

    /// In cache order (the order of the files' paths).
    public let members: [AuditedImage]
    /// The largest Hamming distance between two members' difference hashes (0 for exact groups).
    public let distance: Int

    public init(members: [AuditedImage], distance: Int) {
        self.members = members.sorted { $0.image < $1.image }
        self.distance = distance
    }

    public var kind: Kind {
        if Set(members.map(\.label)).count > 1 { return .labelConflict }
        return spansSplits ? .leak : .withinClass
    }

    /// Whether the group has images in both train and val: its val images were, in effect, trained on.
    public var spansSplits: Bool { members.contains { $0.isTrain } && members.contains { !$0.isTrain } }
}

/// Exact duplicates among `images`: equal pixel hashes, confirmed byte for byte by `samePixels`;
/// groups of two or more, ordered by their first member.
func exactGroups(_ images: [AuditedImage], hashes: [UInt64], samePixels: (Int, Int) -> Bool) -> [[Int]] {
    var byHash: [UInt64: [Int]] = [:]
    for (row, hash) in hashes.enumerated() { byHash[hash, default: []].append(row) }
    var groups: [[Int]] = []
    for rows in byHash.values where rows.count > 1 {
        // A hash collision of different pixels splits into separate groups.
        var split: [[Int]] = []
        for row in rows {
            if let g = split.firstIndex(where: { samePixels(images[$0[0]].image, images[row].image) }) { split[g].append(row) } else { split.append([row]) }
        }
        groups += split.filter { $0.count > 1 }
    }
    return groups.map { $0.sorted() }.sorted { $0[0] < $1[0] }
}

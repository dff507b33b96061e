import Dispatch
import Engine
import Foundation

/// What `check` finds in one task of a loaded dataset.
public struct TaskAudit {
    public let task: Int
    public let exact: [DuplicateGroup]
    /// Near duplicates that are not all one exact group; near-uniform images are left out (they all look alike).
    public let near: [DuplicateGroup]
    /// Val images in an exact (near) group with a train image.
    public let exactLeakedVal: Int
    public let nearLeakedVal: Int
    public let valCount: Int
    /// Images whose brightness barely varies (blank, solid colour), with their mean brightness.
    public let uniform: [(image: AuditedImage, brightness: Double)]
    /// Images whose file is narrower or lower than the model input.
    public let small: [AuditedImage]
    /// Images whose long side is at least `AuditLimits.aspect` times the short one.
    public let extreme: [AuditedImage]
}

/// The thresholds of an audit.
public struct AuditLimits {
    /// Hamming distance (of 64 bits) up to which two difference hashes count as near duplicates.
    public var hamming = 4
    /// Largest difference of mean red, green or blue (0–255) between near duplicates.
    public var colour = 24
    /// Largest mean absolute difference (0–255) of the 16×16 thumbnails that confirms a hash match: a
    /// re-encoded or resized copy differs by a few levels, smooth pictures of other shapes by tens.
    public var pixelDifference = 8.0
    /// Brightness standard deviation (0–255 scale) under which an image counts as near-uniform.
    public var uniformSpread = 2.0
    /// Long side ÷ short side from which an aspect ratio counts as extreme.
    public var aspect = 3.0
    /// The model input: a file smaller than it on either side is upscaled for training.
    public var input = ImageSize(width: 224, height: 224)

    public init() {}
}

/// The audit of a whole dataset, with how long its parts took.
public struct DatasetAudit {
    public let tasks: [TaskAudit]
    public let limits: AuditLimits
    public let images: Int
    public let hashSeconds: Double
    public let compareSeconds: Double

    /// Audits every task of `dataset` from its decoded cache: fingerprints in parallel (`progress` gets
    /// "hashing"/"comparing", done, total), then exact and near duplicate groups and the per-image checks.
    public static func run(_ dataset: Dataset, limits: AuditLimits, threads: Int = HostResources.inUse.threads,
                           isCancelled: () -> Bool = { false },
                           progress: (String, Int, Int) -> Void = { _, _, _ in }) throws -> DatasetAudit {
        let images = dataset.tasks.flatMap { task in (task.train.map { ($0, true) } + task.val.map { ($0, false) }) }
        let start = DispatchTime.now().uptimeNanoseconds
        let prints = try fingerprints(dataset, images: images.map(\.0.image), threads: threads, isCancelled: isCancelled) {
            progress("hashing", $0, $1)
        }
        let hashed = DispatchTime.now().uptimeNanoseconds
        var audits: [TaskAudit] = []
        var offset = 0
        for (t, task) in dataset.tasks.enumerated() {
            let count = task.train.count + task.val.count
            let rows = images[offset..<(offset + count)].map { AuditedImage(image: $0.0.image, label: $0.0.label, isTrain: $0.1) }
            audits.append(try audit(task: t, rows, Array(prints[offset..<(offset + count)]), dataset: dataset, limits: limits,
                                    threads: threads, isCancelled: isCancelled) { progress("comparing \(task.name)", $0, $1) })
            offset += count
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return DatasetAudit(tasks: audits, limits: limits, images: images.count,
                            hashSeconds: Double(hashed - start) / 1e9, compareSeconds: Double(end - hashed) / 1e9)
    }

    /// One task's groups and per-image findings.
    static func audit(task: Int, _ rows: [AuditedImage], _ prints: [ImageFingerprint], dataset: Dataset, limits: AuditLimits,
                      threads: Int, isCancelled: () -> Bool, progress: (Int, Int) -> Void) throws -> TaskAudit {
        let exactRows = exactGroups(rows, hashes: prints.map(\.pixelHash)) { dataset.cache.image($0).pixels == dataset.cache.image($1).pixels }
        // Nodes of the near search: each exact group once, and every other image, blank ones left out.
        var grouped = Set<Int>()
        var nodes = exactRows
        for g in exactRows { grouped.formUnion(g) }
        nodes += rows.indices.filter { !grouped.contains($0) }.map { [$0] }
        nodes = nodes.filter { prints[$0[0]].brightnessSpread >= limits.uniformSpread }
        let keys = nodes.map { node -> NearKey in
            let p = prints[node[0]]
            return NearKey(hash: p.differenceHash, red: p.meanColour.red, green: p.meanColour.green, blue: p.meanColour.blue)
        }
        let candidates = try linkedKeys(keys, bits: limits.hamming, colour: limits.colour, threads: threads, isCancelled: isCancelled, progress: progress)
        var thumbnails: [Int: PixelThumbnail] = [:]
        for node in candidates.joined() { thumbnails[node] = thumbnail(dataset, image: rows[nodes[node][0]].image) }
        let linked = confirmedGroups(candidates) { thumbnails[$0]!.meanDifference(thumbnails[$1]!) <= limits.pixelDifference }
        let near = linked.map { cluster -> DuplicateGroup in
            let sample = cluster.prefix(100).map { keys[$0].hash }
            let distance = sample.flatMap { a in sample.map { hammingDistance(a, $0) } }.max() ?? 0
            return DuplicateGroup(members: cluster.flatMap { nodes[$0] }.map { rows[$0] }, distance: distance)
        }
        let exact = exactRows.map { DuplicateGroup(members: $0.map { rows[$0] }, distance: 0) }
        func leaked(_ groups: [DuplicateGroup]) -> Int {
            Set(groups.filter(\.spansSplits).flatMap { $0.members.filter { !$0.isTrain }.map(\.image) }).count
        }
        let sizes = rows.map { dataset.sourceSizes[$0.image] }
        return TaskAudit(task: task, exact: exact, near: near.sorted { $0.members[0].image < $1.members[0].image },
                         exactLeakedVal: leaked(exact), nearLeakedVal: leaked(near), valCount: rows.filter { !$0.isTrain }.count,
                         uniform: rows.indices.filter { prints[$0].brightnessSpread < limits.uniformSpread }.map { (rows[$0], prints[$0].meanBrightness) },
                         small: rows.indices.filter { sizes[$0].width < limits.input.width || sizes[$0].height < limits.input.height }.map { rows[$0] },
                         extreme: rows.indices.filter {
                             let s = sizes[$0]
                             return Double(max(s.width, s.height)) >= limits.aspect * Double(max(1, min(s.width, s.height)))
                         }.map { rows[$0] })
    }

    /// The 16×16 thumbnail of one cache image.
    static func thumbnail(_ dataset: Dataset, image index: Int) -> PixelThumbnail {
        let image = dataset.cache.image(index)
        return image.pixels.withUnsafeBufferPointer { PixelThumbnail($0, width: image.width, height: image.height) }
    }
}

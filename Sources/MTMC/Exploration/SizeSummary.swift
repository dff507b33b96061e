/// Minimum, median and maximum of image widths, heights and aspect ratios (width ÷ height), and the
/// most frequent sizes. Medians are the lower middle value, so they are sizes that occur.
public struct SizeSummary: Equatable {
    public let count: Int
    public let width: [Int]
    public let height: [Int]
    public let aspect: [Double]
    /// The most frequent sizes with their counts, most frequent first (ties: smaller area first).
    public let common: [(size: ImageSize, count: Int)]

    /// nil when there are no sizes.
    public init?(_ sizes: [ImageSize], common limit: Int = 3) {
        guard !sizes.isEmpty else { return nil }
        func spread<T: Comparable>(_ values: [T]) -> [T] {
            let s = values.sorted()
            return [s[0], s[(s.count - 1) / 2], s[s.count - 1]]
        }
        count = sizes.count
        width = spread(sizes.map(\.width))
        height = spread(sizes.map(\.height))
        aspect = spread(sizes.map { Double($0.width) / Double(max(1, $0.height)) })
        var counts: [ImageSize: Int] = [:]
        for s in sizes { counts[s, default: 0] += 1 }
        func first(_ a: (size: ImageSize, count: Int), _ b: (size: ImageSize, count: Int)) -> Bool {
            if a.count != b.count { return a.count > b.count }
            let areaA = a.size.width * a.size.height, areaB = b.size.width * b.size.height
            return areaA != areaB ? areaA < areaB : a.size.width < b.size.width
        }
        common = Array(counts.map { (size: $0.key, count: $0.value) }.sorted(by: first).prefix(limit))
    }

    public static func == (a: SizeSummary, b: SizeSummary) -> Bool {
        a.count == b.count && a.width == b.width && a.height == b.height && a.aspect == b.aspect
            && a.common.map(\.size) == b.common.map(\.size) && a.common.map(\.count) == b.common.map(\.count)
    }
}

/// A bar of Unicode blocks `width` cells long at `value` = `largest`, in eighths of a cell.
public func blockBar(_ value: Int, largest: Int, width: Int) -> String {
    guard largest > 0, value > 0 else { return "" }
    let eighths = max(1, (value * width * 8 + largest / 2) / largest)
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
}

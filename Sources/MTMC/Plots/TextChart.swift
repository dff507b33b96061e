import Foundation

/// A line chart in characters for the terminal: `height` rows of `width` columns, each column marked at the
/// mean of the points that fall in it, y labels on the left and x labels (first, middle, last) below.
public func textChart(_ points: [(x: Double, y: Double)], width: Int = 60, height: Int = 12,
                      xLabel: (Double) -> String, yLabel: (Double) -> String) -> [String] {
    guard let x0 = points.map(\.x).min(), let x1 = points.map(\.x).max(),
          let y0 = points.map(\.y).min(), let y1 = points.map(\.y).max(), width >= 3, height >= 2 else { return [] }
    var columns = [[Double]](repeating: [], count: width)
    for p in points {
        let c = x1 > x0 ? Int(((p.x - x0) / (x1 - x0) * Double(width - 1)).rounded()) : 0
        columns[c].append(p.y)
    }
    var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
    for (c, ys) in columns.enumerated() where !ys.isEmpty {
        let y = ys.reduce(0, +) / Double(ys.count)
        let r = y1 > y0 ? Int(((y1 - y) / (y1 - y0) * Double(height - 1)).rounded()) : height - 1
        grid[r][c] = "•"
    }
    let labels = (0..<height).map { r in yLabel(y1 - (y1 - y0) * Double(r) / Double(height - 1)) }
    let pad = labels.map(\.count).max() ?? 0
    var lines = zip(labels, grid).map { label, row in
        (String(repeating: " ", count: pad - label.count) + label + " │" + String(row)).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    lines.append(String(repeating: " ", count: pad) + " └" + String(repeating: "─", count: width))
    let (first, middle, last) = (xLabel(x0), xLabel((x0 + x1) / 2), xLabel(x1))
    var axis = [Character](repeating: " ", count: pad + 2 + width + last.count)
    func put(_ text: String, at column: Int) { for (i, ch) in text.enumerated() where column + i < axis.count { axis[column + i] = ch } }
    put(first, at: pad + 2)
    put(middle, at: pad + 2 + width / 2 - middle.count / 2)
    put(last, at: pad + 2 + width - last.count)
    lines.append(String(axis).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
    return lines
}
